"""Exports in the import template's layout, so an export can be re-imported as is
(round trip). Personal data is masked unless the caller asks for full data; the caller
(views, tasks, API) checks the "export_full" action and writes the AccessLog entry —
see apps.excel.services.

Queries: a fixed number per 1,000 rows (the members a page of primary keys at a time
with their categories prefetched, the organisation names once)."""

from collections.abc import Callable, Iterator

from apps.core import crypto
from apps.core.xlsx import write_table
from apps.orgs.models import Organisation

from . import columns as C
from . import generic

CHUNK = 1000  # primary keys per query (SQLite's parameter limit is safe)


def org_name_paths(paths: set[str]) -> dict[str, tuple[str, str]]:
    """org path → (full name path from the top, code), with one query for all ancestors."""
    step = Organisation.steplen
    wanted = {p[: step * k] for p in paths for k in range(1, len(p) // step + 1)}
    orgs = {o.path: o for o in Organisation.objects.filter(path__in=list(wanted)).only("path", "name", "code")}
    result = {}
    for p in paths:
        names = [orgs[p[: step * k]].name for k in range(1, len(p) // step + 1) if p[: step * k] in orgs]
        result[p] = ("/".join(names), orgs[p].code if p in orgs else "")
    return result


def member_headers() -> list[str]:
    return [c.header for c in C.COLUMNS]


def member_rows(queryset, *, full_pii: bool, progress: Callable[[int], None] | None = None) -> Iterator[list]:
    labels = {c.key: C.code_to_label(c) for c in C.COLUMNS if c.choices}
    paths = set(queryset.order_by().values_list("org_path", flat=True).distinct())
    orgs = org_name_paths(paths)
    members = (m for chunk in generic.in_chunks(queryset.prefetch_related("categories"), CHUNK) for m in chunk)
    for n, m in enumerate(members, start=1):
        org_path, org_code = orgs.get(m.org_path, ("", ""))
        row = []
        for col in C.COLUMNS:
            key = col.key
            if key == "id_number":
                value = m.reveal_id_number() if full_pii else m.id_number_masked
            elif key == "phone":
                value = m.reveal_phone() if full_pii else m.phone_masked
            elif key == "org":
                value = org_path
            elif key == "org_code":
                value = org_code
            elif key == "categories":
                value = "、".join(labels["categories"].get(c.code, c.code) for c in sorted(m.categories.all(), key=lambda c: c.code))
            else:
                value = getattr(m, key)
                if key in labels:
                    value = labels[key].get(value, value) if value else ""
            row.append("" if value is None else value)
        if progress and n % 500 == 0:
            progress(n)
        yield row


def export_members(queryset, *, full_pii: bool, stream=None, progress: Callable[[int], None] | None = None):
    """The roster in the template's layout (sheet 党员信息) → a file-like object."""
    widths = [c.width for c in C.COLUMNS]
    return write_table(
        C.DATA_SHEET, member_headers(), member_rows(queryset, full_pii=full_pii, progress=progress), widths=widths, stream=stream
    )


ORG_HEADERS = [
    "组织全称",
    "简称",
    "组织代码",
    "组织类别",
    "单位类型",
    "上级党组织",
    "成立日期",
    "本届任期开始",
    "本届任期届满",
    "联系人",
    "联系电话",
    "地址",
    "状态",
    "直属党员数",
]


def org_rows(queryset) -> Iterator[list]:
    step = Organisation.steplen
    orgs = list(queryset.order_by("path"))
    parents = {o.path[:-step] for o in orgs if o.depth > 1}
    names = {o.path: o.name for o in Organisation.objects.filter(path__in=list(parents)).only("path", "name")}
    for o in orgs:
        yield [
            o.name,
            o.short_name,
            o.code,
            o.get_org_type_display(),
            o.get_unit_type_display(),
            names.get(o.path[:-step], "") if o.depth > 1 else "",
            o.founded_on,
            o.term_start,
            o.term_end,
            o.contact_person,
            o.contact_phone,
            o.address,
            o.get_status_display(),
            o.direct_member_count,
        ]


def export_orgs(queryset, *, stream=None):
    return write_table(
        "党组织", ORG_HEADERS, org_rows(queryset), widths=[36, 16, 12, 10, 14, 30, 12, 12, 12, 10, 14, 30, 8, 10], stream=stream
    )


def mask(value: str, kind: str) -> str:
    return crypto.mask_id_number(value) if kind == "id_number" else crypto.mask_phone(value)
