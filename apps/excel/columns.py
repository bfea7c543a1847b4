"""The roster's columns, declared once: the template, the importer's header matching,
the exporter and docs/import-mapping.md all read this table.

Headers follow the national information-collection form (domain-rules §11) where it
has one; `aliases` are the other spellings counties use in their own rosters.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from apps.members import codes

# kinds: text, date, choice, id_number, phone, categories, org, org_code


@dataclass(frozen=True)
class Column:
    key: str  # the member field (apps.members.services.MEMBER_FIELDS) or org / org_code
    header: str  # the template's header
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False  # a value is required on every row
    choices: tuple = ()  # (code, label) pairs for choice columns
    width: int = 14
    help: str = ""
    extra_labels: dict = field(default_factory=dict)  # more accepted spellings → code


def _status_aliases() -> dict:
    # "出党·除名" is the list's label; rosters usually write just "除名".
    extra = {}
    for code, label in codes.STATUS_CHOICES:
        if "·" in label:
            extra[label.split("·", 1)[1]] = code
    return extra


COLUMNS: list[Column] = [
    Column("name", "姓名", aliases=("党员姓名",), required=True, width=10, help="与居民身份证一致，不含数字"),
    Column(
        "sex",
        "性别",
        "choice",
        choices=tuple(codes.SEX_CHOICES),
        width=6,
        help="男 / 女；可留空，按身份证号第17位自动填写",
        extra_labels={"男性": "M", "女性": "F"},
    ),
    Column(
        "ethnicity",
        "民族",
        "choice",
        choices=tuple(codes.ETHNICITY_CHOICES),
        width=10,
        help="民族全称，如“汉族”；留空按汉族",
        extra_labels={e[:-1]: e for e in codes.ETHNICITIES if e.endswith("族") and len(e) > 2},
    ),
    Column(
        "birth_date",
        "出生日期",
        "date",
        aliases=("出生年月", "出生年月日", "生日", "出生时间"),
        width=12,
        help="YYYY-MM-DD 或Excel日期；必须与身份证号一致；可留空，按身份证号自动填写。“出生年月”列可只填年月",
    ),
    Column(
        "id_number",
        "公民身份号码",
        "id_number",
        aliases=("身份证号", "身份证号码", "公民身份证号码", "身份证", "居民身份证号码", "证件号码"),
        required=True,
        width=22,
        help="18位（旧式15位自动升位），末位x自动转为X；必须设为文本格式，数字格式会丢失末尾数字",
    ),
    Column("native_place", "籍贯", aliases=("籍贯（到县）",), width=16, help="填写到县级"),
    Column(
        "education",
        "学历",
        "choice",
        aliases=("最高学历", "文化程度", "全日制学历"),
        required=True,
        choices=tuple(codes.EDUCATION_CHOICES),
        width=12,
        extra_labels={"本科": "bachelor", "大专": "college", "专科": "college", "硕士研究生": "postgraduate", "博士研究生": "postgraduate"},
    ),
    Column("degree", "学位", "choice", aliases=("最高学位",), choices=tuple(codes.DEGREE_CHOICES), width=8, help="无学位可留空或填“无”"),
    Column(
        "occupation",
        "工作岗位",
        "choice",
        aliases=("工作岗位（职业）", "职业", "岗位"),
        required=True,
        choices=tuple(codes.OCCUPATION_CHOICES),
        width=16,
    ),
    Column("work_unit", "工作单位", aliases=("单位", "工作单位名称", "现工作单位"), width=24),
    Column("job_post", "职务", aliases=("现任职务", "行政职务"), width=12),
    Column("work_start_date", "参加工作日期", "date", aliases=("参加工作时间",), width=12),
    Column(
        "phone",
        "联系电话",
        "phone",
        aliases=("手机号", "手机号码", "手机", "电话", "电话号码", "联系方式"),
        width=14,
        help="手机号11位；座机请带区号",
    ),
    Column("address", "家庭住址", aliases=("住址", "家庭地址", "现居住地", "现住址"), width=28, help="填写到村（社区）"),
    Column("application_date", "申请入党日期", "date", aliases=("申请入党时间",), width=12),
    Column(
        "join_date",
        "入党日期",
        "date",
        aliases=("入党时间", "加入党组织日期", "接收为预备党员日期"),
        required=True,
        width=12,
        help="接收为预备党员的日期；入党时须年满18周岁",
    ),
    Column("conversion_date", "转正日期", "date", aliases=("转正时间",), width=12, help="正式党员必填（1990年前入党的可留空）"),
    Column(
        "member_type",
        "人员类别",
        "choice",
        aliases=("党员类型", "党员身份", "人员类型"),
        required=True,
        choices=tuple(codes.MEMBER_TYPE_CHOICES),
        width=10,
        extra_labels={"预备": "probationary", "正式": "full"},
    ),
    Column(
        "status",
        "党籍状态",
        "choice",
        aliases=("状态",),
        choices=tuple(codes.STATUS_CHOICES),
        width=10,
        help="留空按“正常”",
        extra_labels=_status_aliases(),
    ),
    Column(
        "org",
        "所在党组织",
        "org",
        aliases=("所在党支部", "党组织", "所属党组织", "所在支部", "所属支部", "党组织名称"),
        width=40,
        help="组织代码，或从县委起的完整名称路径，用“/”分隔，如：中共示范县委员会/某镇党委/某村党支部",
    ),
    Column("org_code", "组织代码", "org_code", aliases=("党组织代码", "所在党组织代码"), width=12, help="可选；填写后优先按代码匹配"),
    Column(
        "categories",
        "党员类别",
        "categories",
        aliases=("党员分类",),
        choices=tuple(codes.CATEGORY_CHOICES),
        width=20,
        help="可多个，用“、”分隔，如：农村党员、困难党员",
    ),
    Column(
        "lost_contact_reason",
        "失联原因",
        "choice",
        aliases=("失去联系原因",),
        choices=tuple(codes.LOST_CONTACT_REASONS),
        width=14,
        help="党籍状态为“失联”时填写",
    ),
    Column(
        "increase_method",
        "增加方式",
        "choice",
        aliases=("进入方式",),
        choices=tuple(codes.INCREASE_METHOD_CHOICES),
        width=12,
        help="留空按“其他原因增加”",
    ),
    Column("remarks", "备注", width=24),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
DATA_SHEET = "党员信息"
HELP_SHEET = "说明"
CODES_SHEET = "代码表"
# The columns a file must have (a value per row is checked by the member validation).
REQUIRED_KEYS = ("name", "id_number", "education", "occupation", "join_date", "member_type")

_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff*＊"), None)


def normalise_header(text) -> str:
    """'  身份证号码（必填）* ' → '身份证号码'; full-width letters and digits → half-width."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).translate(_INVISIBLE)
    value = "".join(value.split())
    stripped = _BRACKETS.sub("", value)
    return stripped or value


def _header_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for col in COLUMNS:
        for name in (col.header, *col.aliases):
            mapping[normalise_header(name)] = col.key
            mapping[name] = col.key
    return mapping


HEADER_TO_KEY = _header_map()


def match_header(text) -> str | None:
    if text is None:
        return None
    raw = "".join(str(text).split())
    return HEADER_TO_KEY.get(raw) or HEADER_TO_KEY.get(normalise_header(text))


def label_to_code(col: Column) -> dict[str, str]:
    """Every accepted spelling of a choice column's values → code (labels, codes, extras)."""
    mapping = {}
    for code, label in col.choices:
        if label:
            mapping[label] = code
        if code:
            mapping[code] = code
    mapping.update(col.extra_labels)
    if col.key == "degree":
        mapping["无"] = ""
    return mapping


def code_to_label(col: Column) -> dict[str, str]:
    return {code: label for code, label in col.choices}
