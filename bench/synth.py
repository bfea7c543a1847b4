"""A deterministic synthetic province for benchmarks (`manage.py synth_province`).

Shape: one province root (省委) → ~50 counties, each shaped like the seed county
(39 党委 / 42 党总支 / 744 党支部, 20,135 members) → ≈41,000 organisations for 1M members.
Member figures follow the seed report in proportion: 50.4% rural, 15.4% women, 27.7%
aged 35 and under, 55% with high school or above.

Every member is a real record: a valid, unique 身份证号 (apps.members.idnumber.compose,
one area code per county), Fernet-encrypted ID number and phone (apps.core.crypto — no
shared or fake ciphertexts), blind indexes, masked copies, pinyin keys, org_path and
categories; direct_member_count is set from the loaded rows at the end.

Speed: rows are generated in worker processes (one county per task) while the main
process streams the previous county into the database — COPY on PostgreSQL (with the
member tables' secondary indexes and foreign keys dropped during the load and rebuilt
afterwards), executemany in large transactions on SQLite (its secondary indexes are rebuilt after the
load too). The plaintext is fully
determined by --seed; the ciphertexts are not (Fernet uses a random IV), by design.

Dues (`--dues`, off by default): for every counted member, an income declaration and the
ledger lines of January–November of REF_DATE's year (DUES_MONTHS), priced by the dues rule
engine (apps.dues.rules.monthly_amount, categories and bases by occupation as the demo
builder draws them, apps.dues.demo._declaration); most lines paid (one payment per month,
a quarter of members paying Q1–Q3 quarterly), members in arrears as in the demo (3, 5 and
6–9 trailing months), November not yet paid by a few, mobile members mostly paying where
they stay; LedgerMonth rows per organisation and month; the DuesTally rows counted in the
workers as the lines are made (tests/bench/test_synth.py proves them equal to the app's own
`tally.rebuild`, which took 108 s at 200k members against the 2.2M lines). Generated in the
same workers as the members, loaded the same way.
"""

from __future__ import annotations

import datetime
import multiprocessing
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, connections, transaction

SEED_COUNTY = {"committee": 39, "general_branch": 42, "branch": 744, "members": 20135}
SEED_SHARES = {"rural": 0.504, "women": 0.154, "youth": 0.277, "high_school_or_above": 0.55}
MEMBERS_PER_COUNTY = 20_000
REF_DATE = datetime.date(2026, 1, 1)  # ages and dates are drawn relative to this fixed day
TIMESTAMP = "2026-01-01 00:00:00+00:00"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's (Organisation.alphabet)
STEPLEN = 4

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红德文海宁春燕金荣辉林斌鹏飞晓东云凤琴梅慧俊峰婷丹雪宇浩思佳子晨欣怡博凯瑞雨嘉颖鑫"
MINORITIES = ["畲族", "回族", "苗族", "壮族", "满族", "土家族"]
TOWN_COMMITTEES = 18  # of the 39 committees, the town (乡镇) committees own the village branches
SYSTEM_UNITS = [
    ("government", "县直机关工委"),
    ("public_institution", "卫生系统党委"),
    ("school", "教育系统党委"),
    ("state_enterprise", "国有企业党委"),
    ("non_public_enterprise", "非公有制经济组织党委"),
    ("social_organisation", "社会组织党委"),
    ("retired", "离退休干部党委"),
]
MEMBER_COLUMNS = (
    "id name name_pinyin name_initials sex ethnicity birth_date id_number_enc id_number_hash id_number_masked "
    "native_place education degree occupation work_unit job_post work_start_date phone_enc phone_hash phone_masked "
    "address application_date join_date conversion_date member_type status status_since lost_contact_reason "
    "increase_method org_path remarks created_at updated_at organisation_id party_group_id category_bits"
).split()
ORG_COLUMNS = (
    "id path depth numchild name short_name code org_type unit_type founded_on term_start term_end contact_person "
    "contact_phone address status dissolved_on direct_member_count updated_at"
).split()
CATEGORY_COLUMNS = ["code", "member_id"]
BULK_TABLES = ("members_member", "members_membercategory")
# Dues (--dues): January–November of REF_DATE's year, so that statistics taken in December
# of that year see eleven completed months (the current month is still payable).
DUES_YEAR = REF_DATE.year
DUES_MONTHS = 11
DUES_TABLES = ("dues_incomedeclaration", "dues_payment", "dues_duesline", "dues_paymentmonth", "dues_ledgermonth", "dues_duestally")


