"""Building .xlsx files for the import tests: good rows from the shared factories, and
the corpus of bad files (each a small variation of a good file)."""

import datetime
import io

from openpyxl import Workbook

from apps.excel import columns as C
from tests.factories import member_data

HEADERS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "学历",
    "工作岗位",
    "联系电话",
    "入党日期",
    "转正日期",
    "人员类别",
    "所在党组织",
    "党员类别",
]


def org_path_name(org) -> str:
    from apps.orgs.models import Organisation

    step = Organisation.steplen
    paths = [org.path[: step * k] for k in range(1, org.depth + 1)]
    names = dict(Organisation.objects.filter(path__in=paths).values_list("path", "name"))
    return "/".join(names[p] for p in paths)


def good_row(org, *, by_code=False, **overrides) -> dict:
    """One valid row as a {header: value} dict (labels, not codes)."""
    data = member_data(org)
    labels = {c.key: C.code_to_label(c) for c in C.COLUMNS if c.choices}
    row = {
        "姓名": data["name"],
        "性别": labels["sex"][data["sex"]],
        "民族": "汉族",
        "出生日期": data["birth_date"],
        "公民身份号码": data["id_number"],
        "学历": labels["education"][data["education"]],
        "工作岗位": labels["occupation"][data["occupation"]],
        "联系电话": data["phone"],
        "入党日期": data["join_date"],
        "转正日期": data["conversion_date"],
        "人员类别": labels["member_type"][data["member_type"]],
        "所在党组织": org.code if by_code else org_path_name(org),
        "党员类别": "",
    }
    row.update(overrides)
    return row


def build_workbook(rows: list[dict], headers: list[str] | None = None, *, title: str = C.DATA_SHEET) -> Workbook:
    headers = headers or list(dict.fromkeys(h for r in rows for h in r)) or HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    return wb


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx(rows: list[dict], headers: list[str] | None = None) -> bytes:
    return to_bytes(build_workbook(rows, headers))


def date(y, m, d):
    return datetime.date(y, m, d)


def county_of(org):
    from apps.orgs.models import Organisation

    return Organisation.objects.get(path=org.path[: Organisation.steplen])
