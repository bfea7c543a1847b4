"""Per-organisation subtree sums for a set of organisations in one grouped query: rows are
grouped by their organisation path under the organisations' common ancestor, then each
organisation adds up the groups inside its own subtree (a prefix walk, no query per row)."""

from apps.core.figures import common_prefix
from apps.orgs.models import Organisation

STEP = Organisation.steplen


def subtree_sums(orgs, queryset, path_field: str, **aggregates) -> dict[int, dict]:
    """{org.pk: {aggregate name: summed value}} over each organisation's subtree."""
    orgs = list(orgs)
    if not orgs:
        return {}
    prefix = common_prefix([o.path for o in orgs], STEP)
    rows = queryset.filter(**{f"{path_field}__startswith": prefix}).order_by().values(path_field).annotate(**aggregates)
    by_path = {o.path: o.pk for o in orgs}
    out = {o.pk: dict.fromkeys(aggregates, 0) for o in orgs}
    for row in rows:
        path = row[path_field]
        for length in range(STEP, len(path) + 1, STEP):
            pk = by_path.get(path[:length])
            if pk is not None:
                for name in aggregates:
                    out[pk][name] += row[name] or 0
    return out