def segment(n: int) -> str:
    """The n-th (1-based) child's path step, exactly as treebeard numbers them."""
    digits = ""
    while True:
        n, r = divmod(n, len(ALPHABET))
        digits = ALPHABET[r] + digits
        if not n:
            break
    return digits.rjust(STEPLEN, "0")


@dataclass
class Org:
    id: int
    path: str
    org_type: str
    unit_type: str
    name: str
    code: str
    parent: Org | None = None
    children: list = field(default_factory=list)
    founded_on: datetime.date | None = None
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None

    def row(self):
        return (
            self.id,
            self.path,
            len(self.path) // STEPLEN,
            len(self.children),
            self.name,
            "",
            self.code,
            self.org_type,
            self.unit_type,
            self.founded_on,
            self.term_start,
            self.term_end,
            "",
            "",
            "",
            "active",
            None,
            0,
            TIMESTAMP,
        )


@dataclass
class CountyPlan:
    index: int
    area_code: str
    name: str
    first_member_id: int
    members: int
    # (org id, org path, unit name, is_village, size) for every member-holding organisation
    holders: list = field(default_factory=list)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split total over weights (largest remainder), deterministic."""
    if not weights:
        return []
    s = sum(weights)
    raw = [total * w / s for w in weights]
    sizes = [int(x) for x in raw]
    rest = total - sum(sizes)
    for i in sorted(range(len(raw)), key=lambda i: (sizes[i] - raw[i], i))[:rest]:
        sizes[i] += 1
    return sizes


def plan_province(members: int, counties: int, seed: int, first_org_id: int, first_member_id: int, root_path: str, code_prefix: str):
    """The organisation tree (a list of Org, parents first) and one CountyPlan per county."""
    rng = random.Random(f"province-{seed}")
    per_county = _allocate(members, [1.0 + 0.3 * rng.random() for _ in range(counties)])
    next_id = iter(range(first_org_id, first_org_id + 10**9))

    def add(parent, org_type, unit_type, name, code):
        path = root_path if parent is None else parent.path + segment(len(parent.children) + 1)
        founded = datetime.date(rng.randint(1950, 2015), rng.randint(1, 12), rng.randint(1, 28))
        years = 5 if org_type in ("county_committee", "committee") or unit_type in ("village", "community") else 3
        start = REF_DATE - datetime.timedelta(days=rng.randint(30, 365 * years + 200))
        org = Org(next(next_id), path, org_type, unit_type, name, code, parent, [], founded, start, _add_years(start, years))
        if parent is not None:
            parent.children.append(org)
        orgs.append(org)
        return org

    orgs: list[Org] = []
    root = add(None, "county_committee", "government", "中共合成省委员会", f"{code_prefix}P")
    root.term_start = root.term_end = None
    plans = []
    member_id = first_member_id
    for c in range(counties):
        crng = random.Random(f"county-{seed}-{c}")
        n_members = per_county[c]
        scale = min(1.0, n_members / SEED_COUNTY["members"])
        n_comm = max(1, round(SEED_COUNTY["committee"] * scale))
        n_gb = round(SEED_COUNTY["general_branch"] * scale)
        n_br = max(1, round(SEED_COUNTY["branch"] * scale))
        cname = f"合成{c + 1:02d}县"
        area = f"35{c // 9 + 1:02d}{c % 9 + 21:02d}"
        county = add(root, "county_committee", "government", f"中共{cname}委员会", f"{code_prefix}C{c:03d}")
        committees = []
        n_town = max(1, round(n_comm * TOWN_COMMITTEES / SEED_COUNTY["committee"]))
        for i in range(n_comm):
            if i < n_town:
                committees.append(add(county, "committee", "government", f"{cname}第{i + 1}镇党委", f"{code_prefix}C{c:03d}M{i:03d}"))
            else:
                unit, label = SYSTEM_UNITS[(i - n_town) % len(SYSTEM_UNITS)]
                committees.append(add(county, "committee", unit, f"{cname}{label}（{i + 1}）", f"{code_prefix}C{c:03d}M{i:03d}"))
        general = []
        for g in range(n_gb):
            parent = committees[(g * 7) % n_comm]
            unit = "community" if parent.unit_type == "government" and g % 2 else parent.unit_type
            if parent.unit_type == "government" and committees.index(parent) >= n_town:
                unit = "government"
            general.append(add(parent, "general_branch", unit, f"{parent.name}第{g + 1}党总支", f"{code_prefix}C{c:03d}G{g:03d}"))
        branches = []
        under_general = min(n_br // 6, 3 * n_gb)  # ≈126 of 744 sit under a general branch
        for b in range(n_br):
            parent = general[b % n_gb] if b < under_general else committees[b % n_comm]
            town = (
                parent.unit_type == "government" and committees.index(parent if parent.org_type == "committee" else parent.parent) < n_town
            )
            if town:
                unit = "village" if crng.random() < 0.8 else "community"
            else:
                unit = parent.unit_type
            kind = "村" if unit == "village" else "社区" if unit == "community" else ""
            branches.append(add(parent, "branch", unit, f"{parent.name}{kind}第{b + 1}党支部", f"{code_prefix}C{c:03d}B{b:04d}"))
        # Members: 50.4% in village branches (the seed county's rural share), the rest elsewhere.
        village = [b for b in branches if b.unit_type == "village"]
        other = [b for b in branches if b.unit_type != "village"] or branches
        n_rural = round(n_members * SEED_SHARES["rural"]) if village else 0
        plan = CountyPlan(c, area, cname, member_id, n_members)
        for group, total in ((village, n_rural), (other, n_members - n_rural)):
            sizes = _allocate(total, [crng.lognormvariate(0, 0.5) for _ in group])
            for b, size in zip(group, sizes, strict=True):
                if size:
                    plan.holders.append((b.id, b.path, b.parent.name, b.unit_type, size))
        member_id += n_members
        plans.append(plan)
    return orgs, plans


def _add_years(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


# ---------------------------------------------------------------- member rows (workers)
_OCC_BY_UNIT = {
    "village": ["farmer"] * 8 + ["other", "retired"],
    "community": ["other", "retired", "retired", "skilled_worker", "manager"],
    "government": ["civil_servant"] * 6 + ["manager", "retired"],
    "public_institution": ["professional"] * 6 + ["manager", "retired"],
    "school": ["professional"] * 5 + ["student", "student", "retired"],
    "state_enterprise": ["skilled_worker", "skilled_worker", "manager", "professional", "retired"],
    "non_public_enterprise": ["skilled_worker", "skilled_worker", "manager", "professional"],
    "social_organisation": ["other", "professional", "manager"],
    "retired": ["retired"],
}
_EDU_HIGH = ["postgraduate"] + ["bachelor"] * 6 + ["college"] * 6 + ["secondary_vocational"] * 3 + ["high_school"] * 4
_STATUSES = [("normal", 0.962), ("mobile", 0.02), ("lost_contact", 0.004), ("suspended", 0.001), ("deceased", 0.01), ("withdrawn", 0.003)]


def _pick_status(r: float) -> str:
    for code, p in _STATUSES:
        if r < p:
            return code
        r -= p
    return "normal"


_PINYIN: dict[str, tuple[str, str]] = {}  # names repeat: pinyin keys cached per process
_POOLS: dict[int, list[str]] = {}
NAME_POOL = 40_000


def name_pool(seed: int) -> list[str]:
    """The province's given names: real populations repeat names, so a fixed pool."""
    if seed not in _POOLS:
        rng = random.Random(f"names-{seed}")
        _POOLS[seed] = sorted(
            {rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "") for _ in range(NAME_POOL)}
        )
    return _POOLS[seed]


