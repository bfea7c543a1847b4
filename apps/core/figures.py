"""The arithmetic every domain's statistics, to-do and metric code repeats, written once:
periods (year, quarter, month), the part of the tree a user manages, conditions on copied
organisation paths, and sums of per-path rows into each organisation's subtree. General:
paths are strings whose prefixes are the ancestors' paths; no domain is imported."""

import datetime

from django.db.models import Q

from .scoping import Scope, user_scope


def period(year: int, quarter: int | None = None) -> tuple[datetime.date, datetime.date]:
    """[start, end) of a year, or of one of its quarters (1–4)."""
    if not quarter:
        return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    start = datetime.date(year, 3 * quarter - 2, 1)
    return start, datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)


def month_period(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year + (month == 12), month % 12 + 1, 1)


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def pct(part, whole, digits: int = 1):
    """part/whole in percent, or None without a whole."""
    return round(100 * part / whole, digits) if whole else None


def managed_scope(user, action: str = "change") -> Scope | None:
    """The scope of a user who manages some part of the tree (the to-do and home figures
    of managers), or None for anyone else (a member, an anonymous visitor)."""
    if not getattr(user, "is_authenticated", False):
        return None
    scope = user_scope(user, action)
    if scope.empty or (not scope.everything and not scope.paths):
        return None
    return scope


def under(paths, field: str = "org_path") -> Q:
    """Rows whose path `field` lies in any of the subtrees rooted at `paths` (a few: a
    user's roles; for many organisations use enclosing)."""
    cond = Q(pk__in=[])
    for path in paths:
        cond |= Q(**{f"{field}__startswith": path})
    return cond


def enclosing(paths, field: str = "org_path") -> Q:
    """ONE range on the path (the paths' longest common prefix) whatever their number:
    an OR of one LIKE per organisation grows with them, and SQLite refuses an expression
    deeper than 1000. It takes in the common ancestor's other rows too: sum_into_subtrees
    leaves those out."""
    paths = list(paths)
    if not paths:
        return Q(pk__in=[])
    return Q(**{f"{field}__startswith": common_prefix(paths)})


def common_prefix(paths, step: int = 1) -> str:
    """The longest prefix of all the paths, cut to a multiple of `step` (the tree's step
    length: then it is their common ancestor's path); "" for no paths."""
    paths = list(paths)
    if not paths:
        return ""
    lo, hi = min(paths), max(paths)
    n = next((i for i, (x, y) in enumerate(zip(lo, hi, strict=False)) if x != y), min(len(lo), len(hi)))
    return lo[: n - n % step]


def within(scope: Scope, field: str = "org_path") -> Q:
    """Rows whose path `field` lies in the scope (everything: no condition)."""
    return Q() if scope.everything else under(scope.paths, field)


def sum_into_subtrees(rows, paths: dict, keys, path_key: str = "org_path") -> dict:
    """Rows grouped by a path ({path_key: …, key: n}) summed into each organisation's
    subtree: {pk: {key: total}} for paths = {pk: organisation path}."""
    out = {pk: dict.fromkeys(keys, 0) for pk in paths}
    by_path = {path: pk for pk, path in paths.items()}
    lengths = sorted({len(p) for p in by_path})
    for row in rows:
        path = row[path_key]
        for n in lengths:
            pk = by_path.get(path[:n]) if n <= len(path) else None
            if pk is not None:
                for key in keys:
                    out[pk][key] += row[key] or 0
    return out


def labelled_rows(section: str, figures: dict, labels: dict, *, skip=("year",)) -> list[tuple]:
    """A statistics section's rows for the table and the export: (分类, 项目, 数量, 占比)."""
    return [(section, label, figures[key], None) for key, label in labels.items() if key not in skip]
