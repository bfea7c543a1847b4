from django.dispatch import receiver

from apps.orgs.services import rewrite_path_prefix, subtree_moved

from .models import DevelopmentFile


@receiver(subtree_moved)
def rewrite_file_paths(sender, old_prefix, new_prefix, **kwargs):
    """Files copy their organisation's path (scoping and reports filter on it)."""
    rewrite_path_prefix(DevelopmentFile._meta.db_table, "org_path", old_prefix, new_prefix)
