"""The list-export engine (apps.excel.generic): column paths through objects and dicts,
callables, cell values as the screen shows them, a prepare hook run per chunk."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from apps.excel.generic import rows_for, write_list
from apps.members.models import Member
from tests.factories import make_member, make_user


def test_write_list_columns_masked_and_counted(tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    make_member(tree["branches"][1][0])
    user = make_user("branch_secretary", branch)
    qs = Member.objects.restrict(user).select_related("organisation")
    out, n = write_list(
        "测试名册",
        [("姓名", "name"), ("组织", "organisation.name", 30), ("证号", "id_number_masked"), ("性别", lambda o: o.get_sex_display())],
        qs,
    )
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    assert ws.title == "测试名册" and n == 1
    assert [c.value for c in ws[1]] == ["姓名", "组织", "证号", "性别"]
    assert ws.max_row == 2 and ws.cell(row=2, column=1).value == m.name and "*" in ws.cell(row=2, column=3).value
    assert m.reveal_id_number() not in [c.value for c in ws[2]]


def test_rows_for_dicts_values_chunks_and_limit():
    items = [{"n": i, "when": datetime.date(2026, 1, i + 1), "ok": i % 2 == 0, "none": None} for i in range(5)]
    chunks = []

    def prepare(chunk):
        chunks.append(len(chunk))
        return chunk

    rows = list(
        rows_for(items, [("n", "n"), ("日期", "when"), ("是否", "ok"), ("空", "none.deeper")], prepare=prepare, chunk_size=2, limit=4)
    )
    assert rows == [
        [0, datetime.date(2026, 1, 1), "是", ""],
        [1, datetime.date(2026, 1, 2), "否", ""],
        [2, datetime.date(2026, 1, 3), "是", ""],
        [3, datetime.date(2026, 1, 4), "否", ""],
    ]
    assert chunks == [2, 2], "prepare runs once per chunk, and not past the limit"


@pytest.mark.django_db(transaction=True)
def test_list_export_holds_no_cursor_open_between_chunks(tree):
    """Like the roster export (tests/excel/test_jobs.py): between chunks another connection
    writes the table being exported; an open iterator() cursor made that fail."""
    from django.db import connections

    branch = tree["branches"][0][0]
    for _ in range(5):
        make_member(branch)
    other = connections.create_connection("default")
    seen = []

    def prepare(chunk):
        with other.cursor() as cursor:
            cursor.execute("UPDATE members_member SET remarks = %s", [f"chunk{len(seen)}"])
        seen.append(len(chunk))
        return chunk

    try:
        rows = list(rows_for(Member.objects.order_by("pk"), [("姓名", "name")], prepare=prepare, chunk_size=2))
    finally:
        other.close()
    assert seen == [2, 2, 1] and len(rows) == 5


def test_in_chunks_keeps_order_and_limit_for_objects_and_grouped_rows(tree):
    from django.db.models import Count

    from apps.excel.generic import in_chunks

    branch = tree["branches"][0][0]
    members = [make_member(branch) for _ in range(5)]
    newest_first = Member.objects.order_by("-pk")
    assert [[m.pk for m in c] for c in in_chunks(newest_first, 2)] == [[m.pk for m in members[::-1][i : i + 2]] for i in (0, 2, 4)]
    assert [len(c) for c in in_chunks(newest_first, 2, limit=3)] == [2, 1]
    grouped = Member.objects.values("organisation_id").annotate(n=Count("pk")).order_by("organisation_id")
    assert [c for c in in_chunks(grouped, 2)] == [[{"organisation_id": branch.pk, "n": 5}]]
    assert list(in_chunks(iter(range(5)), 2, limit=3)) == [[0, 1], [2]]
