"""Demo data for the demo county: the 流动党员 register matching the members whose status
is “流动” (one 活动证 each, issued on their status date, with reports and a few overdue),
one temporary branch where the most members of one organisation are away together,
relationship transfers in progress (some with the receipt overdue, a few out of the
system) and a few 非公企业党员证.

Rows are built in memory and written with bulk_create (the services' per-record audit
entries are not written for generated history), acting as system_actor("demo")."""

import datetime
from collections import Counter

from apps.core.dates import add_months
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.rules import MEMBER_HOLDING_TYPES

from .models import MobileContact, MobileRecord, NonPublicCard, TemporaryBranch, Transfer, TransferLetter, TransferStep
from .services import next_due, rule_values

PLACES = [
    "广东省深圳市宝安区",
    "广东省东莞市长安镇",
    "浙江省宁波市北仑区",
    "上海市闵行区",
    "江苏省苏州市昆山市",
    "福建省厦门市湖里区",
    "北京市朝阳区",
]
REASONS = ["外出务工", "经商", "随子女居住", "外出承包工程"]
TRANSFERS = 48  # in progress


def _issuers(orgs: dict[int, Organisation]) -> dict[int, str]:
    """Organisation id → the nearest committee/general branch above it (the issuer)."""
    by_path = {o.path: o for o in orgs.values()}
    out = {}
    for pk, o in orgs.items():
        name = o.name
        for i in range(len(o.path) - Organisation.steplen, 0, -Organisation.steplen):
            parent = by_path.get(o.path[:i])
            if parent is not None and parent.org_type in ("committee", "general_branch"):
                name = parent.name
                break
        out[pk] = name
    return out


