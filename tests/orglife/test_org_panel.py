"""Issue 14: the organisation's page shows its organisational life — per meeting kind the
current month/quarter/year and the year so far (required, met, held, missing) — through
orglife's template tag (orgs imports nothing of orglife); scoped (another branch: 404);
a fixed number of queries whatever the number of meetings."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.orglife import services

from .conftest import CLI, meeting

pytestmark = pytest.mark.django_db


def _page(client, org):
    r = client.get(reverse("orgs:detail", args=[org.pk]))
    assert r.status_code == 200
    return r.content.decode()


def test_the_branch_page_shows_required_and_held_per_kind(client, branch, members, secretary):
    today = timezone.localdate()
    services.record_attendance(meeting(branch, held_on=today.replace(day=1)), [], actor=CLI)
    client.force_login(secretary)
    page = _page(client, branch)
    assert "组织生活落实情况" in page and "主题党日" in page and "党课" in page
    assert f"{today.year}年{today.month}月：已开展" in page  # this month's 主题党日
    quarter = (today.month - 1) // 3 + 1
    assert f'{today.year}年第{quarter}季度：<span class="muted">尚未开展' in page  # no 党课 this quarter
    if today.month > 1:
        assert f"{today.year}年1月" in page  # January's 主题党日 is missing
    assert f"?org={branch.pk}" in page


def test_another_branch_gets_404_and_a_member_page_without_the_panel(client, branch, other_branch, outsider):
    client.force_login(outsider)
    assert client.get(reverse("orgs:detail", args=[branch.pk])).status_code == 404
    assert "组织生活落实情况" in _page(client, other_branch)


def test_the_panel_costs_a_fixed_number_of_queries(client, branch, members, secretary):
    client.force_login(secretary)
    today = timezone.localdate()
    counts = []
    for n in (1, 4):
        for i in range(n):
            day = today - datetime.timedelta(days=40 * i + 1)
            if day.year == today.year:
                services.record_attendance(meeting(branch, held_on=day, topic=f"第{n}{i}次"), [], actor=CLI)
        _page(client, branch)
        with CaptureQueriesContext(connection) as ctx:
            _page(client, branch)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
