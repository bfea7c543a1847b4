"""The synthetic demo county (示范县): a deterministic organisation tree and member
registry that reproduces the seed report's figures exactly (domain-rules §9):

    825 grassroots organisations (39 党委, 42 党总支, 744 党支部), 20,135 members,
    rural 10,150, women 3,107, aged 35 or under 5,583, 高中 or above 11,069.

Two phases:
  * `plan_county(seed, as_of)` is pure Python (no database): it draws the tree and every
    member record from `random.Random(seed)`. Same seed and as-of date → same data.
    Figures with an exact target are drawn as "exactly K of N" by weighted sampling
    without replacement, so the totals hold for every seed and every as-of date
    (ages are computed relative to `as_of`).
  * `write_county(plan)` bulk-inserts it: organisation paths are computed here (no
    treebeard add_child per node), members are encrypted/indexed here (no create_member
    per record: 20k service calls would take minutes), then the per-organisation
    counters are recomputed with members.services.recount_members().

The bulk load writes ONE ChangeLog summary entry (on the county root) instead of one
per record: it is a synthetic data load by the system, not a user's change.

After the base county, `build_demo_county` calls every demo builder that the apps
registered (apps.core.registry.demo: `populate(root_org, rng, as_of)`), in their order,
so later domains add their data (activists, development files, dues, accounts …).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.core import crypto
from apps.core.dates import add_years
from apps.core.pinyin import NameKeys, name_keys

from . import codes, idnumber

AREA_CODE = "350525"
ROOT_CODE = "3505250000"
COUNTY_NAME = "中共示范县委员会"
COUNTY_SHORT = "示范县委"
COUNTY_PLACE = "示范县"

# The seed report's acceptance table (domain-rules §9).
TARGETS = {
    "committee": 39,
    "general_branch": 42,
    "branch": 744,  # 党支部 incl. 联合党支部 / 临时党支部
    "members": 20135,
    "rural": 10150,
    "women": 3107,
    "aged_35_or_under": 5583,
    "high_school_or_above": 11069,
}
# Records outside the counted statuses (deceased, suspended): present in the registry,
# absent from the statistics, so the demo shows the difference.
EXTRA_UNCOUNTED = (("deceased", 12), ("suspended", 3))
# ID order codes (idnumber.compose's sequence) 400–499 are never used by the base county:
# extension modules (applicants, activists …) take theirs from extension_id_number().
EXTENSION_SEQUENCE_START = 400
PROBATIONARY = 118
MOBILE = 260
LOST_CONTACT = 45
PRE_1949 = 9
MINORITY_SHARE = 0.012

TOWNSHIPS = [
    "城关镇",
    "东山镇",
    "西岭镇",
    "南溪镇",
    "北坑镇",
    "清水镇",
    "石桥镇",
    "龙湖镇",
    "凤山镇",
    "金峰镇",
    "玉泉镇",
    "湖洋镇",
    "溪口镇",
    "高阳镇",
    "马头镇",
    "云台镇",
    "桃林乡",
    "梅岭乡",
    "白云乡",
    "青峰乡",
    "横口乡",
    "下坪乡",
]
# Communities per township (towns only).
COMMUNITIES = {
    "城关镇": 6,
    "东山镇": 2,
    "西岭镇": 2,
    "南溪镇": 2,
    "石桥镇": 2,
    "龙湖镇": 2,
    "湖洋镇": 2,
    "溪口镇": 2,
    "金峰镇": 1,
    "玉泉镇": 1,
}
COMMUNITY_WORDS = "城东 城西 城南 城北 中山 解放 人民 新华 建设 和平 民主 光明 幸福 文化 滨江 桃源 锦绣 龙津 凤凰 金桥 翠屏 育才 康宁 振兴 南门 北门".split()
VILLAGE_A = "东西南北上下前后新大小石林梅竹桂丰福安兴和平长金玉龙凤桃湖溪洋岭美吉仙云白青高半蓬锦"
VILLAGE_B = "坑溪洋山头田岭垵厝埔坂湖美峰口林园坪岩亭洞尾墘寮湾塘桥溪格畲"
ORDINALS = "一二三四五六七八九十"

FIRMS_A = "鑫源 恒达 金峰 华兴 永丰 宏发 德顺 福临 瑞祥 泰和 佳美 汇通 盛世 晨光 绿源 山海 卓越 天成 联发 润泽 嘉禾 百川 合力 新锐 东升 明辉 荣昌 隆盛 安泰 信诚".split()
FIRMS_B = "茶业 陶瓷 机械制造 食品 纺织 建材 电子科技 物流 竹木制品 香业 农业开发 医药 家居 包装 生物科技 服装 五金 新材料".split()

SURNAMES = (
    "陈林黄郑李王张吴刘蔡杨许周颜洪苏谢徐曾何郭余卢潘姚康庄邱方施叶朱廖詹赖罗高胡孙马梁宋唐韩冯邓曹彭肖田董袁蒋"
    "傅沈吕魏程丁钟严尤汪范金石姜戴夏江温尹易薛杜连骆游柯涂官留"
)
# Rough frequency weights (south-east county): the first surnames dominate.
SURNAME_WEIGHTS = [max(1.0, 40.0 / (i + 1) ** 0.9) for i in range(len(SURNAMES))]
GIVEN_M = "伟强军勇杰涛明超刚平辉鹏华建国志文斌波宇浩峰磊海林俊荣新忠龙德清福金水永春源发顺财生成兴东智睿晨鑫宏锦良泉坤"
GIVEN_F = "芳娜敏静丽艳娟秀霞桂英玉兰萍红燕梅琳婷雪慧晶莉凤珍月琴华美佳颖欣怡雅蓉碧素淑惠清玲"
MINORITIES = [("畲族", 50), ("回族", 20), ("苗族", 10), ("土家族", 8), ("壮族", 7), ("满族", 5)]

# Branch size ranges (members) by kind of branch; adjusted so totals hit the targets.
SIZE_RANGES = {
    "village": (8, 50),
    "community": (15, 48),
    "office": (8, 40),
    "police": (8, 30),
    "bank": (5, 20),
    "retired": (25, 50),
    "school": (12, 48),
    "hospital": (20, 48),
    "clinic": (10, 30),
    "station": (5, 20),
    "enterprise": (3, 30),
    "joint": (3, 15),
    "social": (3, 15),
}
# Founding year ranges by kind.
FOUNDED = {
    "county": (1949, 1950),
    "committee": (1950, 1995),
    "village": (1950, 1985),
    "community": (1985, 2015),
    "office": (1955, 2000),
    "police": (1960, 2000),
    "bank": (1985, 2010),
    "retired": (1990, 2010),
    "school": (1960, 2005),
    "hospital": (1955, 1995),
    "clinic": (1965, 2000),
    "station": (1970, 2005),
    "enterprise": (2000, 2022),
    "joint": (2008, 2023),
    "social": (2010, 2023),
}

# Women: relative weight by unit type (weighted sampling of exactly TARGETS["women"]).
WOMEN_WEIGHT = {
    "village": 0.55,
    "community": 2.0,
    "school": 2.6,
    "public_institution": 2.4,
    "government": 1.2,
    "state_enterprise": 1.0,
    "non_public_enterprise": 1.1,
    "social_organisation": 1.8,
    "retired": 0.9,
    "other": 1.0,
}
YOUNG_WEIGHT = {
    "village": 0.45,
    "community": 0.7,
    "school": 1.6,
    "public_institution": 1.5,
    "government": 1.4,
    "state_enterprise": 1.6,
    "non_public_enterprise": 2.2,
    "social_organisation": 1.8,
    "retired": 0.0,
    "other": 1.0,
}
EDUCATED_WEIGHT = {
    "village": 0.35,
    "community": 1.1,
    "school": 9.0,
    "public_institution": 7.0,
    "government": 8.0,
    "state_enterprise": 2.5,
    "non_public_enterprise": 1.6,
    "social_organisation": 2.5,
    "retired": 1.2,
    "other": 1.0,
}
# Education detail among 高中 or above, by unit type: (code, weight).
EDUCATION_MIX = {
    "village": [("high_school", 50), ("secondary_vocational", 25), ("college", 20), ("bachelor", 5)],
    "community": [("high_school", 35), ("secondary_vocational", 20), ("college", 30), ("bachelor", 15)],
    "school": [("postgraduate", 6), ("bachelor", 62), ("college", 27), ("secondary_vocational", 5)],
    "public_institution": [("postgraduate", 5), ("bachelor", 50), ("college", 30), ("secondary_vocational", 10), ("high_school", 5)],
    "government": [("postgraduate", 8), ("bachelor", 62), ("college", 22), ("high_school", 5), ("secondary_vocational", 3)],
    "state_enterprise": [("bachelor", 30), ("college", 35), ("secondary_vocational", 15), ("high_school", 20)],
    "non_public_enterprise": [("bachelor", 20), ("college", 35), ("secondary_vocational", 20), ("high_school", 25)],
    "social_organisation": [("postgraduate", 5), ("bachelor", 45), ("college", 30), ("high_school", 20)],
    "retired": [("bachelor", 15), ("college", 30), ("secondary_vocational", 25), ("high_school", 30)],
    "other": [("college", 40), ("high_school", 60)],
}
# Occupation by unit type for working-age members: (code, weight).
OCCUPATION_MIX = {
    "village": [("farmer", 86), ("other", 6), ("skilled_worker", 4), ("manager", 3), ("professional", 1)],
    "community": [("other", 40), ("skilled_worker", 20), ("manager", 15), ("professional", 10), ("retired", 15)],
    "school": [("professional", 86), ("manager", 10), ("skilled_worker", 4)],
    "public_institution": [("professional", 70), ("manager", 17), ("skilled_worker", 13)],
    "government": [("civil_servant", 88), ("skilled_worker", 7), ("professional", 5)],
    "state_enterprise": [("skilled_worker", 45), ("manager", 30), ("professional", 25)],
    "non_public_enterprise": [("skilled_worker", 52), ("manager", 28), ("professional", 20)],
    "social_organisation": [("professional", 50), ("other", 30), ("manager", 20)],
    "retired": [("retired", 100)],
    "other": [("other", 100)],
}
# Ages of members over 35 by unit type: (lowest, highest, mode).
OLDER_AGES = {
    "village": (36, 92, 58),
    "community": (36, 88, 55),
    "retired": (56, 94, 70),
}
WORKING_OLDER = (36, 60, 47)


# --------------------------------------------------------------------------- plan


@dataclass
class OrgSpec:
    index: int
    parent: int | None
    name: str
    org_type: str
    unit_type: str
    kind: str
    short_name: str = ""
    place: str = ""  # township (for addresses and native place)
    size: int = 0  # members held directly
    founded_on: datetime.date | None = None
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    code: str = ""
    children: list[int] = field(default_factory=list)
    # filled by write_county
    path: str = ""


@dataclass
class MemberSpec:
    org: int  # OrgSpec index of the organisation holding the membership
    name: str
    sex: str
    ethnicity: str
    birth_date: datetime.date
    id_number: str
    education: str
    degree: str
    occupation: str
    member_type: str
    application_date: datetime.date
    join_date: datetime.date
    conversion_date: datetime.date | None
    status: str
    status_since: datetime.date
    lost_contact_reason: str
    increase_method: str
    phone: str
    work_unit: str
    work_start_date: datetime.date | None
    native_place: str
    address: str
    categories: list[str]
    party_group: int | None = None


@dataclass
class CountyPlan:
    seed: int
    as_of: datetime.date
    orgs: list[OrgSpec]
    members: list[MemberSpec]
    committee_seats: list[tuple[int, int, str]]  # (org index, member index, role)


def _weighted_choice(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def exactly_k(rng: random.Random, weights: list[float], k: int) -> list[bool]:
    """Pick exactly k of len(weights) items, item i with probability growing with weights[i]
    (Efraimidis–Spirakis weighted sampling without replacement; weight 0 = only if needed)."""
    if not 0 <= k <= len(weights):
        raise ValueError(f"cannot pick {k} of {len(weights)}")
    keys = []
    for i, w in enumerate(weights):
        u = rng.random() or 1e-12
        keys.append((u ** (1.0 / w) if w > 0 else -u, i))
    keys.sort(reverse=True)
    chosen = [False] * len(weights)
    for _, i in keys[:k]:
        chosen[i] = True
    return chosen


def _fit_sizes(rng: random.Random, specs: list[OrgSpec], total: int) -> None:
    """Draw each branch's size from its kind's range, then nudge sizes by ±1 within the
    ranges until they sum to `total` exactly."""
    for s in specs:
        lo, hi = SIZE_RANGES[s.kind]
        s.size = round(rng.triangular(lo, hi, (lo + hi) / 2))
    diff = total - sum(s.size for s in specs)
    lo_total = sum(SIZE_RANGES[s.kind][0] for s in specs)
    hi_total = sum(SIZE_RANGES[s.kind][1] for s in specs)
    if not lo_total <= total <= hi_total:
        raise ValueError(f"cannot fit {total} members into {len(specs)} branches")
    while diff:
        s = specs[rng.randrange(len(specs))]
        lo, hi = SIZE_RANGES[s.kind]
        if diff > 0 and s.size < hi:
            s.size += 1
            diff -= 1
        elif diff < 0 and s.size > lo:
            s.size -= 1
            diff += 1


def _random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _birth_for_age(rng: random.Random, age: int, as_of: datetime.date) -> datetime.date:
    """A birth date at which a person is exactly `age` on as_of (idnumber.age_on)."""
    latest = add_years(as_of, -age)
    earliest = add_years(as_of, -(age + 1)) + datetime.timedelta(days=1)
    birth = _random_date(rng, earliest, latest)
    assert idnumber.age_on(birth, as_of) == age
    return birth


class _Tree:
    def __init__(self):
        self.orgs: list[OrgSpec] = []

    def add(self, parent: OrgSpec | None, name, org_type, unit_type, kind, *, short_name="", place="") -> OrgSpec:
        spec = OrgSpec(
            index=len(self.orgs),
            parent=parent.index if parent else None,
            name=name,
            org_type=org_type,
            unit_type=unit_type,
            kind=kind,
            short_name=short_name,
            place=place or (parent.place if parent else ""),
        )
        self.orgs.append(spec)
        if parent:
            parent.children.append(spec.index)
        return spec


def _system_committees(t: _Tree, county: OrgSpec, rng: random.Random) -> None:
    """The 17 系统/机关 committees with their general branches and branches (fixed shape)."""
    P = COUNTY_PLACE

    def committee(name, unit, short):
        return t.add(county, f"中共{P}{name}", "committee", unit, "committee", short_name=short, place="城关镇")

    def branches(parent, names, unit, kind, org_type="branch"):
        for n in names:
            t.add(parent, n, org_type, unit, kind)

    def general(parent, name, unit, kind, subnames):
        gb = t.add(parent, name, "general_branch", unit, kind)
        branches(gb, [f"{name.removesuffix('党总支')}{s}党支部" for s in subnames], unit, kind)
        return gb

    # 1 县直机关工委
    c = committee("直属机关工作委员会", "government", "县直机关工委")
    general(c, f"{P}人民政府办公室党总支", "government", "office", ["秘书", "综合", "信息"])
    general(c, f"{P}财政局党总支", "government", "office", ["预算", "国库", "综合"])
    depts = (
        "县委办公室 县委组织部 县委宣传部 县委统战部 县委政法委 县纪委监委 县人大常委会机关 县政协机关 县发展和改革局 县人力资源和社会保障局 "
        "县自然资源局 县住房和城乡建设局 县水利局 县商务局 县文化体育和旅游局 县统计局 县审计局 县民政局 县司法局 县应急管理局 县林业局 "
        "县科学技术局 县工业和信息化局 县退役军人事务局 县医疗保障局 县信访局 县档案馆 县委党校 县总工会 团县委 县妇联 县科协 县生态环境局 县税务局"
    ).split()
    branches(c, [f"{d.replace('县', P, 1)}机关党支部" for d in depts], "government", "office")
    # 2 教育
    c = committee("教育局委员会", "school", "县教育局党委")
    t.add(c, f"{P}教育局机关党支部", "branch", "government", "office")
    for school in ("第一中学", "第二中学", "第三中学", "职业中专学校", "实验小学"):
        general(c, f"{P}{school}党总支", "school", "school", ["第一", "第二", "第三"])
    branches(c, [f"{P}{tw}中心小学党支部" for tw in TOWNSHIPS], "school", "school")
    branches(c, [f"{P}{tw.removesuffix('镇').removesuffix('乡')}中学党支部" for tw in TOWNSHIPS[:16]], "school", "school")
    branches(c, [f"{P}实验幼儿园党支部", f"{P}特殊教育学校党支部"], "school", "school")
    branches(c, [f"{P}教育系统退休教师第一党支部", f"{P}教育系统退休教师第二党支部"], "retired", "retired")
    # 3 卫健
    c = committee("卫生健康局委员会", "public_institution", "县卫健局党委")
    t.add(c, f"{P}卫生健康局机关党支部", "branch", "government", "office")
    general(c, f"{P}医院党总支", "public_institution", "hospital", ["内科", "外科", "医技", "行政后勤"])
    general(c, f"{P}中医院党总支", "public_institution", "hospital", ["临床第一", "临床第二", "行政后勤", "离退休"])
    branches(c, [f"{P}疾病预防控制中心党支部", f"{P}妇幼保健院党支部", f"{P}卫生监督所党支部"], "public_institution", "clinic")
    # 4 公安
    c = committee("公安局委员会", "government", "县公安局党委")
    general(c, f"{P}公安局机关党总支", "government", "police", ["政工", "刑侦", "治安"])
    general(c, f"{P}公安局交通警察大队党总支", "government", "police", ["秩序", "事故处理", "城区中队"])
    branches(c, [f"{P}公安局{tw.removesuffix('镇').removesuffix('乡')}派出所党支部" for tw in TOWNSHIPS[:18]], "government", "police")
    # 5 国投集团
    c = committee("国有资产投资集团有限公司委员会", "state_enterprise", "县国投集团党委")
    general(c, f"{P}自来水有限公司党总支", "state_enterprise", "enterprise", ["制水", "供水服务", "综合"])
    general(c, f"{P}交通建设投资有限公司党总支", "state_enterprise", "enterprise", ["工程", "运营", "综合"])
    branches(
        c,
        [
            f"{P}{n}党支部"
            for n in ("国投集团机关", "粮食购销有限公司", "旅游开发有限公司", "公共交通有限公司", "农业发展有限公司", "文化传媒有限公司")
        ],
        "state_enterprise",
        "enterprise",
    )
    # 6 非公有制经济组织
    c = committee("非公有制经济组织委员会", "non_public_enterprise", "县非公党委")
    firms = rng.sample([a + b for a in FIRMS_A for b in FIRMS_B], 66)
    branches(c, [f"{P}{f}有限公司党支部" for f in firms[:58]], "non_public_enterprise", "enterprise")
    branches(
        c,
        [f"{P}{n}联合党支部" for n in ("个体私营企业第一", "个体私营企业第二", "小微企业", "电商企业", "餐饮服务业")],
        "non_public_enterprise",
        "joint",
        "joint_branch",
    )
    # 7 社会组织
    c = committee("社会组织委员会", "social_organisation", "县社会组织党委")
    orgs = "律师协会 个体劳动者协会 茶业协会 物业管理协会 老年大学 红十字会 慈善总会 养老服务中心 义工联合会 电子商务协会 工商业联合会 消费者权益保护委员会 社会工作服务中心 道路运输协会".split()
    branches(c, [f"{P}{o}党支部" for o in orgs], "social_organisation", "social")
    t.add(c, f"{P}会计师事务所联合党支部", "joint_branch", "social_organisation", "joint")
    # 8 农业农村
    c = committee("农业农村局委员会", "government", "县农业农村局党委")
    branches(
        c,
        [
            f"{P}{n}党支部"
            for n in (
                "农业农村局机关第一",
                "农业农村局机关第二",
                "农业技术推广站",
                "畜牧兽医站",
                "农机服务站",
                "植保植检站",
                "茶果站",
                "水产技术推广站",
            )
        ],
        "government",
        "station",
    )
    # 9 交通运输
    c = committee("交通运输局委员会", "government", "县交通运输局党委")
    branches(
        c,
        [f"{P}{n}党支部" for n in ("交通运输局机关", "公路事业发展中心", "运输管理所", "港航管理站", "交通综合执法大队", "公路养护站")],
        "government",
        "station",
    )
    # 10 市场监管
    c = committee("市场监督管理局委员会", "government", "县市场监管局党委")
    general(c, f"{P}市场监督管理局机关党总支", "government", "office", ["综合", "执法", "食品药品"])
    branches(
        c,
        [f"{P}市场监督管理局{tw.removesuffix('镇').removesuffix('乡')}市场监管所党支部" for tw in TOWNSHIPS[:10]],
        "government",
        "station",
    )
    # 11 金融
    c = committee("金融工作委员会", "state_enterprise", "县金融工委")
    general(c, f"{P}农村商业银行党总支", "state_enterprise", "bank", ["营业部", "城区支行", "东片支行", "西片支行"])
    banks = "工商银行 农业银行 中国银行 建设银行 邮政储蓄银行 农业发展银行 人民保险 人寿保险 兴业银行 村镇银行".split()
    branches(c, [f"{P}{b}支行党支部" if "银行" in b else f"{P}{b}公司党支部" for b in banks], "state_enterprise", "bank")
    # 12 老干部
    c = committee("老干部局委员会", "retired", "县老干部局党委")
    general(c, f"{P}离退休干部第一党总支", "retired", "retired", ["第一", "第二", "第三", "第四"])
    general(c, f"{P}离退休干部第二党总支", "retired", "retired", ["第一", "第二", "第三", "第四"])
    branches(c, [f"{P}老干部局机关党支部"], "government", "office")
    branches(c, [f"{P}{n}离退休党支部" for n in ("县直机关", "企业", "供销系统")], "retired", "retired")
    # 13 供销社
    c = committee("供销合作社联合社委员会", "state_enterprise", "县供销社党委")
    branches(
        c, [f"{P}供销社{n}党支部" for n in ("机关", "农资公司", "再生资源公司", "日杂公司", "城关供销社")], "state_enterprise", "enterprise"
    )
    # 14 法院
    c = committee("人民法院机关委员会", "government", "县法院机关党委")
    branches(c, [f"{P}人民法院{n}党支部" for n in ("机关第一", "机关第二", "审判第一", "审判第二", "执行局")], "government", "office")
    # 15 检察院
    c = committee("人民检察院机关委员会", "government", "县检察院机关党委")
    branches(c, [f"{P}人民检察院{n}党支部" for n in ("机关", "检察业务第一", "检察业务第二")], "government", "office")
    # 16 城投
    c = committee("城市建设投资集团有限公司委员会", "state_enterprise", "县城投集团党委")
    branches(
        c, [f"{P}城投集团{n}党支部" for n in ("机关", "工程建设", "物业管理", "资产运营", "水务环境")], "state_enterprise", "enterprise"
    )
    # 17 经济开发区
    c = committee("经济开发区工作委员会", "non_public_enterprise", "县开发区党工委")
    general(c, f"{P}{firms[58]}集团党总支", "non_public_enterprise", "enterprise", ["生产", "技术", "营销"])
    general(c, f"{P}{firms[59]}集团党总支", "non_public_enterprise", "enterprise", ["生产", "技术", "营销"])
    t.add(c, f"{P}经济开发区管委会机关党支部", "branch", "government", "office")
    branches(c, [f"{P}{f}有限公司党支部" for f in firms[60:66]], "non_public_enterprise", "enterprise")
    extra = rng.sample([a + b for a in FIRMS_A for b in FIRMS_B if a + b not in firms], 18)
    branches(c, [f"{P}{f}股份有限公司党支部" for f in extra], "non_public_enterprise", "enterprise")


def _townships(t: _Tree, county: OrgSpec, rng: random.Random, village_general: int, village_branches: int) -> None:
    """22 township committees: office, clinic, joint enterprise branch, communities and
    villages; `village_general` villages are 党总支 with 2–3 branches, and the village
    branches total exactly `village_branches`."""
    committees = []
    for tw in TOWNSHIPS:
        c = t.add(county, f"中共{COUNTY_PLACE}{tw}委员会", "committee", "government", "committee", short_name=f"{tw}党委", place=tw)
        committees.append(c)
        t.add(c, f"{tw}机关党支部", "branch", "government", "office")
        t.add(c, f"{tw}卫生院党支部", "branch", "public_institution", "clinic")
    community_words = list(COMMUNITY_WORDS)
    rng.shuffle(community_words)
    for c in committees[:10]:
        t.add(c, f"{c.place}非公企业联合党支部", "joint_branch", "non_public_enterprise", "joint")
    for c in committees:
        for _ in range(COMMUNITIES.get(c.place, 0)):
            t.add(c, f"{c.place}{community_words.pop()}社区党支部", "branch", "community", "community")

    # Villages: distribute general branches and single branches over the townships.
    names = list(dict.fromkeys(a + b + "村" for a in VILLAGE_A for b in VILLAGE_B if a != b))
    rng.shuffle(names)
    gb_subs = [rng.choice((2, 2, 3)) for _ in range(village_general)]
    singles = village_branches - sum(gb_subs)
    assert singles > 0
    per_town = [singles // len(committees)] * len(committees)
    for i in range(singles - sum(per_town)):
        per_town[i] += 1
    gb_town = [i % len(committees) for i in range(village_general)]
    plan = []  # (committee index, n sub-branches or 0 for a single village branch)
    for ci in range(len(committees)):
        plan += [(ci, 0)] * per_town[ci]
    plan += [(gb_town[i], gb_subs[i]) for i in range(village_general)]
    plan.sort(key=lambda p: (p[0], rng.random()))
    for ci, subs in plan:
        c = committees[ci]
        village = names.pop()
        if subs:
            gb = t.add(c, f"{c.place}{village}党总支", "general_branch", "village", "village")
            for k in range(subs):
                t.add(gb, f"{c.place}{village}第{ORDINALS[k]}党支部", "branch", "village", "village")
        else:
            t.add(c, f"{c.place}{village}党支部", "branch", "village", "village")


def _plan_tree(rng: random.Random, as_of: datetime.date) -> list[OrgSpec]:
    # Build the system committees first to learn how many branches / general branches
    # they use; townships take the rest so the totals are exact.
    probe = _Tree()
    probe_root = probe.add(None, COUNTY_NAME, "county_committee", "government", "county")
    _system_committees(probe, probe_root, random.Random(0))
    sys_gb = sum(1 for o in probe.orgs if o.org_type == "general_branch")
    sys_br = sum(1 for o in probe.orgs if o.org_type in ("branch", "joint_branch", "temporary_branch"))
    sys_c = sum(1 for o in probe.orgs if o.org_type == "committee")
    town_fixed_br = 2 * len(TOWNSHIPS) + 10 + sum(COMMUNITIES.values())
    village_general = TARGETS["general_branch"] - sys_gb
    village_branches = TARGETS["branch"] - sys_br - town_fixed_br
    assert sys_c + len(TOWNSHIPS) == TARGETS["committee"]

    t = _Tree()
    county = t.add(None, COUNTY_NAME, "county_committee", "government", "county", short_name=COUNTY_SHORT, place="城关镇")
    _townships(t, county, rng, village_general, village_branches)
    _system_committees(t, county, rng)
    return t.orgs


def _org_dates(rng: random.Random, spec: OrgSpec, as_of: datetime.date, parent: OrgSpec | None) -> None:
    from apps.orgs.services import default_term_end, term_years

    lo, hi = FOUNDED["committee" if spec.org_type == "committee" else spec.kind]
    founded = datetime.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))
    if parent and parent.founded_on and founded < parent.founded_on:
        founded = parent.founded_on
    spec.founded_on = min(founded, as_of - datetime.timedelta(days=400))
    years, _ = term_years(spec.org_type, spec.unit_type)
    if years and spec.org_type != "party_group":
        # Most terms current, some due within 6 months, a few overdue (re-election late).
        elapsed = int(rng.uniform(0.02, 1.08) * years * 365)
        start = max(spec.founded_on, as_of - datetime.timedelta(days=elapsed))
        spec.term_start = start
        spec.term_end = default_term_end(spec.org_type, spec.unit_type, start)


def _person_name(rng: random.Random, sex: str) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    pool = GIVEN_M if sex == "M" else GIVEN_F
    if rng.random() < 0.22:
        return surname + rng.choice(pool)
    return surname + rng.choice(pool) + rng.choice(pool)


def _phone(rng: random.Random) -> str:
    return (
        "1"
        + rng.choice(("38", "39", "58", "59", "37", "88", "50", "51", "52", "77", "80", "81", "89", "35", "36"))
        + f"{rng.randrange(10**8):08d}"
    )


def plan_county(seed: int = 2005, as_of: datetime.date | None = None) -> CountyPlan:
    """Draw the whole county (organisations, members, committee seats) without the database."""
    as_of = as_of or timezone.localdate()
    rng = random.Random(seed)
    orgs = _plan_tree(rng, as_of)
    for spec in orgs:
        spec.code = ROOT_CODE if spec.parent is None else f"{AREA_CODE}{spec.index:06d}"
        _org_dates(rng, spec, as_of, orgs[spec.parent] if spec.parent is not None else None)

    # Member counts per branch: villages hold exactly the rural target; everything else
    # holds the rest. A few outliers (> 50, < 3) make the structure warnings show.
    branches = [o for o in orgs if o.org_type in ("branch", "joint_branch", "temporary_branch")]
    village = [o for o in branches if o.unit_type == "village"]
    other = [o for o in branches if o.unit_type != "village"]
    big = rng.sample(village, 3)
    small = rng.sample([o for o in other if o.kind == "enterprise"], 4)
    for o in big:
        o.size = rng.randint(52, 58)
    for o in small:
        o.size = 2
    _fit_sizes(rng, [o for o in village if o not in big], TARGETS["rural"] - sum(o.size for o in big))
    _fit_sizes(rng, [o for o in other if o not in small], TARGETS["members"] - TARGETS["rural"] - sum(o.size for o in small))

    # 党小组 under large branches (not grassroots organisations; members are assigned).
    groups: dict[int, list[int]] = {}
    for b in list(branches):
        if b.size >= 36:
            n = 2 if b.size < 45 else 3
            for k in range(n):
                g = OrgSpec(
                    index=len(orgs),
                    parent=b.index,
                    name=f"{b.name.removesuffix('党支部')}第{ORDINALS[k]}党小组",
                    org_type="party_group",
                    unit_type=b.unit_type,
                    kind=b.kind,
                    place=b.place,
                    code=f"{AREA_CODE}{len(orgs):06d}",
                )
                g.founded_on = b.founded_on
                orgs.append(g)
                b.children.append(g.index)
                groups.setdefault(b.index, []).append(g.index)

    slots = []  # one per counted member: org index
    for b in branches:
        slots += [b.index] * b.size
    assert len(slots) == TARGETS["members"]
    members = _plan_members(rng, orgs, slots, groups, as_of)
    seats = _plan_committees(rng, orgs, members)
    return CountyPlan(seed=seed, as_of=as_of, orgs=orgs, members=members, committee_seats=seats)


def _plan_members(rng: random.Random, orgs: list[OrgSpec], slots: list[int], groups: dict, as_of: datetime.date) -> list[MemberSpec]:
    n = len(slots)
    unit = [orgs[o].unit_type for o in slots]

    # Exact targets first, as sets.
    women = exactly_k(rng, [WOMEN_WEIGHT[u] for u in unit], TARGETS["women"])
    pre1949 = exactly_k(rng, [3.0 if u == "retired" else (1.0 if u == "village" else 0.0) for u in unit], PRE_1949)
    young = exactly_k(rng, [0.0 if pre1949[i] else YOUNG_WEIGHT[unit[i]] for i in range(n)], TARGETS["aged_35_or_under"])
    ages = []
    for i in range(n):
        u = unit[i]
        if pre1949[i]:
            ages.append(rng.randint(96, 99))
        elif young[i]:
            ages.append(round(rng.triangular(20, 35, 32)))
        else:
            lo, hi, mode = OLDER_AGES.get(u, WORKING_OLDER)
            if u != "retired" and rng.random() < 0.45:  # flat part: no dip just above 35
                ages.append(rng.randint(36, min(hi, 60)))
            else:
                ages.append(round(rng.triangular(lo, hi, mode)))
    educated = exactly_k(
        rng,
        [EDUCATED_WEIGHT[unit[i]] * (2.5 if young[i] else (0.4 if ages[i] >= 70 else 1.0)) for i in range(n)],
        TARGETS["high_school_or_above"],
    )
    probationary = exactly_k(
        rng, [0.0 if pre1949[i] else (3.0 if young[i] else (0.3 if ages[i] <= 45 else 0.0)) for i in range(n)], PROBATIONARY
    )
    movable = [0.0 if (pre1949[i] or probationary[i] or unit[i] == "retired") else (3.0 if young[i] else 1.0) for i in range(n)]
    mobile = exactly_k(rng, [w * (2.0 if unit[i] == "village" else 0.5) for i, w in enumerate(movable)], MOBILE)
    lost = exactly_k(rng, [0.0 if mobile[i] else w for i, w in enumerate(movable)], LOST_CONTACT)

    used_ids: dict[tuple, int] = {}
    out: list[MemberSpec] = []
    for i in range(n):
        out.append(
            _one_member(
                rng,
                orgs,
                slots[i],
                as_of,
                used_ids,
                sex="F" if women[i] else "M",
                age=ages[i],
                educated=educated[i],
                probationary=probationary[i],
                pre1949=pre1949[i],
                status="mobile" if mobile[i] else ("lost_contact" if lost[i] else "normal"),
            )
        )
        gs = groups.get(slots[i])
        if gs:
            out[-1].party_group = gs[rng.randrange(len(gs))]
    # Records no longer counted (deceased, suspended): old members of village branches.
    village_slots = [o for o in sorted(set(slots)) if orgs[o].unit_type == "village"]
    for status, count in EXTRA_UNCOUNTED:
        for _ in range(count):
            org = village_slots[rng.randrange(len(village_slots))]
            age = rng.randint(75, 92) if status == "deceased" else rng.randint(40, 55)
            out.append(
                _one_member(
                    rng, orgs, org, as_of, used_ids, sex="M", age=age, educated=False, probationary=False, pre1949=False, status=status
                )
            )
    return out


def _one_member(rng, orgs, org_index, as_of, used_ids, *, sex, age, educated, probationary, pre1949, status) -> MemberSpec:
    org = orgs[org_index]
    u = org.unit_type
    birth = _birth_for_age(rng, age, as_of)
    key = (birth, sex)
    seq = used_ids.get(key)
    seq = rng.randrange(1, 200) if seq is None else seq + 1
    used_ids[key] = seq
    if seq >= EXTENSION_SEQUENCE_START:
        raise ValueError("too many members share one birth date")
    id_number = idnumber.compose(AREA_CODE, birth, seq, sex)
    name = _person_name(rng, sex)
    ethnicity = _weighted_choice(rng, MINORITIES) if rng.random() < MINORITY_SHARE else codes.HAN

    # Education and degree.
    if educated:
        education = _weighted_choice(rng, EDUCATION_MIX[u])
    else:
        education = "junior_or_below"
    degree = ""
    if education == "postgraduate":
        degree = "doctor" if rng.random() < 0.05 else "master"
    elif education == "bachelor" and rng.random() < 0.85:
        degree = "bachelor"

    # Occupation: by unit type; older members of working units have retired.
    if u == "village" and age >= 75 and rng.random() < 0.3:
        occupation = "retired" if rng.random() < 0.2 else "farmer"
    elif u not in ("village", "community", "retired") and age > 60:
        occupation = "retired"
    elif u in ("school",) and age <= 22 and rng.random() < 0.5:
        occupation = "student"
    else:
        occupation = _weighted_choice(rng, OCCUPATION_MIX[u])
    if u == "community" and age >= 60:
        occupation = "retired"

    # Dates: application ≤ join; joined at 18 or older; converted a year after joining.
    adult = add_years(birth, 18)
    if idnumber.age_on(birth, adult) < 18:  # born 29 February: 18 on 1 March
        adult += datetime.timedelta(days=1)
    if pre1949:
        join = _random_date(rng, max(adult, datetime.date(1945, 1, 1)), datetime.date(1949, 9, 30))
    elif probationary:
        join = _random_date(rng, max(adult, as_of - datetime.timedelta(days=360)), as_of - datetime.timedelta(days=7))
    else:
        latest = add_years(as_of, -1) - datetime.timedelta(days=rng.randrange(0, 60))
        join_age = rng.triangular(19, 45 if u in ("village", "community") else 38, 26)
        join = birth + datetime.timedelta(days=int(join_age * 365.25))
        if join > latest:
            join = _random_date(rng, adult, latest)
        join = max(join, adult, datetime.date(1949, 10, 1))
        if join > latest:  # only very young members: join as soon as eligible
            join = _random_date(rng, adult, latest)
    application = max(adult, join - datetime.timedelta(days=rng.randint(200, 1500)))
    conversion = None if probationary else add_years(join, 1)

    status_since = join
    lost_reason = ""
    if status in ("mobile", "lost_contact", "suspended", "deceased"):
        status_since = _random_date(rng, max(join, as_of - datetime.timedelta(days=1000)), as_of - datetime.timedelta(days=5))
        if status in ("lost_contact", "suspended"):
            lost_reason = rng.choice(("migrant_work", "residence_changed", "unit_changed", "other"))

    categories = []
    if u == "village":
        categories.append("rural")
    if occupation == "retired" or u == "retired":
        categories.append("retired")
    if status == "mobile":
        categories.append("mobile")
    if u == "non_public_enterprise":
        categories.append("non_public")
    if occupation == "student":
        categories.append("student")
    if u == "community" and occupation == "other" and rng.random() < 0.15:
        categories.append("unemployed")
    if (u == "village" and age >= 70 and rng.random() < 0.12) or (u == "community" and rng.random() < 0.02):
        categories.append("hardship")
    if pre1949:
        categories.append("pre_1949")
    if u in ("village", "community") and occupation in ("farmer", "other", "retired") and rng.random() < 0.6:
        categories.append("no_post")

    working = occupation not in ("farmer", "retired", "student", "other") or u not in ("village", "community")
    work_start = add_years(birth, rng.randint(18, 24)) if working and occupation not in ("student",) else None
    if work_start and work_start > as_of:
        work_start = None
    place = org.place or "城关镇"
    return MemberSpec(
        org=org_index,
        name=name,
        sex=sex,
        ethnicity=ethnicity,
        birth_date=birth,
        id_number=id_number,
        education=education,
        degree=degree,
        occupation=occupation,
        member_type="probationary" if probationary else "full",
        application_date=application,
        join_date=join,
        conversion_date=conversion,
        status=status,
        status_since=status_since,
        lost_contact_reason=lost_reason,
        increase_method="developed" if probationary else "other",
        phone="" if age >= 85 and rng.random() < 0.5 else _phone(rng),
        work_unit=_work_unit(org),
        work_start_date=work_start,
        native_place=f"福建{COUNTY_PLACE}"
        if rng.random() < 0.85
        else rng.choice(("福建泉州", "福建福州", "福建莆田", "福建三明", "江西赣州", "浙江温州")),
        address=f"{COUNTY_PLACE}{place}",
        categories=sorted(set(categories)),
    )


def _work_unit(org: OrgSpec) -> str:
    name = org.name
    for suffix in ("联合党支部", "机关党支部", "党支部", "党总支"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if org.unit_type == "village":
        return f"{COUNTY_PLACE}{name}".replace("第一", "").replace("第二", "").replace("第三", "")
    return name


def _plan_committees(rng: random.Random, orgs: list[OrgSpec], members: list[MemberSpec]) -> list[tuple[int, int, str]]:
    """Committee seats: every branch has a secretary; branches with ≥ 7 full members have a
    3–5 seat committee (a few do not, so the structure warning shows); general branches and
    committees take theirs from the members of their first branch."""
    by_org: dict[int, list[int]] = {}
    for i, m in enumerate(members):
        if m.status in codes.COUNTED_STATUSES:
            by_org.setdefault(m.org, []).append(i)

    def ranked(idx):
        full = [i for i in idx if members[i].member_type == "full" and members[i].status == "normal"]
        return sorted(
            full, key=lambda i: (codes.EDUCATION_RANK[members[i].education] < 3, members[i].birth_date.year < 1960, members[i].join_date)
        )

    seats = []
    for o in orgs:
        if o.org_type in ("branch", "joint_branch", "temporary_branch"):
            cands = ranked(by_org.get(o.index, []))
            if not cands:
                continue
            seats.append((o.index, cands[0], "secretary"))
            if len(cands) >= 7 and rng.random() > 0.04:
                roles = ["deputy_secretary", "organisation", "publicity", "discipline"][: rng.choice((2, 2, 4))]
                for role, i in zip(roles, cands[1:], strict=False):
                    seats.append((o.index, i, role))
        elif o.org_type in ("committee", "general_branch", "county_committee"):
            first = next((c for c in o.children if orgs[c].org_type in ("branch", "joint_branch")), None)
            if first is None:
                first = next((g for c in o.children for g in orgs[c].children if orgs[g].org_type == "branch"), None)
            cands = ranked(by_org.get(first, [])) if first is not None else []
            # Different people from the branch's own secretary where possible.
            cands = cands[1:] or cands
            roles = ["secretary", "deputy_secretary", "organisation", "publicity", "discipline"]
            if o.org_type == "general_branch":
                roles = roles[:3]
            for role, i in zip(roles, cands, strict=False):
                seats.append((o.index, i, role))
    return seats


# --------------------------------------------------------------------------- write


def _member_pinyin_cache():
    cache: dict[str, NameKeys] = {}

    def get(name):
        if name not in cache:
            cache[name] = name_keys(name)
        return cache[name]

    return get


def _insert_rows(model, fields: list[str], rows: list[tuple], chunk: int = 5000) -> None:
    """INSERT plain tuples (COPY on PostgreSQL, executemany elsewhere): the ORM's per-value
    preparation dominated the demo load. On SQLite, dates and datetimes go through the
    backend's own adapters, so the stored values are exactly what the ORM would write."""
    from django.db import connections, router

    conn = connections[router.db_for_write(model)]
    opts = model._meta
    cols = [opts.get_field(f) for f in fields]
    adapters = []
    for f in cols:
        internal = f.get_internal_type()
        if internal == "DateTimeField":
            adapters.append(conn.ops.adapt_datetimefield_value)
        elif internal == "DateField":
            adapters.append(conn.ops.adapt_datefield_value)
        else:
            adapters.append(None)
    qn = conn.ops.quote_name
    sql = f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":  # COPY: one round trip instead of one per row
            columns = ", ".join(qn(f.column) for f in cols)
            with cursor.cursor.copy(f"COPY {qn(opts.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for i in range(0, len(rows), chunk):
            batch = [
                tuple(a(v) if (a is not None and v is not None) else v for a, v in zip(adapters, row, strict=True))
                for row in rows[i : i + chunk]
            ]
            cursor.executemany(sql, batch)


def write_county(plan: CountyPlan):
    """Insert the plan in bulk (inside the caller's transaction). Returns the root."""
    from apps.core.audit import record_change
    from apps.core.models import ChangeLog
    from apps.orgs.models import CommitteeMember, Organisation

    from .models import Member, MemberCategory, MemberStatusChange
    from .services import recount_members

    if Organisation.objects.filter(code=ROOT_CODE).exists():
        raise ValueError(f"示范县（组织代码 {ROOT_CODE}）已存在，如需重建请先清空数据库")
    last_root = Organisation.objects.get_last_root_node()
    root_step = (Organisation._str2int(last_root.path[: Organisation.steplen]) + 1) if last_root else 1

    # Materialised paths computed here (children numbered in plan order under each
    # parent; a parent always precedes its children in the plan).
    for spec in plan.orgs:
        if spec.parent is None:
            spec.path = Organisation._get_path(None, 1, root_step)
        else:
            parent = plan.orgs[spec.parent]
            pos = parent.children.index(spec.index) + 1
            spec.path = Organisation._get_path(parent.path, len(parent.path) // Organisation.steplen + 1, pos)
    objs = [
        Organisation(
            name=s.name,
            short_name=s.short_name,
            code=s.code,
            org_type=s.org_type,
            unit_type=s.unit_type,
            founded_on=s.founded_on,
            term_start=s.term_start,
            term_end=s.term_end,
            address=f"{COUNTY_PLACE}{s.place}" if s.place else "",
            path=s.path,
            depth=len(s.path) // Organisation.steplen,
            numchild=len(s.children),
        )
        for s in plan.orgs
    ]
    Organisation.objects.bulk_create(objs, batch_size=500)
    if any(o.pk is None for o in objs):  # databases without RETURNING
        ids = dict(Organisation.objects.filter(code__in=[o.code for o in objs]).values_list("code", "pk"))
        for o in objs:
            o.pk = o.id = ids[o.code]

    pinyin = _member_pinyin_cache()
    member_fields = [
        "name", "name_pinyin", "name_initials", "name_pinyin_alt", "name_initials_alt", "sex", "ethnicity", "birth_date",
        "id_number_enc", "id_number_hash", "id_number_masked", "native_place", "education", "degree",
        "occupation", "work_unit", "job_post", "work_start_date", "phone_enc", "phone_hash", "phone_masked",
        "address", "application_date", "join_date", "conversion_date", "member_type", "status", "status_since",
        "lost_contact_reason", "increase_method", "organisation", "org_path", "party_group", "remarks",
        "created_at", "updated_at", "category_bits",
    ]  # fmt: skip
    now = timezone.now()
    rows = []
    for m in plan.members:
        org = objs[m.org]
        keys = pinyin(m.name)
        rows.append(
            (
                m.name, *keys, m.sex, m.ethnicity, m.birth_date,
                crypto.encrypt(m.id_number), crypto.blind_index(m.id_number), crypto.mask_id_number(m.id_number),
                m.native_place, m.education, m.degree, m.occupation, m.work_unit, "", m.work_start_date,
                crypto.encrypt(m.phone), crypto.blind_index(m.phone), crypto.mask_phone(m.phone),
                m.address, m.application_date, m.join_date, m.conversion_date, m.member_type, m.status, m.status_since,
                m.lost_contact_reason, m.increase_method, org.pk, org.path,
                objs[m.party_group].pk if m.party_group is not None else None, "", now, now,
                codes.category_bits(m.categories),
            )
        )  # fmt: skip
    _insert_rows(Member, member_fields, rows)
    member_ids = dict(Member.objects.filter(org_path__startswith=objs[0].path).values_list("id_number_hash", "pk"))
    hash_at = member_fields.index("id_number_hash")
    mids = [member_ids[r[hash_at]] for r in rows]
    del rows

    cats, changes = [], []
    for spec, mid in zip(plan.members, mids, strict=True):
        cats += [(mid, c) for c in spec.categories]
        changes.append((mid, "", "normal", spec.join_date, "建立党员档案", "demo_county", now))
        if spec.status != "normal":
            reason = {"mobile": "外出务工经商，持流动党员活动证", "lost_contact": "长期外出，联系不上", "deceased": "病故"}.get(
                spec.status, "失去联系满6个月，停止党籍"
            )
            if spec.status == "suspended":
                lost_on = max(spec.join_date, spec.status_since - datetime.timedelta(days=200))
                changes.append((mid, "normal", "lost_contact", lost_on, "长期外出，联系不上", "demo_county", now))
            before = "lost_contact" if spec.status == "suspended" else "normal"
            changes.append((mid, before, spec.status, spec.status_since, reason, "demo_county", now))
    _insert_rows(MemberCategory, ["member", "code"], cats)
    _insert_rows(MemberStatusChange, ["member", "from_status", "to_status", "date", "reason", "recorded_by", "recorded_at"], changes)

    seats = [
        CommitteeMember(organisation_id=objs[o].pk, member_id=mids[i], role=role, start_date=plan.orgs[o].term_start)
        for o, i, role in plan.committee_seats
    ]
    CommitteeMember.objects.bulk_create(seats, batch_size=1000)
    # Contact person: the secretary.
    secretaries = {o: plan.members[i].name for o, i, role in plan.committee_seats if role == "secretary"}
    for idx, name in secretaries.items():
        objs[idx].contact_person = name
    Organisation.objects.bulk_update([objs[i] for i in secretaries], ["contact_person"], batch_size=500)

    recount_members([o.pk for o in objs])
    root = Organisation.objects.get(pk=objs[0].pk)
    counted = sum(1 for m in plan.members if m.status in codes.COUNTED_STATUSES)
    # One summary entry for the whole bulk load (a synthetic load by the system, not a
    # user's change; per-record history would add ~20k rows and nothing useful).
    record_change(
        root,
        ChangeLog.Action.CREATE,
        message=f"生成示范县演示数据（seed={plan.seed}，基准日{plan.as_of:%Y-%m-%d}）：组织{len(objs)}个，在册统计党员{counted}名",
    )
    return root


def extension_id_number(birth: datetime.date, sex: str, n: int) -> str:
    """A valid demo ID number that cannot collide with the base county's members: the n-th
    (0–99) person of this birth date and sex in an extension module."""
    if not 0 <= n < 500 - EXTENSION_SEQUENCE_START:
        raise ValueError("extension sequence must be 0–99")
    return idnumber.compose(AREA_CODE, birth, EXTENSION_SEQUENCE_START + n, sex)


def run_extensions(root, seed: int, as_of: datetime.date, builders=None) -> list[str]:
    """Call populate(root_org, rng, as_of) of every registered demo builder, in order.
    Each gets its own generator derived from the seed and its name, so adding a builder
    never changes what another one draws. Returns the names of the builders that ran."""
    from apps.core import registry

    ran = []
    for builder in registry.demo if builders is None else builders:
        builder.populate(root, random.Random(f"{seed}:apps.{builder.name}.demo"), as_of)
        ran.append(builder.name)
    return ran


def build_demo_county(seed: int = 2005, as_of: datetime.date | None = None, *, extensions=None):
    """Plan, write and extend the demo county in one transaction. Returns (root, plan, ran)."""
    from apps.core.context import acting_as

    plan = plan_county(seed, as_of)
    with acting_as(None, source="cli"), transaction.atomic():
        root = write_county(plan)
        ran = run_extensions(root, seed, plan.as_of, extensions)
    return root, plan, ran


def pick_demo_orgs() -> dict:
    """Organisations to place the demo accounts on: the county, a township 党委, a branch
    under it and a branch under another 党委 (deterministic: first in tree order)."""
    from apps.orgs.models import Organisation

    county = Organisation.objects.filter(code=ROOT_CODE).first() or Organisation.objects.get_first_root_node()
    if county is None:
        return {}
    committees = list(
        Organisation.objects.filter(path__startswith=county.path, depth=county.depth + 1, org_type="committee")
        .filter(short_name__endswith="党委")
        .order_by("path")[:2]
    )
    if len(committees) < 2:
        committees = list(Organisation.objects.filter(path__startswith=county.path, org_type="committee").order_by("path")[:2])
    if len(committees) < 2:
        return {"county": county}

    def branch_under(c):
        qs = Organisation.objects.filter(path__startswith=c.path, org_type="branch").order_by("path")
        # Prefer a branch with members (a village branch shows the most).
        return (
            qs.filter(unit_type="village", direct_member_count__gte=3).first() or qs.filter(direct_member_count__gt=0).first() or qs.first()
        )

    return {
        "county": county,
        "committee": committees[0],
        "branch": branch_under(committees[0]),
        "other_branch": branch_under(committees[1]),
    }
