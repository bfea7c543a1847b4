"""Demo data for the care domain: a year of 四必访 visits, this year's seasonal visit and
七一 greeting checklists (mostly done), a few hundred hardship members with 三包 pairings
and updates, a mutual-aid fund per township committee with movements, and last year's
living subsidies. Built in memory and written with bulk_create (the generated history is
not written to the change log, as in the other domains' demo builders)."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery

from apps.core.actors import system_actor
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import rules, selectors, services
from .models import (
    CareOccasion,
    ChecklistItem,
    Fund,
    FundApplication,
    FundMovement,
    Hardship,
    Pairing,
    PairingUpdate,
    SubsidyPayment,
    Visit,
)

BATCH = 5000
VISITORS = ["支部书记", "支部书记、组织委员", "党委副书记、支部书记", "村党支部书记、村委会主任", "党小组长"]
CONTENT = {
    "illness": ["到医院看望，了解治疗情况，送去慰问金", "到家中看望出院党员，叮嘱按时复查"],
    "hardship": ["了解家庭困难情况，协调申请临时救助", "帮助联系务工岗位，送去米面油"],
    "wavering": ["谈心谈话，了解思想顾虑，讲解政策", "听取意见建议，帮助解决实际问题"],
    "wedding_funeral": ["参加葬礼，代表党组织慰问家属", "到家中祝贺，叮嘱婚事新办"],
    "seasonal": ["送去慰问金和慰问品，听取意见建议", "走访慰问，了解生活和身体情况"],
}
DESCRIPTIONS = {
    "illness": "本人患病长期治疗，医疗支出大",
    "disability": "本人残疾，劳动能力弱",
    "disaster": "房屋受灾，家庭财产损失严重",
    "old_age": "年老体弱，独居无固定收入",
    "unemployment": "企业改制下岗，暂无稳定收入",
    "schooling": "子女上学负担重",
    "other": "家庭遭遇变故，生活困难",
}


def populate(root_org: Organisation, rng: random.Random, as_of: datetime.date) -> dict:
    if Visit.objects.filter(org_path__startswith=root_org.path).exists():
        return {"skipped": True}
    with transaction.atomic():
        return _populate(root_org, rng, as_of)


def _bulk(model, objs):
    for i in range(0, len(objs), BATCH):
        model.objects.bulk_create(objs[i : i + BATCH])


def _day(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _populate(root, rng, as_of):
    actor = system_actor("demo")
    occ = {o.code: o for o in CareOccasion.objects.all()}
    members = list(
        Member.objects.counted()
        .filter(org_path__startswith=root.path, join_date__lte=as_of)
        .values("id", "organisation_id", "org_path", "join_date")
    )
    if not members:
        return {}
    year_ago = as_of - datetime.timedelta(days=365)
    # hardship register: ~1.5% of members, most of them paired
    poor = rng.sample(members, min(len(members) // 65 or 1, len(members)))
    hardships = []
    for m in poor:
        cause = rng.choice([c for c, _ in rules.HARDSHIP_CAUSES])
        registered = _day(rng, as_of - datetime.timedelta(days=700), as_of - datetime.timedelta(days=30))
        closed = rng.random() < 0.2
        hardships.append(
            Hardship(
                organisation_id=m["organisation_id"],
                org_path=m["org_path"],
                member_id=m["id"],
                cause=cause,
                level="severe" if rng.random() < 0.25 else "general",
                description=DESCRIPTIONS[cause],
                registered_on=registered,
                status="closed" if closed else "open",
                closed_on=_day(rng, registered, as_of) if closed else None,
                closure_note="稳定就业，家庭收入达到当地平均水平" if closed else "",
                recorded_by="系统（示范数据）",
            )
        )
    _bulk(Hardship, hardships)  # ids come back on SQLite and PostgreSQL: no re-read
    hardships.sort(key=lambda h: (h.org_path, -h.registered_on.toordinal(), -h.pk))  # the model's ordering
    by_org: dict[int, list[int]] = {}
    for m in members:
        by_org.setdefault(m["organisation_id"], []).append(m["id"])
    pairings = []
    for h in hardships:
        if rng.random() < 0.15:
            continue
        helpers = [i for i in by_org.get(h.organisation_id, []) if i != h.member_id]
        if not helpers:
            continue
        started = _day(rng, h.registered_on, min(as_of, h.registered_on + datetime.timedelta(days=30)))
        pairings.append(
            Pairing(
                organisation_id=h.organisation_id,
                org_path=h.org_path,
                hardship=h,
                helper_id=rng.choice(helpers),
                started_on=started,
                pledge_thought="每月谈心一次，鼓励树立信心",
                pledge_work=rng.choice(["介绍到本地企业务工", "提供种养技术指导", "帮助申请小额贷款发展生产"]),
                pledge_poverty="一年内家庭人均收入达到脱贫标准",
                status="closed" if h.status == "closed" else "active",
                closed_on=h.closed_on,
                outcome="帮扶对象脱困" if h.status == "closed" else "",
            )
        )
    # The updates are drawn before the pairings are written (in the model's order, as
    # a re-read would give them), so each pairing is written once with its last update.
    order = sorted(range(len(pairings)), key=lambda i: (pairings[i].org_path, -pairings[i].started_on.toordinal(), -i))
    updates = []
    for p in (pairings[i] for i in order):
        d = p.started_on
        last = None
        while True:
            d = d + datetime.timedelta(days=rng.randint(30, 110))
            if d > (p.closed_on or as_of):
                break
            updates.append(
                PairingUpdate(
                    pairing=p,
                    on=d,
                    content=rng.choice(["上门谈心，了解近况", "帮助联系务工", "送去种苗和技术资料"]),
                    recorded_by="系统（示范数据）",
                )
            )
            last = d
        p.last_update_on = last
    _bulk(Pairing, pairings)
    _bulk(PairingUpdate, updates)
    # 四必访 visits over the year: ~4% of members
    visits = []
    must = [occ[c] for c in ("illness", "hardship", "wavering", "wedding_funeral") if c in occ]
    for m in rng.sample(members, len(members) // 25):
        o = rng.choice(must)
        follow = rng.random() < 0.2
        visits.append(
            Visit(
                organisation_id=m["organisation_id"],
                org_path=m["org_path"],
                member_id=m["id"],
                occasion=o,
                visited_on=_day(rng, year_ago, as_of),
                visitors=rng.choice(VISITORS),
                content=rng.choice(CONTENT[o.code]),
                amount=Decimal(rng.choice([0, 200, 300, 500])),
                follow_up="协调办理医保报销" if follow else "",
                follow_up_done_on=as_of if follow and rng.random() < 0.6 else None,
                recorded_by="系统（示范数据）",
            )
        )
    _bulk(Visit, visits)
    # this year's seasonal checklists (the occasions already past) and the 七一 greeting
    stats = {"visits": len(visits), "hardships": len(hardships), "pairings": len(pairings)}
    for code in ("spring_festival", "july_first", "july_first_greeting"):
        o = occ.get(code)
        if o is None or (o.month or 1) > as_of.month:
            continue
        services.generate_checklist(root, o, as_of.year, actor=actor)
        listed = ChecklistItem.objects.filter(occasion=o, year=as_of.year, org_path__startswith=root.path)
        on = datetime.date(as_of.year, o.month or 1, 1)
        if o.kind == CareOccasion.Kind.GREETING:  # ~95% delivered: mark all, then unmark the rest (fewer ids)
            missed = [pk for pk in listed.values_list("pk", flat=True) if rng.random() >= 0.95]
            listed.update(done_on=datetime.date(as_of.year, 7, 1))
            ChecklistItem.objects.filter(pk__in=missed).update(done_on=None)
            continue
        items = list(listed.only("pk", "organisation_id", "org_path", "member_id"))
        seasonal = []
        chosen = [i for i in items if rng.random() < 0.85]
        for i in chosen:
            seasonal.append(
                Visit(
                    organisation_id=i.organisation_id,
                    org_path=i.org_path,
                    member_id=i.member_id,
                    occasion=o,
                    visited_on=_day(rng, on, min(as_of, on + datetime.timedelta(days=25))),
                    visitors=rng.choice(VISITORS),
                    content=rng.choice(CONTENT["seasonal"]),
                    amount=Decimal(rng.choice([300, 500, 800])),
                    recorded_by="系统（示范数据）",
                )
            )
        _bulk(Visit, seasonal)
        # each chosen item is done by the one visit of its member on this occasion this
        # year (as record_visit links them): one UPDATE with a correlated subquery
        visit = Visit.objects.filter(member_id=OuterRef("member_id"), occasion_id=o.pk, visited_on__gte=datetime.date(as_of.year, 1, 1))
        listed.filter(Exists(visit)).update(
            visit_id=Subquery(visit.order_by("pk").values("pk")[:1]), done_on=Subquery(visit.order_by("pk").values("visited_on")[:1])
        )
        stats[code] = len(items)
    # a mutual-aid fund for each township committee
    funds = []
    for org in Organisation.objects.filter(path__startswith=root.path, depth=root.depth + 1, org_type="committee")[:40]:
        funds.append(
            Fund(
                organisation=org,
                org_path=org.path,
                name=f"{org.short_name or org.name}党员互助基金",
                opened_on=as_of - datetime.timedelta(days=800),
            )
        )
    _bulk(Fund, funds)
    funds.sort(key=lambda f: (f.org_path, f.pk))  # the model's ordering, without a re-read
    open_hardships = [h for h in hardships if h.status == "open"]
    movements, applications = [], []
    for f in funds:
        balance = Decimal("0.00")
        entries = [("allocation", Decimal(rng.choice([20000, 30000, 50000])), f.opened_on, "县委组织部拨入")]
        entries += [("contribution", Decimal(rng.randint(20, 120) * 50), _day(rng, year_ago, as_of), "党员自愿捐助") for _ in range(3)]
        for kind, amount, on, who in sorted(entries, key=lambda e: e[2]):
            balance += amount
            movements.append(
                FundMovement(
                    organisation=f.organisation,
                    org_path=f.org_path,
                    fund=f,
                    kind=kind,
                    amount=amount,
                    on=on,
                    counterparty=who,
                    balance_after=balance,
                )
            )
        mine = [h for h in open_hardships if h.org_path.startswith(f.org_path)]
        for h in rng.sample(mine, min(len(mine), 3)):
            amount = Decimal(rng.choice([500, 800, 1000, 2000]))
            applied = _day(rng, year_ago, as_of - datetime.timedelta(days=10))
            paid = rng.random() < 0.7 and amount <= balance
            applications.append(
                (
                    f,
                    FundApplication(
                        organisation_id=h.organisation_id,
                        org_path=h.org_path,
                        fund=f,
                        fund_org_path=f.org_path,
                        member_id=h.member_id,
                        amount=amount,
                        reason=h.description,
                        applied_on=applied,
                        status="paid" if paid else "applied",
                        approved_amount=amount if paid else None,
                        decided_on=applied + datetime.timedelta(days=5) if paid else None,
                        meeting="党委会集体研究" if paid else "",
                        decided_by="系统（示范数据）" if paid else "",
                    ),
                )
            )
    _bulk(FundApplication, [a for _f, a in applications])
    names = dict(Member.objects.filter(pk__in=[a.member_id for _f, a in applications]).values_list("pk", "name"))
    for f, a in applications:
        if a.status != "paid":
            continue
        last = max((m for m in movements if m.fund_id == f.pk), key=lambda m: (m.on, id(m)))
        movements.append(
            FundMovement(
                organisation=f.organisation,
                org_path=f.org_path,
                fund=f,
                kind="payout",
                amount=a.approved_amount,
                on=a.decided_on,
                counterparty=names.get(a.member_id, ""),
                application=a,
                balance_after=last.balance_after - a.approved_amount,
            )
        )
    _recompute(movements)
    _bulk(FundMovement, movements)
    for f in funds:
        f.balance = (
            max((m for m in movements if m.fund_id == f.pk), key=lambda m: (m.on, m._seq)).balance_after
            if any(m.fund_id == f.pk for m in movements)
            else Decimal("0.00")
        )
    Fund.objects.bulk_update(funds, ["balance"])
    # last year's living subsidies, paid to the eligible list
    last_year = as_of.year - 1
    rows = selectors.eligible_for_subsidy(root, last_year)
    _bulk(
        SubsidyPayment,
        [
            SubsidyPayment(
                organisation_id=r.member.organisation_id,
                org_path=r.member.org_path,
                member=r.member,
                rate=r.rate,
                year=last_year,
                category=r.rate.category,
                amount=r.rate.amount,
                paid_on=datetime.date(last_year, 9, 28),
                recorded_by="系统（示范数据）",
            )
            for r in rows
        ],
    )
    stats.update(funds=len(funds), movements=len(movements), subsidies=len(rows))
    stats["commendations"] = _commendations(root, rng, as_of, members)
    stats["households"], stats["household_contacts"] = _households(rng, as_of, members)
    return stats


SITUATIONS = [
    ("春耕缺化肥", "联系农资站送货上门"),
    ("老人独居，行动不便", "帮助代购药品，联系村医上门"),
    ("孩子上学路远", "反映给村委会，协调校车接送"),
    ("询问医保报销", "讲解政策，帮助准备材料"),
    ("家中房屋漏雨", "组织党员帮助修缮"),
    ("了解生产生活情况，无特别困难", ""),
]


def _households(rng, as_of, members) -> tuple[int, int]:
    """党员联系户: about one member in twenty keeps one to three households (one in five
    of them a needy household paired for help), with a year of 民情日记 entries. The
    contacts are drawn first so each household is written once with its last contact."""
    from .models import Household, HouseholdContact

    households, diaries = [], []
    for m in rng.sample(members, max(1, len(members) // 20)):
        for i in range(rng.randint(1, 3)):
            needy = rng.random() < 0.2
            since = as_of - datetime.timedelta(days=rng.randint(200, 700))
            # some households with no contact for a quarter: the gaps list
            dates = sorted(_day(rng, max(since, as_of - datetime.timedelta(days=365)), as_of) for _ in range(rng.choice([0, 1, 2, 3, 4])))
            households.append(
                Household(
                    organisation_id=m["organisation_id"],
                    org_path=m["org_path"],
                    member_id=m["id"],
                    head_name=rng.choice("王李张刘陈杨黄赵吴周") + rng.choice("大小老") + rng.choice("山河林平安福贵"),
                    address=f"{rng.randint(1, 9)}组{m['id'] % 97 + 1}-{i + 1}号",
                    size=rng.randint(1, 6),
                    needy=needy,
                    needs=rng.choice(["缺劳力", "因病致贫，需要医疗救助", "子女上学费用困难"]) if needy else "",
                    since_on=since,
                    last_contact_on=dates[-1] if dates else None,
                    contact_count=len(dates),
                    recorded_by="系统（示范数据）",
                )
            )
            diaries.append(dates)
    Household.objects.bulk_create(households, batch_size=BATCH)  # ids come back on SQLite and PostgreSQL
    contacts = []
    for h, dates in zip(households, diaries, strict=True):
        for on in dates:
            situation, help_given = rng.choice(SITUATIONS)
            contacts.append(
                HouseholdContact(
                    household_id=h.pk,
                    on=on,
                    way=rng.choice(["visit", "visit", "phone"]),
                    situation=situation,
                    help_given=help_given,
                    by="联系党员",
                    recorded_by="系统（示范数据）",
                )
            )
    HouseholdContact.objects.bulk_create(contacts, batch_size=BATCH)
    return len(households), len(contacts)


def _commendations(root, rng, as_of, members) -> int:
    """Last year's 七一 commendations: excellent members and workers, advanced branches,
    approved after a five-working-day notice (dates as the service would set them)."""
    from apps.recruitment.engine import add_workdays

    from .models import CommendationKind, Nomination

    kinds = {k.code: k for k in CommendationKind.objects.all()}
    year = as_of.year - 1
    nominated = datetime.date(year, 6, 1)
    start = datetime.date(year, 6, 8)
    end = add_workdays(start, rules.NOTICE_WORKDAYS)
    rows = []
    common = dict(
        year=year, status="approved", nominated_on=nominated, notice_start=start, notice_end=end, decided_on=datetime.date(year, 6, 28)
    )
    for m in rng.sample(members, min(len(members) // 200 or 1, len(members))):
        k = kinds["excellent_member"] if rng.random() < 0.8 else kinds["excellent_worker"]
        rows.append(
            Nomination(
                organisation_id=m["organisation_id"],
                org_path=m["org_path"],
                kind=k,
                member_id=m["id"],
                deeds="带头发展产业，帮助群众增收",
                vetting=["资格审查通过"],
                decided_by="系统（示范数据）",
                **common,
            )
        )
    branches = list(Organisation.objects.filter(path__startswith=root.path, org_type="branch").values("pk", "path")[:2000])
    for b in rng.sample(branches, min(len(branches) // 25 or 1, len(branches))):
        rows.append(
            Nomination(
                organisation_id=b["pk"],
                org_path=b["path"],
                kind=kinds["advanced_org"],
                nominee_org_id=b["pk"],
                deeds="组织生活规范，服务群众成效明显",
                decided_by="系统（示范数据）",
                **common,
            )
        )
    _bulk(Nomination, rows)
    return len(rows)


def _recompute(movements):
    """Balances in date order per fund (payouts were appended after the income)."""
    by_fund: dict[int, list] = {}
    for seq, m in enumerate(movements):
        m._seq = seq
        by_fund.setdefault(m.fund_id, []).append(m)
    for rows in by_fund.values():
        rows.sort(key=lambda m: (m.on, m.kind == "payout", m._seq))
        balance = Decimal("0.00")
        for i, m in enumerate(rows):
            balance += -m.amount if m.kind == "payout" else m.amount
            m.balance_after = balance
            m._seq = i
