"""Demo data: a plausible year of dues for the demo county.

`populate(root_org, rng, as_of)` gives every member counted under root_org a declaration
(category and base by occupation), twelve months of ledger lines ending with as_of's month
(probationary members from their admission month), payments (most monthly, a quarter of
members quarterly with the branch's consent; the current month partly paid), a few
members in arrears (3, 5 and 6+ months, with handling cases opened at 6), hardship
reductions (approved and pending), mobile members paying where they stay, voluntary
payments, monthly hand-overs up the tree and last year's remittance.

Rows are built in memory and written with bulk_create in batches (≈ 240k lines for 20k
members) — the same rule engine prices them (rules.monthly_amount); the per-record audit
entries of the services are not written for generated history.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.members.models import Member
from apps.orgs.models import Organisation

from . import months as mo
from . import rules, standing, tally
from .models import (
    AnnualRemittance,
    Collection,
    DuesLine,
    IncomeDeclaration,
    LedgerMonth,
    Payment,
    PaymentMonth,
    Reduction,
    VoluntaryPayment,
)

BATCH = 5000
ZERO = Decimal("0.00")
D = Decimal

# (category, low, high) monthly base by occupation; bases are whole yuan + random fen.
BASES = {
    "civil_servant": [("salaried", 3800, 9000)],
    "professional": [("salaried", 3200, 11000), ("annual_salary", 8000, 16000)],
    "manager": [("salaried", 4000, 12000), ("annual_salary", 9000, 25000)],
    "skilled_worker": [("salaried", 2400, 5600)],
    "retired": [("retiree", 2200, 7200)],
    "other": [("self_employed", 1500, 9000), ("unemployed", 0, 0), ("dibao", 0, 0)],
}
FARMER_AMOUNTS = [D("0.20"), D("0.30"), D("0.50"), D("0.50"), D("0.50"), D("1.00")]
HARDSHIP_REASONS = ["本人重病住院，家庭收入骤减", "家庭遭受自然灾害，生活困难", "长期患病，无固定收入", "子女重病，家庭负担沉重"]
ELSEWHERE = ["厦门市思明区流动党员党支部", "泉州市晋江市流动党员党总支", "广东省东莞市福建商会党支部", "福州市鼓楼区流动党员服务站"]


def _declaration(row, rng):
    occupation = row["occupation"]
    if occupation == "farmer":
        return "farmer", None, rng.choice(FARMER_AMOUNTS)
    if occupation == "student":
        return "student", None, None
    options = BASES.get(occupation, BASES["other"])
    weights = [6, 1, 1] if occupation == "other" else [5, 1][: len(options)]
    category, low, high = rng.choices(options, weights=weights[: len(options)])[0]
    if low == 0:
        return category, None, None
    base = D(rng.randint(low, high)) + D(rng.randint(0, 99)) / 100
    return category, base, None


def _bulk(model, objs):
    for i in range(0, len(objs), BATCH):
        model.objects.bulk_create(objs[i : i + BATCH])


LINE_COLUMNS = (
    "member_id",
    "month",
    "organisation_id",
    "org_path",
    "category",
    "base",
    "rate",
    "standard_amount",
    "amount_due",
    "status",
    "reduction_id",
    "paid_elsewhere",
    "paid_elsewhere_note",
    "paid_on",
    "payment_id",
)
PAYMENT_COLUMNS = (
    "id",
    "member_id",
    "organisation_id",
    "org_path",
    "amount",
    "paid_on",
    "mode",
    "branch_consent",
    "payer_kind",
    "payer_name",
    "method",
    "first_month",
    "last_month",
    "month_count",
)
PAYMENT_MONTH_COLUMNS = ("payment_id", "member_id", "month", "amount")
DECLARATION_COLUMNS = (
    "member_id",
    "organisation_id",
    "org_path",
    "category",
    "base",
    "fixed_amount",
    "effective_month",
    "declared_on",
    "note",
    "recorded_by",
)


class _Writer:
    """Plain executemany INSERTs for the big generated tables (the ORM's per-field
    preparation costs minutes for ~700k rows; this takes seconds)."""

    def __init__(self):
        # SQLite: Django registers adapters for Decimal and date; the one datetime is
        # converted here the way the ORM would (naive UTC on SQLite).
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        if connection.vendor == "sqlite":
            # Each month's rows land all over the (member, month) indexes: give SQLite a
            # page cache big enough to hold them (the default 2 MB thrashes).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")

    def insert(self, model, columns, rows, extra=None):
        if not rows:
            return
        extra = extra or {}
        cols = [*columns, *extra]
        tail = tuple(extra.values())
        q = connection.ops.quote_name
        sql = f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
        with connection.cursor() as cursor:
            for i in range(0, len(rows), BATCH):
                cursor.executemany(sql, [(*row, *tail) for row in rows[i : i + BATCH]])

    def reset_sequences(self, *models):
        from django.core.management.color import no_style

        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def populate(root_org: Organisation, rng: random.Random, as_of: datetime.date) -> dict:
    """Fill the dues tables for root_org's subtree; does nothing when lines already exist."""
    if DuesLine.objects.filter(org_path__startswith=root_org.path).exists():
        return {"skipped": True}
    with transaction.atomic():
        return _populate(root_org, rng, as_of)


