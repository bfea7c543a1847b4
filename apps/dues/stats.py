"""Dues figures for the statistics dashboard: `contribute(org, as_of) -> dict`, a fixed
number of aggregate queries (run on the report replica when one is configured)."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from apps.core.routers import reporting

from . import months as mo
from .models import ArrearsCase, DuesTally, Payment, VoluntaryPayment
from .rules import money
from .selectors import arrears_counts, rate_cutoff

ZERO = Decimal("0.00")


def contribute(org, as_of: datetime.date | None = None) -> dict:
    """This year's dues for org's subtree: collected (payments received this year),
    expected (dues of this year's months so far), paid-up rate over the completed months,
    voluntary payments, and members in arrears at each level plus open cases. Five queries
    (the year's payments from the monthly tallies, the arrears from the kept standing), six for a day before today (that
    month's payments up to the day)."""
    from django.utils import timezone

    as_of = as_of or timezone.localdate()
    year_start = datetime.date(as_of.year, 1, 1)
    cutoff = rate_cutoff(as_of)
    with reporting():
        # the monthly tallies (tally.py), not every member's line and payment. No payment
        # is dated after the day it is recorded (services.record_payment), so on or after
        # today as_of's month is in its tally too; for an earlier day that month's
        # payments up to as_of are summed from the payments
        month = mo.month_start(as_of)
        whole = as_of >= timezone.localdate()
        lines = DuesTally.objects.filter(org_path__startswith=org.path, month__gte=year_start, month__lte=month).aggregate(
            expected=Sum("expected"),
            done=Sum("lines", filter=Q(month__lte=cutoff)),
            settled=Sum("settled", filter=Q(month__lte=cutoff)),
            collected=Sum("collected", filter=Q(month__lte=month) if whole else Q(month__lt=month)),
        )
        collected = lines["collected"] or ZERO
        if not whole:
            this_month = Payment.objects.filter(org_path__startswith=org.path, paid_on__gte=month, paid_on__lte=as_of)
            collected += this_month.aggregate(s=Sum("amount"))["s"] or ZERO
        voluntary = VoluntaryPayment.objects.filter(org_path__startswith=org.path, paid_on__gte=year_start, paid_on__lte=as_of).aggregate(
            s=Sum("amount")
        )["s"]
        arrears = arrears_counts(as_of, path=org.path)
        open_cases = ArrearsCase.objects.filter(org_path__startswith=org.path, status=ArrearsCase.Status.OPEN).count()
    return {
        "dues": {
            "label": "党费",
            "labels": LABELS,
            "year": as_of.year,
            # Money as exact decimal strings (JSON has no decimal type).
            "collected": str(money(collected)),
            "expected": str(money(lines["expected"])),
            "paid_up_rate": round(100 * (lines["settled"] or 0) / lines["done"], 1) if lines["done"] else None,
            "voluntary": str(money(voluntary)),
            "arrears_warning": arrears["warning"],
            "arrears_escalation": arrears["escalation"],
            "arrears_case": arrears["case"],
            "open_cases": open_cases,
        }
    }


LABELS = {
    "year": "年度",
    "collected": "本年已收党费（元）",
    "expected": "本年应收党费（元）",
    "paid_up_rate": "按时交纳率（%）",
    "voluntary": "自愿多交党费（元）",
    "arrears_warning": "欠缴3个月以上（人）",
    "arrears_escalation": "欠缴5个月以上（人）",
    "arrears_case": "连续6个月未交（人）",
    "open_cases": "待处置（件）",
}


def cards(stats: dict) -> list[tuple]:
    dues = stats["dues"]
    rate = dues["paid_up_rate"]
    return [
        (f"{dues['year']}年已收党费", dues["collected"], "元", None),
        ("党费按时交纳率", "—" if rate is None else rate, "%", None),
        ("欠缴5个月以上", dues["arrears_escalation"], "名", None),
        ("连续6个月未交党费", dues["arrears_case"], "名", None),
    ]
