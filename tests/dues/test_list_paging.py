"""The arrears list and the reductions list: paged, searchable, filtered by the
organisation picker, and a fixed number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.paging import PAGE_SIZE
from apps.dues import months as mo
from apps.dues import services
from apps.orgs.picker import picker_label

from .conftest import salaried


def _arrears(org, n, *, months=4, **kw):
    """n members of org with `months` unpaid months before this one."""
    members = [salaried(org, month="2020-01", **kw) for _ in range(n)]
    this_month = mo.month_start(timezone.localdate())
    for k in range(months, 0, -1):
        services.generate_month(org, mo.shift(this_month, -k), open_cases=False, actor=system_actor("cli"))
    return members


def _names(html, members):
    return {m.name for m in members if m.name in html}


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def test_arrears_pages_and_counts(organiser_client, branch):
    members = _arrears(branch, PAGE_SIZE + 3)
    first = organiser_client.get(reverse("dues:arrears")).content.decode()
    second = organiser_client.get(reverse("dues:arrears"), {"page": 2}).content.decode()
    assert f"共 {PAGE_SIZE + 3} 条" in first and "下一页" in first
    on_first, on_second = _names(first, members), _names(second, members)
    assert on_second and not (on_first & on_second)
    assert second.count('data-label="党员"><a href=') == 3


def test_arrears_query_count_is_fixed(organiser_client, branch):
    _arrears(branch, 2)
    organiser_client.get(reverse("dues:arrears"))
    with CaptureQueriesContext(connection) as few:
        assert organiser_client.get(reverse("dues:arrears")).status_code == 200
    _arrears(branch, PAGE_SIZE + 5, months=7)  # more rows, and open cases on the page
    services.refresh_arrears_cases(branch, actor=system_actor("cli"))
    with CaptureQueriesContext(connection) as many:
        assert organiser_client.get(reverse("dues:arrears")).status_code == 200
    assert len(many) == len(few)


def test_arrears_search_and_org_filter(organiser_client, tree, branch):
    here = _arrears(branch, 2, name="欧阳欠交")
    sibling = tree["branches"][0][1]
    there = _arrears(sibling, 2, name="司徒欠交")
    html = organiser_client.get(reverse("dues:arrears"), {"q": "欧阳"}).content.decode()
    assert _names(html, here) and not _names(html, there)
    html = organiser_client.get(reverse("dues:arrears"), {"q": "situ"}).content.decode()  # pinyin
    assert _names(html, there) and not _names(html, here)
    # the picker: id, or a code typed without JavaScript
    html = organiser_client.get(reverse("dues:arrears"), {"org": sibling.pk}).content.decode()
    assert _names(html, there) and not _names(html, here) and picker_label(sibling) in html
    html = organiser_client.get(reverse("dues:arrears"), {"org_text": sibling.code}).content.decode()
    assert _names(html, there) and not _names(html, here)


def test_arrears_org_filter_outside_scope(client, tree, secretary, branch, other_branch):
    mine = _arrears(branch, 1)
    theirs = _arrears(other_branch, 1)
    client.force_login(secretary)
    assert client.get(reverse("dues:arrears"), {"org": other_branch.pk}).status_code == 404
    r = client.get(reverse("dues:arrears"), {"org_text": other_branch.code})
    html = r.content.decode()
    assert r.status_code == 200 and "党组织：未找到" in html and "不在您的管理范围内" in html
    assert _names(html, mine) and not _names(html, theirs) and other_branch.name not in html


def test_reductions_paged_and_fixed_queries(organiser_client, branch):
    month = f"{timezone.localdate():%Y-%m}"

    def propose(n, **kw):
        for _ in range(n):
            services.propose_reduction(
                salaried(branch, **kw), kind="exempt", start_month=month, end_month=month, reason="困难", actor=system_actor("cli")
            )

    propose(2)
    organiser_client.get(reverse("dues:reductions"))
    with CaptureQueriesContext(connection) as few:
        organiser_client.get(reverse("dues:reductions"))
    propose(PAGE_SIZE + 1, name="上官减免")
    with CaptureQueriesContext(connection) as many:
        html = organiser_client.get(reverse("dues:reductions")).content.decode()
    assert len(many) == len(few)
    assert f"共 {PAGE_SIZE + 3} 条" in html and "下一页" in html
    html = organiser_client.get(reverse("dues:reductions"), {"q": "上官"}).content.decode()
    assert f"共 {PAGE_SIZE + 1} 条" in html


# ---------------------------------------------------------------------------- the ledger
# A branch's monthly sheet shows whole up to LEDGER_SHEET_SIZE lines (1000); a branch
# beyond runs on to further pages, the totals always of the whole month. Shrunk here.


def _ledger(org, n, month, **kw):
    members = [salaried(org, **kw) for _ in range(n)]
    services.generate_month(org, month, open_cases=False, actor=system_actor("cli"))
    return members


def test_ledger_pages_beyond_the_sheet_size_totals_of_the_whole_month(organiser_client, branch, monkeypatch):
    from apps.dues import selectors
    from apps.dues.models import DuesLine

    monkeypatch.setattr(selectors, "LEDGER_SHEET_SIZE", 5)
    month = f"{timezone.localdate():%Y-%m}"
    url, params = reverse("dues:ledger"), {"org": branch.pk, "month": month}
    _ledger(branch, 2, month)
    organiser_client.get(url, params)
    with CaptureQueriesContext(connection) as few:
        r = organiser_client.get(url, params)
    assert len(r.context["data"]["lines"]) == 2 and 'id="ledger-paged"' not in r.content.decode()
    _ledger(branch, 10, month)
    with CaptureQueriesContext(connection) as many:
        r = organiser_client.get(url, params)
    assert len(many) == len(few)
    html = r.content.decode()
    lines = DuesLine.objects.filter(organisation=branch, month=mo.parse_month(month))
    totals = r.context["data"]["totals"]
    assert totals["count"] == 12 and totals["due"] == sum(line.amount_due for line in lines)
    assert len(r.context["data"]["lines"]) == 5
    assert "本月台账共12条，每页显示5条" in html and "共 12 条" in html
    assert f'href="?org={branch.pk}&amp;month={month}&amp;page=2"' in html
    shown = [line.pk for p in (1, 2, 3) for line in organiser_client.get(url, {**params, "page": p}).context["data"]["lines"]]
    assert sorted(shown) == sorted(lines.values_list("pk", flat=True))


def test_paid_elsewhere_returns_to_the_ledger_page(organiser_client, branch, monkeypatch):
    from apps.dues import selectors
    from apps.dues.models import DuesLine

    monkeypatch.setattr(selectors, "LEDGER_SHEET_SIZE", 2)
    month = f"{timezone.localdate():%Y-%m}"
    _ledger(branch, 3, month, status="mobile")
    html = organiser_client.get(reverse("dues:ledger"), {"org": branch.pk, "month": month, "page": 2}).content.decode()
    assert '<input type="hidden" name="page" value="2">' in html
    line = DuesLine.objects.filter(organisation=branch).order_by("member__name_pinyin", "member_id").last()
    r = organiser_client.post(reverse("dues:paid_elsewhere", args=[line.pk]), {"note": "深圳市某党支部", "page": "2"})
    assert r.status_code == 302 and r["Location"].endswith(f"?org={branch.pk}&month={month}&page=2")
    line.refresh_from_db()
    assert line.status == DuesLine.Status.PAID_ELSEWHERE


def test_ledger_says_how_many_lack_a_base_and_how_many_are_in_arrears(organiser_client, branch, monkeypatch):
    from apps.dues import selectors
    from apps.dues import views as dues_views
    from tests.factories import make_member

    monkeypatch.setattr(selectors, "MISSING_SHOWN", 2)
    monkeypatch.setattr(dues_views, "ARREARS_SHOWN", 2)
    _arrears(branch, 3)
    for _ in range(3):
        make_member(branch)  # no declared base: no line this month
    services.generate_month(branch, mo.month_start(timezone.localdate()), open_cases=False, actor=system_actor("cli"))
    r = organiser_client.get(reverse("dues:ledger"), {"org": branch.pk})
    html = r.content.decode()
    assert r.context["data"]["missing_count"] == 3 and len(r.context["data"]["missing"]) == 2
    assert "共3名党员尚未申报缴纳基数，未生成本月台账，以下为按姓名排序的前2名" in html
    assert len(r.context["arrears"]) == 2 and "共3名党员欠缴，此处列出欠缴月数最多的2名" in html
    assert f'href="{reverse("dues:arrears")}?org={branch.pk}"' in html


def test_member_record_pages_its_months_and_payments(client, secretary, branch, monkeypatch):
    """A member's dues record lists every month and every payment, page by page (it used
    to stop at 120 months and 60 payments), with as many queries for more."""
    import datetime

    from apps.dues import views as dues_views

    monkeypatch.setattr(dues_views, "MEMBER_PAGE_SIZE", 3)
    m = salaried(branch, base="4000.00", month="2025-01")
    url = reverse("dues:member", args=[m.pk])
    client.force_login(secretary)

    def months(first, n):
        for k in range(n):
            month = mo.shift(mo.parse_month(first), k)
            services.generate_month(branch, month, open_cases=False, actor=system_actor("cli"))
            services.record_payment(
                m, months=[month], amount="40.00", paid_on=month + datetime.timedelta(days=4), actor=system_actor("cli")
            )

    months("2025-01", 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        r = client.get(url)
    assert len(r.context["lines"].rows) == 2 and len(r.context["payments"].rows) == 2
    months("2025-03", 5)
    with CaptureQueriesContext(connection) as many:
        r = client.get(url)
    assert len(many) == len(few)
    html = r.content.decode()
    assert html.count("共 7 条") == 2 and "lpage=2#lines" in html and "ppage=2#payments" in html
    seen = []
    for p in (1, 2, 3):
        seen += [f"{line.month:%Y-%m}" for line in client.get(url, {"lpage": p}).context["lines"].rows]
    assert seen == [f"{mo.shift(mo.parse_month('2025-07'), -k):%Y-%m}" for k in range(7)]  # newest first, none lost
    assert len(client.get(url, {"ppage": 3}).context["payments"].rows) == 1