def generate_county(plan: CountyPlan, seed: int, text: bool, dues_first_payment: int | None = None):
    """All member and category rows of one county. text=True: PostgreSQL COPY text format.
    With dues_first_payment (the county's first Payment id): a fourth item, the dues rows
    ({table: rows}, generate_dues)."""
    from apps.core import crypto
    from apps.core.pinyin import pinyin_keys
    from apps.members import codes
    from apps.members.idnumber import compose

    rng = random.Random(f"members-{seed}-{plan.index}")
    pool = name_pool(seed)
    used_births: dict[datetime.date, int] = {}
    members = []
    categories = []
    mid = plan.first_member_id
    for org_id, org_path, unit_name, unit_type, size in plan.holders:
        for _ in range(size):
            r = rng.random
            sex = "F" if r() < SEED_SHARES["women"] else "M"
            age = rng.randint(20, 35) if r() < SEED_SHARES["youth"] else min(95, 36 + int(rng.expovariate(1 / 16)))
            birth = REF_DATE - datetime.timedelta(days=365 * age + rng.randint(1, 364))
            seq = used_births.get(birth, 0)
            while seq >= 500:  # at most 500 numbers per (area, birth day, sex parity): next day
                birth -= datetime.timedelta(days=1)
                seq = used_births.get(birth, 0)
            used_births[birth] = seq + 1
            id_number = compose(plan.area_code, birth, seq, sex)
            name = pool[int(r() * len(pool))]
            keys = _PINYIN.get(name)
            if keys is None:
                keys = _PINYIN[name] = pinyin_keys(name)
            phone = f"1{3 + mid % 6}{mid % 10}{mid:08d}"[-11:]
            high = r() < SEED_SHARES["high_school_or_above"]
            education = rng.choice(_EDU_HIGH) if high else "junior_or_below"
            occupation = rng.choice(_OCC_BY_UNIT.get(unit_type, ["other"]))
            if age >= 60 and occupation not in ("retired", "farmer"):
                occupation = "retired"
            adult = _add_years(birth, 18)
            probationary = r() < 0.03
            if probationary:
                join = REF_DATE - datetime.timedelta(days=rng.randint(10, 360))
                conversion = None
            else:
                span = max(1, (REF_DATE - adult).days - 400)
                join = adult + datetime.timedelta(days=rng.randint(0, span))
                conversion = _add_years(join, 1)
            application = join - datetime.timedelta(days=rng.randint(400, 1500))
            status = _pick_status(r())
            status_since = join if status == "normal" else REF_DATE - datetime.timedelta(days=rng.randint(1, 900))
            members.append(
                (
                    mid,
                    name,
                    keys[0],
                    keys[1],
                    sex,
                    "汉族" if r() < 0.97 else rng.choice(MINORITIES),
                    birth,
                    crypto.encrypt(id_number),
                    crypto.blind_index(id_number),
                    crypto.mask_id_number(id_number),
                    plan.name,
                    education,
                    "bachelor" if education == "bachelor" and r() < 0.6 else "",
                    occupation,
                    unit_name,
                    "",
                    _add_years(birth, 19) if occupation not in ("farmer", "student") else None,
                    crypto.encrypt(phone),
                    crypto.blind_index(phone),
                    crypto.mask_phone(phone),
                    "",
                    application,
                    join,
                    conversion,
                    "probationary" if probationary else "full",
                    status,
                    status_since,
                    "migrant_work" if status == "lost_contact" else "",
                    "developed" if r() < 0.9 else "other",
                    org_path,
                    "",
                    TIMESTAMP,
                    TIMESTAMP,
                    org_id,
                    None,
                )
            )
            cats = []
            if unit_type == "village":
                cats.append("rural")
                if r() < 0.3:
                    cats.append("no_post")
            if occupation == "retired":
                cats.append("retired")
            if status == "mobile":
                cats.append("mobile")
            if unit_type == "non_public_enterprise":
                cats.append("non_public")
            if occupation == "student":
                cats.append("student")
            if r() < 0.02:
                cats.append("hardship")
            if join.year < 1949:
                cats.append("pre_1949")
            categories.extend((code, mid) for code in cats)
            members[-1] += (codes.category_bits(cats),)
            mid += 1
    dues = generate_dues(plan, seed, members, dues_first_payment) if dues_first_payment is not None else None
    if text:
        out = _copy_text(members), _copy_text(categories), len(members)
        dues = dues and {table: _copy_text(rows) for table, rows in dues.items()}
    else:
        out = members, categories, len(members)
    return out if dues is None else (*out, dues)


