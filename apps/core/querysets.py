"""The one scoping mechanism's queryset side.

Every domain model uses ScopedQuerySet (directly or by subclassing) and declares:
    SCOPE_PATH   = lookup to an organisation path ("path", "organisation__path", "org_path")
    SCOPE_MEMBER = lookup to the member id for self-service rows ("id", "member_id"), optional
`Model.objects.restrict(user, action)` then returns exactly the rows that user may act on;
the rule itself lives in apps.accounts.scoping.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        from apps.accounts.scoping import restrict

        return restrict(self, user, action)
