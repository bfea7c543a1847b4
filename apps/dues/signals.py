from django.dispatch import receiver

from apps.orgs.services import rewrite_path_prefix, subtree_moved

from . import models as m

PATH_TABLES = [
    m.IncomeDeclaration,
    m.LedgerMonth,
    m.DuesLine,
    m.Payment,
    m.Reduction,
    m.VoluntaryPayment,
    m.Collection,
    m.AnnualRemittance,
    m.ArrearsCase,
]


@receiver(subtree_moved)
def rewrite_dues_paths(sender, old_prefix, new_prefix, **kwargs):
    for model in PATH_TABLES:
        rewrite_path_prefix(model._meta.db_table, "org_path", old_prefix, new_prefix)