# ---------------------------------------------------------------- dues rows (workers)
_M = {name: i for i, name in enumerate(MEMBER_COLUMNS)}
PAYMENT_EXTRA = ("warning", "note", "recorded_at")
LEDGER_MONTH_COLUMNS = ("organisation_id", "org_path", "month", "line_count", "generated_by", "generated_at")
TALLY_COLUMNS = ("organisation_id", "org_path", "month", "lines", "settled", "expected", "collected")
# Shares of members in arrears, as the demo county has them (apps.dues.demo): trailing runs
# of 3, 5 and 6–9 unpaid months up to November; lost-contact members pay nothing.
ARREARS_SHARES = ((1 / 150, 3), (1 / 300, 5), (1 / 400, None))
QUARTERLY_SHARE = 0.25  # pay Q1–Q3 by the quarter with the branch's consent (then monthly)
LATE_SHARE = 0.04  # November not yet paid
ELSEWHERE_SHARE = 0.6  # of mobile members: pay where they stay (流入地缴纳)
ZERO = Decimal("0.00")


def dues_columns():
    from apps.dues import demo

    return {
        "dues_incomedeclaration": (*demo.DECLARATION_COLUMNS, "created_at"),
        "dues_payment": (*demo.PAYMENT_COLUMNS, *PAYMENT_EXTRA),
        "dues_duesline": demo.LINE_COLUMNS,
        "dues_paymentmonth": demo.PAYMENT_MONTH_COLUMNS,
        "dues_ledgermonth": LEDGER_MONTH_COLUMNS,
        "dues_duestally": TALLY_COLUMNS,
    }


