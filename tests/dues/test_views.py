import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.actors import system_actor
from apps.core.models import AccessLog
from apps.dues import services
from apps.dues.models import ArrearsCase, Collection, DuesLine, Payment, Reduction
from tests.dues.conftest import salaried
from tests.factories import make_member, make_user

D = Decimal


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def month():
    from django.utils import timezone

    return timezone.localdate().replace(day=1)


@pytest.fixture
def setup(branch, other_branch, secretary, month):
    m = salaried(branch, "4000", month="2020-01")
    services.generate_month(branch, month, actor=system_actor("cli"))
    line = DuesLine.objects.get(member=m)
    return {"member": m, "line": line}


def test_ledger_page_and_generate(client, branch, secretary, month):
    salaried(branch, "4000", month="2020-01")
    login(client, secretary)
    r = client.get(reverse("dues:ledger"))
    assert r.status_code == 200 and "生成本月台账" in r.content.decode()
    r = client.post(reverse("dues:generate"), {"org": branch.pk, "month": f"{month:%Y-%m}"}, follow=True)
    assert "新增1条" in r.content.decode()
    assert DuesLine.objects.count() == 1
    r = client.get(reverse("dues:ledger"), {"org": branch.pk, "month": f"{month:%Y-%m}"})
    assert "40.00" in r.content.decode() and "未交" in r.content.decode()


