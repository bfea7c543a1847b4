"""The arrears list and the reductions list: paged, searchable, filtered by the
organisation picker, and a fixed number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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
        services.generate_month(org, mo.shift(this_month, -k), open_cases=False)
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
    services.refresh_arrears_cases(branch)
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
            services.propose_reduction(salaried(branch, **kw), kind="exempt", start_month=month, end_month=month, reason="困难")

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
