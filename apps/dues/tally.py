"""The per-organisation monthly tally of the ledger and the payments (models.DuesTally):
what the statistics, the dues.collected health metric and the monthly report sum instead
of reading every line or payment. Derived data, kept the way the members' direct counters
are: the services that write lines or payments call retally() for the (organisation,
month) pairs they touched (a payment: the month of its paid_on), in their own
transaction; rebuild() recomputes a subtree (the demo builder, the migration,
`check_org_tree --fix-counts`); drift() lists what disagrees with the lines and payments."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum

from apps.core.dates import add_months
from apps.orgs.models import Organisation

from . import months as mo
from .models import DuesLine, DuesTally, Payment

CHUNK = 500
ZERO = Decimal("0.00")


Figures = tuple[int, int, Decimal, Decimal]  # lines, settled, expected, collected
NOTHING: Figures = (0, 0, ZERO, ZERO)


def _figures(lines, payments) -> dict[tuple[int, datetime.date], Figures]:
    """{(organisation id, month): (lines, settled, expected, collected)} of a set of lines
    and a set of payments (collected: the payments whose paid_on falls in the month)."""
    out = {key: (n, settled, expected, ZERO) for key, (n, settled, expected) in _line_figures(lines).items()}
    for org, day, amount in (
        payments.order_by().values("organisation_id", "paid_on").annotate(s=Sum("amount")).values_list("organisation_id", "paid_on", "s")
    ):
        # grouped by day (dialect-free), folded into months here
        key = (org, mo.month_start(day))
        n, settled, expected, collected = out.get(key, NOTHING)
        out[key] = (n, settled, expected, collected + amount)
    return out


def _line_figures(lines) -> dict[tuple[int, datetime.date], tuple[int, int, Decimal]]:
    """{(organisation id, month): (lines, settled, expected)} of a set of lines."""
    rows = (
        lines.order_by()
        .values("organisation_id", "month")
        .annotate(
            n=Count("id"),
            settled=Count("id", filter=Q(status__in=DuesLine.SETTLED)),
            expected=Sum("amount_due", filter=~Q(status=DuesLine.Status.PAID_ELSEWHERE)),
        )
        .values_list("organisation_id", "month", "n", "settled", "expected")
    )
    return {(org, month): (n, settled, expected or ZERO) for org, month, n, settled, expected in rows}


@transaction.atomic
def retally(pairs: Iterable[tuple[int, datetime.date]]) -> None:
    """Recompute the tallies of the (organisation id, month) pairs from their lines. The
    tally rows are created first if missing, then locked (in a fixed order), then counted:
    a concurrent writer of the same pair waits for this transaction and then counts what
    it committed, so no update is lost."""
    by_month: dict[datetime.date, set[int]] = defaultdict(set)
    for org_id, month in pairs:
        by_month[month].add(org_id)
    for month, org_ids in sorted(by_month.items()):
        ids = sorted(org_ids)
        for i in range(0, len(ids), CHUNK):
            _retally_month(month, ids[i : i + CHUNK])


def _retally_month(month: datetime.date, org_ids: list[int]) -> None:
    paths = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "path"))
    DuesTally.objects.bulk_create(
        [DuesTally(organisation_id=pk, org_path=paths[pk], month=month) for pk in org_ids if pk in paths], ignore_conflicts=True
    )
    tallies = list(DuesTally.objects.select_for_update().filter(month=month, organisation_id__in=org_ids).order_by("organisation_id"))
    figures = _figures(
        DuesLine.objects.filter(month=month, organisation_id__in=org_ids),
        Payment.objects.filter(paid_on__gte=month, paid_on__lt=add_months(month, 1), organisation_id__in=org_ids),
    )
    for t in tallies:
        t.lines, t.settled, t.expected, t.collected = figures.get((t.organisation_id, month), NOTHING)
        t.org_path = paths.get(t.organisation_id, t.org_path)
    DuesTally.objects.bulk_update(tallies, ["lines", "settled", "expected", "collected", "org_path"])


@transaction.atomic
def rebuild(prefix: str = "") -> int:
    """Recompute every tally under the path prefix ("" = all) from the lines and payments:
    the rows without either are deleted. Returns the number of tallies written."""
    figures = _figures(DuesLine.objects.filter(org_path__startswith=prefix), Payment.objects.filter(org_path__startswith=prefix))
    paths = dict(Organisation.objects.filter(path__startswith=prefix).values_list("pk", "path"))
    DuesTally.objects.filter(org_path__startswith=prefix).delete()
    rows = [
        DuesTally(organisation_id=org, org_path=paths[org], month=month, lines=n, settled=settled, expected=expected, collected=collected)
        for (org, month), (n, settled, expected, collected) in figures.items()
    ]
    DuesTally.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def drift(limit: int = 20) -> tuple[list[str], int]:
    """The (organisation, month) pairs whose tally disagrees with the lines and payments: (a
    sample of `limit` descriptions, how many)."""
    actual = _figures(DuesLine.objects.all(), Payment.objects.all())
    stored = {
        (org, month): (n, settled, expected, collected)
        for org, month, n, settled, expected, collected in DuesTally.objects.filter(Q(lines__gt=0) | Q(collected__gt=0)).values_list(
            "organisation_id", "month", "lines", "settled", "expected", "collected"
        )
    }
    wrong = sorted(k for k in actual.keys() | stored.keys() if actual.get(k) != stored.get(k))
    names = dict(Organisation.objects.filter(pk__in={k[0] for k in wrong[:limit]}).values_list("pk", "name"))
    sample = []
    for org, month in wrong[:limit]:
        have, real = stored.get((org, month), NOTHING), actual.get((org, month), NOTHING)
        sample.append(
            f"{names.get(org, org)}（id={org}）{month:%Y年%m月}：汇总 {have[0]} 人次/已交 {have[1]}/应交 {have[2]} 元/收缴 {have[3]} 元，"
            f"台账 {real[0]} 人次/已交 {real[1]}/应交 {real[2]} 元/收缴 {real[3]} 元"
        )
    return sample, len(wrong)


def check(report, fix: bool) -> None:
    """registry.tree_checks: the tallies against the lines; with fix, rebuilt."""
    sample, total = drift()
    if total and fix:
        report("党费月度汇总与台账不一致", [], fixed=f"已按台账重新汇总 {rebuild()} 条")
        return
    report("党费月度汇总与台账不一致（可用 --fix-counts 修正）", sample, total=total)
