import io

from django.test import RequestFactory
from openpyxl import load_workbook

from apps.core.models import AccessLog
from apps.excel.generic import export_list
from apps.members.models import Member
from tests.factories import make_member, make_user


def test_export_list_writes_columns_and_logs(tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    make_member(tree["branches"][1][0])
    user = make_user("branch_secretary", branch)
    request = RequestFactory().get("/x/", {"q": "abc"})
    request.user = user
    qs = Member.objects.restrict(user).select_related("organisation")
    response = export_list(
        request,
        qs,
        title="测试名册",
        columns=[("姓名", "name"), ("组织", "organisation.name"), ("证号", "id_number_masked"), ("性别", lambda o: o.get_sex_display())],
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == ["姓名", "组织", "证号", "性别"]
    assert ws.max_row == 2 and ws.cell(row=2, column=1).value == m.name and "*" in ws.cell(row=2, column=3).value
    log = AccessLog.objects.get(kind="export")
    assert log.detail == {"filters": {"q": "abc"}, "rows": 1, "full_pii": False}