def test_htmx_payment(client, setup, secretary, month):
    login(client, secretary)
    line = setup["line"]
    r = client.get(reverse("dues:pay_form", args=[line.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "确认登记" in r.content.decode()
    data = {"from_month": f"{month:%Y-%m}", "amount": "39.00", "mode": "monthly", "payer_kind": "self", "method": "cash"}
    r = client.post(reverse("dues:pay", args=[line.pk]), data, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "金额不符" in r.content.decode()
    assert Payment.objects.count() == 0
    data.update(amount="40.00", payer_kind="proxy", payer_name="王芳")
    r = client.post(reverse("dues:pay", args=[line.pk]), data, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "已交" in r.content.decode() and "代交：王芳" in r.content.decode()
    assert Payment.objects.get().payer_name == "王芳"
    r = client.post(reverse("dues:pay", args=[line.pk]), data)
    assert r.status_code == 400 and "不能重复缴纳" in r.content.decode()


def test_ledger_query_count_is_fixed(client, branch, secretary, month):
    login(client, secretary)
    url = reverse("dues:ledger") + f"?org={branch.pk}&month={month:%Y-%m}"

    def count_for(n):
        Payment.objects.all().delete()
        DuesLine.objects.all().delete()
        for _ in range(n):
            salaried(branch, "4000", month="2020-01")
        services.generate_month(branch, month, actor=system_actor("cli"))
        first = DuesLine.objects.filter(organisation=branch).first()
        services.record_payment(first.member, months=[month], amount="40.00", actor=system_actor("cli"))
        client.get(url)  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count_for(3) == count_for(30)


def test_export_logs_access(client, setup, secretary, month):
    login(client, secretary)
    services.record_payment(setup["member"], months=[month], amount="40.00", actor=system_actor("cli"))
    r = client.get(reverse("dues:export"), {"org": setup["line"].organisation_id, "month": f"{month:%Y-%m}"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0] == ("党员", "缴纳基数（元）", "比例", "应交金额（元）", "实交（元）", "缴纳日期", "交至（年月）")
    assert rows[1][0] == setup["member"].name and rows[1][2] == "1%" and rows[1][6] == f"{month:%Y-%m}"
    assert AccessLog.objects.filter(kind="export", org_path=setup["line"].org_path).count() == 1


def test_member_sees_own_history_only(client, setup, branch, month):
    m = setup["member"]
    own = make_user("member", branch, member=m)
    other = make_member(branch)
    login(client, own)
    assert client.get(reverse("dues:my")).status_code == 302
    r = client.get(reverse("dues:member", args=[m.pk]))
    assert r.status_code == 200 and "40.00" in r.content.decode() and "登记缴费" not in r.content.decode()
    assert client.get(reverse("dues:member", args=[other.pk])).status_code == 404
    assert client.post(reverse("dues:member", args=[m.pk]), {"form": "voluntary", "vol-amount": "5"}).status_code == 404
    r = client.get(reverse("dues:disclosure"))
    assert r.status_code == 200 and branch.name in r.content.decode()
    assert client.get(reverse("dues:ledger")).status_code == 302  # redirected to own history


def test_disclosure_has_no_personal_amounts(client, setup, secretary, branch, month):
    from apps.dues import months as mo

    login(client, secretary)
    last_month = mo.shift(month, -1)  # the paid-up rate counts months up to last month
    services.generate_month(branch, last_month, actor=system_actor("cli"))
    services.record_payment(setup["member"], months=[last_month], amount="40.00", actor=system_actor("cli"))
    r = client.get(reverse("dues:disclosure"))
    text = r.content.decode()
    assert r.status_code == 200 and "100.0%" in text and setup["member"].name not in text


def test_member_page_forms(client, setup, secretary, organiser, month):
    login(client, secretary)
    m = setup["member"]
    url = reverse("dues:member", args=[m.pk])
    r = client.post(url, {"form": "declaration", "decl-category": "salaried", "decl-base": "-1", "decl-effective_month": f"{month:%Y-%m}"})
    assert r.status_code == 400 and "不能为负数" in r.content.decode()
    r = client.post(
        url, {"form": "declaration", "decl-category": "salaried", "decl-base": "6000", "decl-effective_month": f"{month:%Y-%m}"}
    )
    assert r.status_code == 302 and DuesLine.objects.get(pk=setup["line"].pk).amount_due == D("90.00")
    r = client.post(url, {"form": "voluntary", "vol-amount": "1000"})
    assert r.status_code == 302
    r = client.post(
        url,
        {
            "form": "reduction",
            "red-kind": "exempt",
            "red-start_month": f"{month:%Y-%m}",
            "red-end_month": f"{month:%Y-%m}",
            "red-reason": "大病",
        },
    )
    assert r.status_code == 302
    red = Reduction.objects.get()
    assert client.post(reverse("dues:decide_reduction", args=[red.pk]), {"approve": "1"}).status_code == 404  # branch cannot approve
    login(client, organiser)
    assert "待审批" in client.get(reverse("dues:reductions")).content.decode()
    client.post(reverse("dues:decide_reduction", args=[red.pk]), {"approve": "1", "note": "同意"})
    assert Reduction.objects.get().status == "approved"
    assert DuesLine.objects.get(pk=setup["line"].pk).status == "exempt"


def test_collections_page_hand_over_and_confirm(client, tree, setup, secretary, organiser, month):
    login(client, secretary)
    services.record_payment(setup["member"], months=[month], amount="40.00", actor=system_actor("cli"))
    branch = setup["line"].organisation
    url = reverse("dues:collections") + f"?org={branch.pk}&month={month:%Y-%m}"
    r = client.post(url, {"amount": "30.00"})
    assert r.status_code == 400 and "须说明差额原因" in r.content.decode()
    r = client.post(url, {"amount": "40.00"})
    assert r.status_code == 302
    coll = Collection.objects.get()
    assert client.post(reverse("dues:confirm", args=[coll.pk])).status_code == 404  # sender cannot confirm
    login(client, organiser)
    r = client.get(reverse("dues:collections") + f"?org={tree['committees'][0].pk}&month={month:%Y-%m}")
    assert r.status_code == 200 and "确认收到" in r.content.decode()
    client.post(reverse("dues:confirm", args=[coll.pk]))
    assert Collection.objects.get().status == "confirmed"
    # The annual upward remittance belongs to the top of the tree, not to a 党委.
    r = client.post(
        reverse("dues:remittance"), {"org": tree["committees"][0].pk, "year": month.year, "amount_remitted": "2.00"}, follow=True
    )
    assert "年度上缴由本系统最上级组织办理" in r.content.decode()
    assert "登记年度上缴" not in client.get(reverse("dues:collections") + f"?org={tree['committees'][0].pk}").content.decode()
    login(client, make_user("county_admin", tree["county"]))
    r = client.post(reverse("dues:remittance"), {"org": tree["county"].pk, "year": month.year, "amount_remitted": "2.00"}, follow=True)
    assert "已登记年度党费上缴" in r.content.decode()


def test_arrears_pages(client, branch, secretary):
    m = salaried(branch, "4000", month="2020-01")
    from django.utils import timezone

    from apps.dues import months as mo

    today = timezone.localdate()

    for i in range(1, 8):
        services.generate_month(branch, mo.shift(today.replace(day=1), -i), open_cases=False, actor=system_actor("cli"))
    services.refresh_arrears_cases(branch, actor=system_actor("cli"))
    login(client, secretary)
    r = client.get(reverse("dues:arrears"))
    assert r.status_code == 200 and m.name in r.content.decode() and "自行脱党" in r.content.decode()
    from apps.core.todo import items_for

    titles = [i.title for i in items_for(secretary) if i.module == "党费"]
    assert any("连续7个月未交纳党费" in t for t in titles)
    case = ArrearsCase.objects.get()
    r = client.post(
        reverse("dues:arrears_case", args=[case.pk]), {"decision": "paid_up", "meeting_date": f"{today:%Y-%m-%d}", "note": "已补交"}
    )
    assert r.status_code == 302
    assert ArrearsCase.objects.get().decision == "paid_up"


def test_other_branch_secretary_gets_404_everywhere(client, tree, setup, outsider, secretary, month):
    m, line = setup["member"], setup["line"]
    branch = line.organisation
    services.record_payment(m, months=[month], amount="40.00", actor=system_actor("cli"))
    case = ArrearsCase.objects.create(
        member=m, organisation=branch, org_path=branch.path, opened_on=month, first_unpaid_month=month, months_unpaid=6
    )
    red = services.propose_reduction(
        m, kind="exempt", start_month=mo_next(month), end_month=mo_next(month), reason="困难", actor=system_actor("cli")
    )
    coll = services.hand_over(branch, month, amount="40.00", actor=system_actor("cli"))
    login(client, outsider)
    q = {"org": branch.pk, "month": f"{month:%Y-%m}"}
    assert client.get(reverse("dues:ledger"), q).status_code == 404
    assert client.get(reverse("dues:export"), q).status_code == 404
    assert client.get(reverse("dues:collections"), q).status_code == 404
    assert client.get(reverse("dues:disclosure"), q).status_code == 404
    assert client.get(reverse("dues:arrears"), q).status_code == 404
    assert client.post(reverse("dues:generate"), q).status_code == 404
    assert client.post(reverse("dues:remittance"), {"org": branch.pk, "year": 2026, "amount_remitted": "1"}).status_code == 404
    assert client.get(reverse("dues:pay_form", args=[line.pk])).status_code == 404
    assert client.post(reverse("dues:pay", args=[line.pk]), {"amount": "40"}).status_code == 404
    assert client.post(reverse("dues:paid_elsewhere", args=[line.pk]), {"note": "x"}).status_code == 404
    assert client.get(reverse("dues:member", args=[m.pk])).status_code == 404
    assert client.get(reverse("dues:arrears_case", args=[case.pk])).status_code == 404
    assert client.post(reverse("dues:decide_reduction", args=[red.pk]), {"approve": "1"}).status_code == 404
    assert client.post(reverse("dues:confirm", args=[coll.pk])).status_code == 404
    r = client.get(reverse("dues:arrears"))
    assert m.name not in r.content.decode()
    r = client.get(reverse("dues:reductions"))
    assert m.name not in r.content.decode()


def mo_next(month):
    from apps.dues import months as mo

    return mo.shift(month, 1)


@pytest.mark.parametrize("page", ["dues:arrears", "dues:reductions", "dues:collections", "dues:disclosure", "dues:member"])
def test_list_pages_run_a_fixed_number_of_queries(client, tree, page):
    import random

    from apps.dues import demo

    county = tree["county"]
    admin = make_user("county_admin", county)
    client.force_login(admin)
    counts = []
    for n in (3, 30):
        for _ in range(n):
            make_member(tree["branches"][0][0], occupation="farmer")
        from apps.dues import models as dm

        for model in (dm.PaymentMonth, dm.DuesLine, dm.Payment, dm.ArrearsCase, dm.Reduction, dm.Collection, dm.IncomeDeclaration):
            model.objects.all().delete()
        for model in (dm.LedgerMonth, dm.VoluntaryPayment, dm.AnnualRemittance):
            model.objects.all().delete()
        from django.utils import timezone

        demo.populate(county, random.Random(n), timezone.localdate())
        member = DuesLine.objects.order_by("-id").first().member
        url = reverse(page, args=[member.pk]) if page == "dues:member" else reverse(page)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_committee_export_covers_the_subtree(client, tree, setup, organiser, month):
    login(client, organiser)
    r = client.get(reverse("dues:export"), {"org": tree["committees"][0].pk, "month": f"{month:%Y-%m}"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][0] == "党组织" and rows[1][0] == setup["line"].organisation.name and rows[1][1] == setup["member"].name


def test_branch_panel_tag(rf, setup, secretary, outsider):
    from django.template import Context, Template

    branch = setup["line"].organisation
    tpl = Template("{% load dues_tags %}{% dues_branch_panel org %}")
    request = rf.get("/")
    request.user = secretary
    html = tpl.render(Context({"request": request, "org": branch}))
    assert "本月台账1人" in html and "应交40.00元" in html
    request.user = outsider
    assert "党费" not in tpl.render(Context({"request": request, "org": branch}))


def test_member_only_user_cannot_post_manager_actions(client, setup, branch):
    user = make_user("member", branch, member=setup["member"])
    client.force_login(user)
    assert client.post(reverse("dues:generate"), {"month": "2026-01"}).status_code == 404
    assert client.post(reverse("dues:remittance"), {"year": 2026, "amount_remitted": "1"}).status_code == 404
    assert client.get(reverse("dues:collections")).status_code == 404
    assert client.get(reverse("dues:export")).status_code == 404


def test_mobile_member_line_offers_paid_elsewhere(client, setup, secretary, month):
    import datetime

    from apps.members import services as member_services

    line = setup["line"]
    login(client, secretary)
    url = reverse("dues:paid_elsewhere", args=[line.pk])
    assert url not in client.get(reverse("dues:ledger"), {"month": f"{month:%Y-%m}"}).content.decode()
    member_services.change_status(setup["member"], "mobile", date=datetime.date(2024, 1, 1), reason="外出务工", actor=system_actor("cli"))
    html = client.get(reverse("dues:ledger"), {"month": f"{month:%Y-%m}"}).content.decode()
    assert url in html
    client.post(url, {"note": "厦门市某社区党委"})
    line.refresh_from_db()
    assert line.status == DuesLine.Status.PAID_ELSEWHERE


def test_todo_says_how_many_more_reductions_wait(tree, setup, branch, month, monkeypatch):
    from apps.core.todo import items_for
    from apps.dues import selectors

    monkeypatch.setattr(selectors, "TODO_EACH", 1)
    other = make_member(branch)
    for m in (setup["member"], other):
        services.propose_reduction(
            m, kind="exempt", start_month=mo_next(month), end_month=mo_next(month), reason="困难", actor=system_actor("cli")
        )
    admin = make_user("county_admin", tree["county"])
    titles = [i.title for i in items_for(admin) if i.module == "党费"]
    assert sum("申请待审批" in t for t in titles) == 2  # one listed, one line for the rest
    assert any(t.startswith("另有1项党费减免申请待审批") for t in titles)


def test_exported_money_is_exact_with_two_decimals(client, tree, branch, secretary, organiser, month):
    """Issue 12 item 10: the ledger and the 下级对账 list export write money as a number
    with two decimals, exactly (98019.15, never 98019.14999999999)."""
    from tests.xlsx_reader import raw_cells

    m = salaried(branch, "98019.15", month="2020-01")
    services.generate_month(branch, month, actor=system_actor("cli"))
    line = DuesLine.objects.get(member=m)
    login(client, secretary)
    r = client.get(reverse("dues:export"), {"org": branch.pk, "month": f"{month:%Y-%m}"})
    header, row = raw_cells(r.content)[:2]
    cells = dict(zip([h[1] for h in header], row, strict=False))
    assert cells["缴纳基数（元）"] == ("n", "98019.15", "0.00")
    assert cells["应交金额（元）"] == ("n", f"{line.amount_due:f}", "0.00")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["B2"].number_format == "0.00" and Decimal(str(ws["B2"].value)) == D("98019.15")

    login(client, organiser)
    r = client.post(reverse("excel:export_dues_collections") + f"?org={tree['committees'][0].pk}&month={month:%Y-%m}")
    assert r.status_code == 200
    header, *rows = raw_cells(r.content)
    due = [h[1] for h in header].index("应收（元）")
    assert rows and all(row[due][0] == "n" and row[due][2] == "0.00" for row in rows)
    assert any(row[due][1] == f"{line.amount_due:f}" for row in rows)


def test_inline_payment_refreshes_the_summary_cards(client, setup, secretary, month):
    """Issue 12 item 23: after an inline (htmx) payment the row and the month's summary
    cards (已交合计) are sent back; the cards used to stay stale until a reload."""
    import re

    login(client, secretary)
    line = setup["line"]
    page = client.get(reverse("dues:ledger"), {"org": line.organisation_id, "month": f"{month:%Y-%m}"}).content.decode()
    assert 'id="ledger-totals"' in page
    data = {"from_month": f"{month:%Y-%m}", "amount": "40.00", "mode": "monthly", "payer_kind": "self", "method": "cash"}
    r = client.post(reverse("dues:pay", args=[line.pk]), data, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and f'id="line-{line.pk}"' in html
    cards = re.search(r'<div class="grid grid-4" id="ledger-totals" hx-swap-oob="true">(.*?)</div>\s*$', html, re.S)
    assert cards, html
    assert re.search(r'<div class="num">40.00</div><div class="label">已交合计（元）', cards.group(1))
    assert re.search(r'<div class="num">1</div><div class="label">已交/免交/流入地交纳', cards.group(1))