def populate(root: Organisation, rng, as_of: datetime.date) -> None:
    values = rule_values()
    orgs = {
        o.pk: o for o in Organisation.objects.filter(path__startswith=root.path).only("pk", "path", "name", "org_type", "depth", "status")
    }
    issuers = _issuers(orgs)
    mobile = list(
        Member.objects.filter(org_path__startswith=root.path, status="mobile")
        .only("pk", "organisation_id", "status_since", "join_date")
        .order_by("pk")
    )

    # ── 流动党员 register ──
    # Members of one organisation tend to go to the same place (a village's workers to
    # one city): the first place of an organisation is drawn, later members follow it.
    first_place: dict[int, str] = {}
    records = []
    for i, m in enumerate(mobile):
        issued = m.status_since or as_of - datetime.timedelta(days=60)
        place = first_place.setdefault(m.organisation_id, rng.choice(PLACES)) if rng.random() < 0.7 else rng.choice(PLACES)
        elapsed = (as_of.year - issued.year) * 12 + as_of.month - issued.month
        abroad = rng.random() < 0.03
        no_fixed = elapsed >= values["certificate_transfer_months"] or rng.random() < 0.1
        months = (
            max(1, min(values["certificate_months_max"], elapsed + rng.randint(1, 12))) if no_fixed else rng.randint(min(elapsed + 1, 5), 5)
        )
        if rng.random() < 0.06:  # a few past their expected return
            months = max(1, elapsed - 1) if elapsed > 1 else months
        last_report = None
        if elapsed >= 2 and rng.random() < 0.85:
            last_report = add_months(as_of, -rng.randint(0, min(elapsed, 14)))
            last_report = max(last_report, issued)
        last_contact = max(issued, add_months(as_of, -rng.randint(0, 8))) if abroad else None
        r = MobileRecord(
            member_id=m.pk,
            organisation_id=m.organisation_id,
            org_path=orgs[m.organisation_id].path,
            certificate_no=f"LD{issued.year}D{i + 1:05d}",
            issued_on=issued,
            issued_by=issuers[m.organisation_id],
            reason="出国（境）学习" if abroad else rng.choice(REASONS),
            destination="英国伦敦" if abroad else place,
            months=months,
            expected_return=add_months(issued, months),
            home_contact="党支部书记",
            studying_abroad=abroad,
            no_fixed_place=no_fixed,
            last_report_on=last_report,
            last_contact_on=last_contact,
            status="away",
        )
        r.next_due = next_due(r, values)
        records.append(r)
    MobileRecord.objects.bulk_create(records, batch_size=1000)
    records = list(
        MobileRecord.objects.filter(org_path__startswith=root.path).only(
            "pk", "organisation_id", "destination", "last_report_on", "last_contact_on", "studying_abroad"
        )
    )
    contacts = []
    for r in records:
        if r.last_report_on:
            contacts.append(
                MobileContact(
                    record_id=r.pk,
                    kind="report",
                    date=r.last_report_on,
                    content="报告外出期间工作、学习和参加组织生活情况",
                    recorded_by="系统（示范数据）",
                )
            )
        if r.last_contact_on:
            contacts.append(
                MobileContact(
                    record_id=r.pk,
                    kind="contact",
                    date=r.last_contact_on,
                    content="视频联系，了解学习生活情况",
                    recorded_by="系统（示范数据）",
                )
            )
    MobileContact.objects.bulk_create(contacts, batch_size=1000)

    # ── one temporary branch where most members of one organisation are together ──
    groups = Counter((r.organisation_id, r.destination) for r in records if not r.studying_abroad)
    if groups:
        (org_id, place), n = groups.most_common(1)[0]
        if n >= values["temporary_branch_min"]:
            org = orgs[org_id]
            branch = TemporaryBranch.objects.create(
                organisation=org,
                name=f"{org.name}驻{place[:6]}流动党员临时党支部",
                place=place,
                formed_on=as_of - datetime.timedelta(days=90),
                end_date=add_months(as_of, 12),
                secretary_name="临时负责人",
            )
            MobileRecord.objects.filter(org_path__startswith=root.path, organisation_id=org_id, destination=place).update(
                temporary_branch=branch
            )

    # ── relationship transfers in progress ──
    branches = [o for o in orgs.values() if o.org_type in MEMBER_HOLDING_TYPES and o.org_type != "committee" and o.status == "active"]
    county = root  # the demo county committee signs letters out of the system
    movers = list(
        Member.objects.filter(org_path__startswith=root.path, status="normal", organisation__org_type__in=["branch", "joint_branch"])
        .only("pk", "organisation_id")
        .order_by("pk")[: TRANSFERS * 40 : 40]
    )
    transfers, plans = [], []
    for i, m in enumerate(movers[:TRANSFERS]):
        out = i % 8 == 7
        to = county if out else rng.choice([b for b in branches if b.pk != m.organisation_id][:200] or branches)
        requested = as_of - datetime.timedelta(days=rng.randint(3, 80))
        stage = rng.choice(["branch", "committee", "issued", "issued", "issued"])
        across = out and rng.random() < 0.5
        days = values["letter_days_across" if across else "letter_days_within"]
        t = Transfer(
            kind="out" if out else "internal",
            member_id=m.pk,
            organisation_id=m.organisation_id,
            org_path=orgs[m.organisation_id].path,
            to_organisation_id=to.pk,
            to_org_path=to.path,
            outside_org_name="中共某市某区某街道工作委员会" if out else "",
            across_province=across,
            leaving_county=out,
            reason=rng.choice(["工作调动", "迁居", "升学", "随迁"]),
            requested_on=requested,
            requested_by="系统（示范数据）",
            validity_days=days,
            status="issued" if stage == "issued" else "requested",
        )
        if stage == "issued":
            issued = requested + datetime.timedelta(days=rng.randint(1, 3))
            t.issued_on, t.valid_until = issued, issued + datetime.timedelta(days=days)
            t.receipt_due = max(t.valid_until, add_months(issued, values["receipt_months"]))
            t.next_step, t.next_org_path = ("receipt", t.org_path) if out else ("accept", to.path)
        else:
            t.next_step = stage
            t.next_org_path = t.org_path  # both sending steps act on the sending organisation
        transfers.append(t)
        plans.append(stage)
    Transfer.objects.bulk_create(transfers, batch_size=500)
    transfers = list(Transfer.objects.filter(org_path__startswith=root.path, requested_by="系统（示范数据）").order_by("pk"))
    from apps.dues.services import paid_up_to_map

    paid = paid_up_to_map([t.member_id for t in transfers])
    steps, letters = [], []
    for t in transfers:
        if t.status == "issued" or t.next_step == "committee":
            steps.append(TransferStep(transfer_id=t.pk, code="branch", date=t.requested_on, by="系统（示范数据）"))
        if t.status == "issued":
            steps.append(TransferStep(transfer_id=t.pk, code="committee", date=t.issued_on, by="系统（示范数据）"))
            if t.kind == "out":
                steps.append(TransferStep(transfer_id=t.pk, code="county", date=t.issued_on, by="系统（示范数据）"))
            serial = f"{t.issued_on.year}D{t.pk:06d}"
            letters.append(
                TransferLetter(
                    transfer_id=t.pk,
                    serial=serial,
                    issued_on=t.issued_on,
                    validity_days=t.validity_days,
                    valid_until=t.valid_until,
                    dues_paid_up_to=paid.get(t.member_id),
                    issued_by="系统（示范数据）",
                )
            )
            steps.append(TransferStep(transfer_id=t.pk, code="issue", date=t.issued_on, by="系统（示范数据）", note=f"介绍信编号 {serial}"))
            t.serial = serial
    TransferStep.objects.bulk_create(steps, batch_size=1000)
    TransferLetter.objects.bulk_create(letters, batch_size=1000)
    Transfer.objects.bulk_update([t for t in transfers if t.serial], ["serial"], batch_size=500)

    # ── 非公企业党员证 ──
    holders = list(
        Member.objects.filter(org_path__startswith=root.path, status="normal", categories__code="non_public")
        .only("pk", "organisation_id")
        .order_by("pk")[:60]
    )
    NonPublicCard.objects.bulk_create(
        [
            NonPublicCard(
                member_id=m.pk,
                organisation_id=m.organisation_id,
                org_path=orgs[m.organisation_id].path,
                number=f"FG{as_of.year}{i + 1:05d}",
                issued_on=as_of - datetime.timedelta(days=rng.randint(30, 700)),
                issued_by=issuers[m.organisation_id],
            )
            for i, m in enumerate(holders)
        ],
        batch_size=500,
    )