def _populate(root_org, rng, as_of):
    current = mo.month_start(as_of)
    window = [mo.shift(current, i) for i in range(-11, 1)]
    cutoff = mo.shift(current, -1)
    members = list(
        Member.objects.counted()
        .filter(org_path__startswith=root_org.path, join_date__lte=as_of)
        .order_by("id")
        .values("id", "organisation_id", "org_path", "occupation", "status", "join_date")
    )
    n = len(members)
    ids = [m["id"] for m in members]
    rng.shuffle(ids)
    # Arrears: trailing unpaid runs (months unpaid up to the cutoff) for a few members.
    arrears = {}
    k3, k5, k6 = max(1, n // 150), max(1, n // 300), max(1, n // 400)
    for mid in ids[:k3]:
        arrears[mid] = 3
    for mid in ids[k3 : k3 + k5]:
        arrears[mid] = 5
    for mid in ids[k3 + k5 : k3 + k5 + k6]:
        arrears[mid] = rng.randint(6, 9)
    rest = ids[k3 + k5 + k6 :]
    exempt_ids = set(rest[: max(1, n // 250)])
    pending_ids = rest[max(1, n // 250) : max(1, n // 250) + max(1, n // 2000)]
    quarterly = set(rest[len(exempt_ids) + len(pending_ids) :][: n // 4])
    voluntary_ids = rest[-max(2, n // 1000) :]

    declarations, reductions = [], {}
    prices = {}
    for row in members:
        category, base, fixed = _declaration(row, rng)
        first = max(window[0], mo.month_start(row["join_date"]))
        declarations.append(
            (row["id"], row["organisation_id"], row["org_path"], category, base, fixed, first, min(as_of, mo.month_end(first)), "", "demo")
        )
        prices[row["id"]] = (category, base, *rules.monthly_amount(category, base, first, fixed_amount=fixed))
    writer = _Writer()
    writer.insert(IncomeDeclaration, DECLARATION_COLUMNS, declarations, extra={"created_at": writer.now})

    for mid in exempt_ids:
        row_start = rng.choice(window[:6])
        reductions[mid] = Reduction(
            member_id=mid,
            kind=Reduction.Kind.EXEMPT if rng.random() < 0.7 else Reduction.Kind.REDUCE,
            monthly_amount=D("0.20"),
            start_month=row_start,
            end_month=mo.shift(row_start, rng.choice([2, 5, 11])),
            reason=rng.choice(HARDSHIP_REASONS),
            status=Reduction.Status.APPROVED,
            proposed_by="demo",
            proposed_on=mo.shift(row_start, -1),
            decided_by="demo",
            decided_on=mo.shift(row_start, -1) + datetime.timedelta(days=10),
            decision_note="同意",
        )
    by_id = {m["id"]: m for m in members}
    for r in reductions.values():
        r.organisation_id, r.org_path = by_id[r.member_id]["organisation_id"], by_id[r.member_id]["org_path"]
        if r.kind == Reduction.Kind.EXEMPT:
            r.monthly_amount = ZERO
    pending = [
        Reduction(
            member_id=mid,
            organisation_id=by_id[mid]["organisation_id"],
            org_path=by_id[mid]["org_path"],
            kind=Reduction.Kind.EXEMPT,
            start_month=current,
            end_month=mo.shift(current, 5),
            reason=rng.choice(HARDSHIP_REASONS),
            proposed_by="demo",
            proposed_on=as_of,
        )
        for mid in pending_ids
    ]
    _bulk(Reduction, [*reductions.values(), *pending])  # pks are set on SQLite and PostgreSQL

    elsewhere = {m["id"]: rng.choice(ELSEWHERE) for m in members if m["status"] == "mobile" and rng.random() < 0.6}
    expected = defaultdict(lambda: ZERO)  # (org_id, month) → due
    collected = defaultdict(lambda: ZERO)  # (org_id, paid month) → amount
    total_lines = total_payments = 0
    year_paid = defaultdict(lambda: ZERO)
    quarter_paid = {}  # (member_id, first month of quarter) → (payment id, paid_on)
    next_payment_id = (Payment.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    paid_s, unpaid_s, exempt_s, elsewhere_s = (
        str(s) for s in (DuesLine.Status.PAID, DuesLine.Status.UNPAID, DuesLine.Status.EXEMPT, DuesLine.Status.PAID_ELSEWHERE)
    )
    for month in window:
        lines, payments, pay_months = [], [], []
        month_last = mo.month_end(month)
        q_months = mo.quarter_months(month)
        full_quarter = all(window[0] <= q <= cutoff for q in q_months)
        for row in members:
            mid = row["id"]
            if row["join_date"] > month_last:
                continue
            org_id, path = row["organisation_id"], row["org_path"]
            category, base, rate, amount = prices[mid]
            due, reduction_id, status, note, paid_on, payment_id = amount, None, unpaid_s, "", None, None
            red = reductions.get(mid)
            if red and red.covers(month):
                reduction_id = red.pk
                due = ZERO if red.kind == Reduction.Kind.EXEMPT else min(amount, red.monthly_amount)
            if mid in elsewhere:
                status, note = elsewhere_s, elsewhere[mid]
            else:
                expected[(org_id, month)] += due
                run = arrears.get(mid)
                if due == ZERO:
                    status = exempt_s
                elif run and month > mo.shift(cutoff, -run):
                    pass  # in arrears
                elif month == current and rng.random() > min(0.9, 0.25 + as_of.day / 40):
                    pass  # not yet paid this month
                elif mid in quarterly and full_quarter and month != q_months[0]:
                    found = quarter_paid.get((mid, q_months[0]))
                    if found:
                        payment_id, paid_on = found
                        status = paid_s
                else:
                    payment_id, next_payment_id = next_payment_id, next_payment_id + 1
                    if mid in quarterly and full_quarter:
                        paid_on = month + datetime.timedelta(days=rng.randint(0, 20))
                        quarter_paid[(mid, month)] = (payment_id, paid_on)
                        pay_amount, mode, consent, first, last, count = due * 3, "quarterly", True, q_months[0], q_months[2], 3
                        payer_kind, payer_name = "self", ""
                        method = rng.choice(["cash", "wechat", "bank_transfer"])
                    else:
                        paid_on = min(as_of, month + datetime.timedelta(days=rng.randint(0, 24)))
                        pay_amount, mode, consent, first, last, count = due, "monthly", False, month, month, 1
                        proxy = rng.random() < 0.06
                        payer_kind = "proxy" if proxy else "self"
                        payer_name = rng.choice(["李秀英", "王建国", "陈美华", "张志强"]) if proxy else ""
                        method = rng.choice(["cash", "cash", "wechat", "alipay", "bank_transfer"])
                    payments.append(
                        (
                            payment_id,
                            mid,
                            org_id,
                            path,
                            pay_amount,
                            paid_on,
                            mode,
                            consent,
                            payer_kind,
                            payer_name,
                            method,
                            first,
                            last,
                            count,
                        )
                    )
                    collected[(org_id, mo.month_start(paid_on))] += pay_amount
                    year_paid[paid_on.year] += pay_amount
                    status = paid_s
            if status == paid_s:
                pay_months.append((payment_id, mid, month, due))
            lines.append(
                (
                    mid,
                    month,
                    org_id,
                    path,
                    category,
                    base,
                    rate,
                    amount,
                    due,
                    status,
                    reduction_id,
                    mid in elsewhere,
                    note,
                    paid_on,
                    payment_id,
                )
            )
        writer.insert(Payment, PAYMENT_COLUMNS, payments, extra={"warning": "", "note": "", "recorded_at": writer.now})
        writer.insert(DuesLine, LINE_COLUMNS, lines)
        writer.insert(PaymentMonth, PAYMENT_MONTH_COLUMNS, pay_months)
        LedgerMonth.objects.create(organisation=root_org, org_path=root_org.path, month=month, line_count=len(lines), generated_by="demo")
        total_lines += len(lines)
        total_payments += len(payments)
    writer.reset_sequences(Payment)

    vols = []
    voluntary = defaultdict(lambda: ZERO)
    for i, mid in enumerate(voluntary_ids):
        amount = D("1000.00") if i < 2 else D(rng.choice([100, 200, 300, 500]))
        paid_on = rng.choice(window[:-1]) + datetime.timedelta(days=rng.randint(0, 20))
        row = by_id[mid]
        vols.append(
            VoluntaryPayment(
                member_id=mid,
                organisation_id=row["organisation_id"],
                org_path=row["org_path"],
                amount=amount,
                paid_on=paid_on,
                remit_to_centre=amount >= rules.VOLUNTARY_CENTRE_THRESHOLD,
                note="自愿多交党费",
                recorded_by="demo",
            )
        )
        voluntary[(row["organisation_id"], mo.month_start(paid_on))] += amount
    _bulk(VoluntaryPayment, vols)

    n_collections = _collections(root_org, window[:-1], expected, collected, voluntary, rng)
    from apps.core.actors import system_actor

    from .services import refresh_arrears_cases

    in_arrears = standing.rebuild(as_of)
    cases = refresh_arrears_cases(root_org, as_of=as_of, actor=system_actor("demo"))
    if year_paid.get(as_of.year - 1):
        total = year_paid[as_of.year - 1]
        due = rules.remittance_amount(total)
        AnnualRemittance.objects.create(
            organisation=root_org,
            org_path=root_org.path,
            year=as_of.year - 1,
            total_dues=total,
            amount_due=due,
            amount_remitted=due if as_of >= datetime.date(as_of.year, 4, 30) else ZERO,
            due_by=datetime.date(as_of.year, *rules.ANNUAL_REMITTANCE_DUE),
            remitted_on=datetime.date(as_of.year, 4, 20) if as_of >= datetime.date(as_of.year, 4, 30) else None,
            note="按系统内记录的月份计算",
            recorded_by="demo",
        )
    tallies = tally.rebuild(root_org.path)
    return {
        "members": n,
        "lines": total_lines,
        "tallies": tallies,
        "payments": total_payments,
        "arrears_members": len(arrears),
        "arrears_standing": in_arrears,
        "cases": cases,
        "reductions": len(reductions) + len(pending),
        "collections": n_collections,
    }


def _collections(root_org, months, expected, collected, voluntary, rng) -> int:
    """Monthly hand-overs from every organisation to its parent, deepest first."""
    orgs = list(Organisation.objects.filter(path__startswith=root_org.path).exclude(org_type="party_group").values("id", "path", "depth"))
    by_path = {o["path"]: o for o in orgs}
    parent = {o["id"]: by_path.get(o["path"][: -Organisation.steplen]) for o in orgs if o["path"] != root_org.path}
    orgs.sort(key=lambda o: -o["depth"])
    rows = []
    for month in months:
        received = defaultdict(lambda: ZERO)
        sub_expected = defaultdict(lambda: ZERO)
        for o in orgs:
            oid = o["id"]
            exp = expected.get((oid, month), ZERO) + sub_expected[oid]
            own = collected.get((oid, month), ZERO)
            got = received[oid]
            vol = voluntary.get((oid, month), ZERO)
            if not exp and not own and not got and not vol:
                continue
            total = own + got + vol
            handed, note = total, ""
            if own and rng.random() < 0.01:
                handed, note = total - D("0.50"), "零钱尾差0.50元，次月一并上交"
            p = parent.get(oid)
            rows.append(
                Collection(
                    organisation_id=oid,
                    org_path=o["path"],
                    month=month,
                    expected=exp,
                    collected=own,
                    received_from_below=got,
                    voluntary=vol,
                    handed_over=handed,
                    handed_to_id=p["id"] if p else None,
                    handed_on=mo.month_end(month),
                    difference_note=note,
                    status=Collection.Status.CONFIRMED if p else Collection.Status.HANDED_OVER,
                    handed_by="demo",
                    confirmed_by="demo" if p else "",
                    confirmed_on=mo.month_end(month) if p else None,
                )
            )
            if p:
                received[p["id"]] += handed
                sub_expected[p["id"]] += exp
    _bulk(Collection, rows)
    return len(rows)