def dues_months() -> list[datetime.date]:
    return [datetime.date(DUES_YEAR, m, 1) for m in range(1, DUES_MONTHS + 1)]


def generate_dues(plan: CountyPlan, seed: int, members: list[tuple], first_payment: int) -> dict[str, list[tuple]]:
    """The dues rows of one county's counted members ({table: rows}, dues_columns' order).
    Payment ids run from first_payment (at most DUES_MONTHS per member of the county)."""
    from apps.dues import demo, rules
    from apps.dues import months as mo
    from apps.dues.models import DuesLine
    from apps.members import codes

    rng = random.Random(f"dues-{seed}-{plan.index}")
    window = dues_months()
    last = len(window) - 1
    counted = set(codes.COUNTED_STATUSES)
    paid_s, unpaid_s, elsewhere_s = (str(s) for s in (DuesLine.Status.PAID, DuesLine.Status.UNPAID, DuesLine.Status.PAID_ELSEWHERE))
    declared_on = window[0] + datetime.timedelta(days=9)
    declarations, payments, lines, pay_months = [], [], [], []
    per_org: dict[tuple[int, str], int] = {}
    # the monthly tallies (apps.dues.tally), counted as the rows are made: {(org, path, month): [lines, settled, expected, collected]}
    tallies: dict[tuple[int, str, datetime.date], list] = {}
    pid = first_payment
    for row in members:
        status = row[_M["status"]]
        if status not in counted:
            continue
        mid, org_id, path = row[_M["id"]], row[_M["organisation_id"]], row[_M["org_path"]]
        category, base, fixed = demo._declaration({"occupation": row[_M["occupation"]]}, rng)
        rate, amount = rules.monthly_amount(category, base, window[0], fixed_amount=fixed)
        declarations.append((mid, org_id, path, category, base, fixed, window[0], declared_on, "", "synth", TIMESTAMP))
        key = (org_id, path)
        per_org[key] = per_org.get(key, 0) + 1
        u, run, acc = rng.random(), 0, 0.0
        for share, months in ARREARS_SHARES:
            acc += share
            if u < acc:
                run = months or rng.randint(6, 9)
                break
        if status == "lost_contact":
            run = DUES_MONTHS
        first_unpaid = DUES_MONTHS - run  # months from this index on are unpaid
        elsewhere = rng.choice(demo.ELSEWHERE) if status == "mobile" and rng.random() < ELSEWHERE_SHARE else ""
        quarterly = rng.random() < QUARTERLY_SHARE
        late = rng.random() < LATE_SHARE
        quarter_payment = None
        for i, month in enumerate(window):
            line_status, paid_on, payment_id = unpaid_s, None, None
            t = tallies.get((org_id, path, month))
            if t is None:
                t = tallies[(org_id, path, month)] = [0, 0, ZERO, ZERO]
            if elsewhere:
                line_status = elsewhere_s
            elif i >= first_unpaid or (i == last and late):
                pass  # in arrears, or not yet paid
            elif quarterly and i < 9 and first_unpaid >= (i // 3 + 1) * 3:
                if i % 3 == 0:
                    paid_on = month + datetime.timedelta(days=rng.randint(0, 20))
                    quarter_payment = (pid, paid_on)
                    t[3] += amount * 3
                    payments.append(
                        (
                            pid,
                            mid,
                            org_id,
                            path,
                            amount * 3,
                            paid_on,
                            "quarterly",
                            True,
                            "self",
                            "",
                            rng.choice(("cash", "wechat", "bank_transfer")),
                            month,
                            mo.shift(month, 2),
                            3,
                            "",
                            "",
                            TIMESTAMP,
                        )
                    )
                    pid += 1
                payment_id, paid_on = quarter_payment
                line_status = paid_s
            else:
                paid_on = month + datetime.timedelta(days=rng.randint(0, 24))
                proxy = rng.random() < 0.06
                payments.append(
                    (
                        pid,
                        mid,
                        org_id,
                        path,
                        amount,
                        paid_on,
                        "monthly",
                        False,
                        "proxy" if proxy else "self",
                        rng.choice(("李秀英", "王建国", "陈美华", "张志强")) if proxy else "",
                        rng.choice(("cash", "cash", "wechat", "alipay", "bank_transfer")),
                        month,
                        month,
                        1,
                        "",
                        "",
                        TIMESTAMP,
                    )
                )
                payment_id, pid = pid, pid + 1
                line_status = paid_s
                t[3] += amount
            if payment_id is not None:
                pay_months.append((payment_id, mid, month, amount))
            # every payment is dated in the month it pays first (paid_on ≤ the 25th): its
            # tally month is that month, as tally.rebuild groups payments by paid_on
            t[0] += 1
            if line_status != unpaid_s:
                t[1] += 1
            if not elsewhere:
                t[2] += amount
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
                    amount,
                    line_status,
                    None,
                    bool(elsewhere),
                    elsewhere,
                    paid_on,
                    payment_id,
                )
            )
    assert pid - first_payment <= DUES_MONTHS * plan.members
    ledger = [(org, path, month, n, "synth", TIMESTAMP) for (org, path), n in per_org.items() for month in window]
    return {
        "dues_incomedeclaration": declarations,
        "dues_payment": payments,
        "dues_duesline": lines,
        "dues_paymentmonth": pay_months,
        "dues_ledgermonth": ledger,
        "dues_duestally": [(org, path, month, *figures) for (org, path, month), figures in tallies.items()],
    }


