from django.dispatch import receiver

from apps.orgs.services import rewrite_path_prefix, subtree_moved

from .models import Member


@receiver(subtree_moved)
def rewrite_member_paths(sender, old_prefix, new_prefix, **kwargs):
    rewrite_path_prefix(Member._meta.db_table, "org_path", old_prefix, new_prefix)
