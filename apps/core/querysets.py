"""The one scoping mechanism's queryset side.

Every domain model uses ScopedQuerySet (directly, by subclassing, or through
apps.core.models.OrgScopedModel) and declares:
    SCOPE_PATH   = lookup(s) to an organisation path: "path", "organisation__path",
                   "org_path", or a tuple ("from_org_path", "to_org_path") for rows that
                   two subtrees see
    SCOPE_MEMBER = lookup to the member id for self-service rows ("id", "member_id"), optional
`Model.objects.restrict(user, action)` then returns exactly the rows that user may act on;
the rule itself lives in apps.core.scoping.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        from .scoping import restrict

        return restrict(self, user, action)