def _copy_text(rows) -> str:
    # No value contains a tab, newline or backslash (names, codes, dates, base64 tokens).
    return "".join("\t".join("\\N" if v is None else str(v) for v in row) + "\n" for row in rows)


def _worker(args):
    plan, seed, text, dues_first_payment = args
    return generate_county(plan, seed, text, dues_first_payment)


# ---------------------------------------------------------------- loading
def _pg_secondary_objects(cursor, table: str):
    """(indexes, foreign keys) that are safe to drop during a bulk load and rebuild after."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [table])
    fks = cursor.fetchall()
    return indexes, fks


class Timer:
    def __init__(self, out):
        self.out = out
        self.phases: dict[str, float] = {}

    def phase(self, name):
        timer = self

        class _Ctx:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                timer.phases[name] = round(time.perf_counter() - self.t, 2)
                timer.out(f"  {name}: {timer.phases[name]:.2f} s")

        return _Ctx()


def build_province(
    members: int,
    counties: int | None = None,
    seed: int = 1,
    *,
    workers: int = 2,
    rebuild_indexes: bool | None = None,
    reset: bool = False,
    dues: bool = False,
    out=print,
) -> dict:
    """Load the province; returns {"root_id", "root_path", "organisations", "members", "phases"}
    (with dues=True also "dues": row counts per table)."""
    from apps.dues.models import DuesLine, DuesTally, IncomeDeclaration, LedgerMonth, Payment, PaymentMonth
    from apps.members.models import Member, MemberCategory
    from apps.orgs.models import Organisation

    if members < 1:
        raise ValueError("--members 必须为正整数")
    counties = counties or max(1, round(members / MEMBERS_PER_COUNTY))
    counties = max(1, min(counties, members))
    pg = connection.vendor == "postgresql"
    rebuild_indexes = members >= 50_000 if rebuild_indexes is None else rebuild_indexes
    timer = Timer(out)
    started = time.perf_counter()
    out(f"合成省：{members} 名党员，{counties} 个县，seed={seed}，数据库 {connection.vendor}" + ("，含党费" if dues else ""))

    if reset:
        with timer.phase("reset"):
            _reset(pg)

    with timer.phase("plan organisations"):
        first_org = (Organisation.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        first_member = (Member.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        last_root = Organisation.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
        root_index = (int(last_root, 36) + 1) if last_root else 1
        prefix = f"S{seed}R{root_index}"
        orgs, plans = plan_province(members, counties, seed, first_org, first_member, segment(root_index), prefix)
        first_payment = (Payment.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    with timer.phase("insert organisations"):
        _insert(pg, "orgs_organisation", ORG_COLUMNS, [o.row() for o in orgs], text=False)

    dropped = ([], [])
    bulk_tables = BULK_TABLES + (DUES_TABLES if dues else ())
    dues_rows = dict.fromkeys(DUES_TABLES, 0) if dues else None
    if rebuild_indexes:
        with timer.phase("drop secondary indexes"):
            dropped = _drop_secondary(bulk_tables)

    try:
        with timer.phase("generate + load members" + (" and dues" if dues else "")):
            text = pg
            tasks = [(p, seed, text, first_payment + (p.first_member_id - first_member) * DUES_MONTHS if dues else None) for p in plans]
            loaded = 0
            if workers > 1 and len(plans) > 1:
                if not connection.in_atomic_block:
                    connections.close_all()  # never share a live connection with forked workers (they never use it)
                ctx = multiprocessing.get_context("fork")
                with ctx.Pool(workers) as pool:
                    for m_rows, c_rows, n, *d_rows in pool.imap(_worker, tasks):
                        _load_county(pg, m_rows, c_rows, d_rows, dues_rows)
                        loaded += n
                        _progress(out, loaded, members)
            else:
                for task in tasks:
                    m_rows, c_rows, n, *d_rows = _worker(task)
                    _load_county(pg, m_rows, c_rows, d_rows, dues_rows)
                    loaded += n
                    _progress(out, loaded, members)
    finally:
        if rebuild_indexes:
            with timer.phase("rebuild indexes and foreign keys"):
                _restore_secondary(*dropped)

    root = orgs[0]
    with timer.phase("direct_member_count + sequences"):
        _set_counts(root.path)
        with connection.cursor() as cursor:
            models = [Organisation, Member, MemberCategory] + (
                [IncomeDeclaration, Payment, DuesLine, PaymentMonth, LedgerMonth, DuesTally] if dues else []
            )
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)

    if dues:
        from apps.dues import standing

        with timer.phase("arrears standing"):
            standing.rebuild()  # every member's run of unpaid months (apps.dues.standing)

    with timer.phase("analyze"):
        with connection.cursor() as cursor:
            if pg and not connection.in_atomic_block:
                for table in ("orgs_organisation", *bulk_tables):
                    cursor.execute(f"VACUUM (ANALYZE) {table}")  # also sets the visibility map: index-only counts
            else:
                cursor.execute("ANALYZE")
    total = round(time.perf_counter() - started, 2)
    if dues:
        out("党费：" + "，".join(f"{table} {n}" for table, n in dues_rows.items()))
    out(f"完成：{len(orgs)} 个党组织，{members} 名党员，用时 {total:.1f} 秒")
    return {
        "root_id": root.id,
        "root_path": root.path,
        "organisations": len(orgs),
        "members": members,
        "dues": dues_rows,
        "counties": counties,
        "seed": seed,
        "phases": timer.phases,
        "total_seconds": total,
        "vendor": connection.vendor,
        "county_ids": [o.id for o in orgs if o.org_type == "county_committee" and o.parent is root],
    }


def _progress(out, loaded, total):
    if total >= 100_000:
        out(f"    {loaded}/{total}")


def _reset(pg: bool):
    """Empty the organisation/member tables and everything hanging off them (bench databases only)."""
    from django.apps import apps

    from apps.orgs.models import Organisation

    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks may block TRUNCATE
            cursor.execute(f"TRUNCATE {Organisation._meta.db_table} RESTART IDENTITY CASCADE")
            cursor.execute("DELETE FROM dues_arrearsstandingbuild")  # no foreign key: not in the cascade
            return
        # SQLite: delete the dependants first (foreign keys are enforced).
        tables = [m._meta.db_table for m in apps.get_models() if m._meta.app_label in ("members", "orgs")]
        others = ["accounts_roleassignment"]
        cursor.execute("UPDATE accounts_user SET member_id = NULL")
        for table in [
            *others,
            # the dues tables hang off members and organisations (--dues), dependants first
            "dues_paymentmonth",
            "dues_arrearsstanding",
            "dues_arrearsstandingbuild",
            "dues_duesline",
            "dues_payment",
            "dues_reduction",
            "dues_arrearscase",
            "dues_voluntarypayment",
            "dues_incomedeclaration",
            "dues_collection",
            "dues_annualremittance",
            "dues_duestally",
            "dues_ledgermonth",
            "members_membercategory",
            "members_memberstatuschange",
            "members_membertransferhistory",
            "orgs_committeemember",
        ]:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM members_member")
        cursor.execute("DELETE FROM orgs_organisation")
        del tables


def _insert(pg: bool, table: str, columns, rows, text: bool):
    if not rows:
        return
    cols = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if pg:
            raw = cursor.cursor  # the psycopg cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                if text:
                    copy.write(rows)
                else:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def _load_county(pg: bool, member_rows, category_rows, dues=(), counts=None):
    _insert(pg, "members_member", MEMBER_COLUMNS, member_rows, text=pg)
    _insert(pg, "members_membercategory", CATEGORY_COLUMNS, category_rows, text=pg)
    if dues:
        columns = dues_columns()
        for table in DUES_TABLES:  # payments before the lines and months that refer to them
            rows = dues[0][table]
            _insert(pg, table, columns[table], rows, text=pg)
            counts[table] += rows.count("\n") if pg else len(rows)


def _drop_secondary(tables):
    """Drop the secondary indexes (and on PostgreSQL the foreign keys) of the bulk tables;
    returns what to recreate. Indexes backing a primary key or unique constraint stay."""
    indexes, fks = [], []
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                idx, fk = _pg_secondary_objects(cursor, table)
            else:
                # sql IS NULL: the automatic index of a PRIMARY KEY/UNIQUE constraint
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [table])
                idx, fk = cursor.fetchall(), []
            indexes += [(table, name, sql) for name, sql in idx]
            fks += [(table, name, sql) for name, sql in fk]
        for table, name, _sql in fks:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _table, name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return indexes, fks


def _restore_secondary(indexes, fks):
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for _table, _name, sql in indexes:
            cursor.execute(sql)
        for table, name, sql in fks:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}')
        if pg:
            cursor.execute("RESET maintenance_work_mem")


def _set_counts(root_path: str):
    """direct_member_count of every organisation of the province, from the loaded rows."""
    from apps.members import codes

    statuses = ", ".join(f"'{s}'" for s in codes.COUNTED_STATUSES)
    with transaction.atomic(), connection.cursor() as cursor:
        # One grouped pass over the members, then one join update (UPDATE … FROM works on
        # PostgreSQL and SQLite ≥ 3.33).
        cursor.execute(
            "UPDATE orgs_organisation SET direct_member_count = c.n FROM ("
            f" SELECT organisation_id, COUNT(*) AS n FROM members_member WHERE org_path LIKE %s AND status IN ({statuses})"
            " GROUP BY organisation_id) AS c WHERE orgs_organisation.id = c.organisation_id",
            [root_path + "%"],
        )
