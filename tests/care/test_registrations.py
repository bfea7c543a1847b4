import datetime
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from apps.care import demo, services, stats
from apps.care.models import Hardship, Visit
from apps.core import registry, todo
from tests.factories import make_member

from .conftest import CLI, occasion

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_registered_everywhere():
    assert "care" in registry.stats and "care" in registry.report_sections and "care" in registry.home and "care" in registry.demo
    assert "care_visits" in registry.org_metrics and "care_pairing" in registry.org_metrics
    assert {"care_visits", "care_hardships", "care_checklist", "care_subsidies"} <= {e.name for e in registry.lists}


def test_stats_metrics_report_and_todo(tree, branch, secretary, organiser):
    old = make_member(branch, birth_date=datetime.date(TODAY.year - 85, 1, 1))
    services.generate_checklist(branch, occasion("july_first"), TODAY.year, actor=CLI)
    services.record_visit(
        {
            "member": old,
            "occasion": occasion("july_first"),
            "visited_on": TODAY,
            "visitors": "书记",
            "content": "慰问",
            "amount": "300",
            "follow_up": "协调体检",
        },
        actor=CLI,
    )
    h = services.register_hardship(
        {
            "member": make_member(branch),
            "cause": "illness",
            "level": "general",
            "description": "x",
            "registered_on": TODAY - datetime.timedelta(days=200),
        },
        actor=CLI,
    )
    services.start_pairing(
        h,
        {
            "helper": old,
            "pledge_thought": "a",
            "pledge_work": "b",
            "pledge_poverty": "c",
            "started_on": TODAY - datetime.timedelta(days=150),
        },
        actor=CLI,
    )
    s = stats.contribute(tree["county"], TODAY)["care"]
    assert s["visits"] == 1 and s["checklist_done"] == 1 and s["hardship_open"] == 1 and s["hardship_paired"] == 1
    assert stats.cards({"care": s}) and stats.rows({"care": s})
    share, reason = stats.measure_visits([branch.pk], TODAY.year, None)[branch.pk]
    assert share > 0 and "已完成" in reason
    share, reason = stats.measure_pairing([branch.pk], TODAY.year, None)[branch.pk]
    assert share == 1.0 and "未登记帮扶记录" in reason
    report = dict(stats.report_figures(tree["county"], TODAY.year, TODAY.month))
    assert report["走访党员（次）"] == 1
    titles = [i.title for i in todo.items_for(secretary)]
    assert any("未登记帮扶记录" in t for t in titles) and any("协调体检" in t for t in titles)
    figures = stats.home_figures(organiser)
    assert figures and figures[1][1] == 1


def test_member_has_no_home_figures(branch):
    from tests.factories import make_user

    m = make_member(branch)
    assert stats.home_figures(make_user("member", branch, member=m)) == []


def test_demo_builds_a_year(tree):
    for b in tree["branches"][0]:
        for _ in range(30):
            make_member(b, birth_date=datetime.date(1940, 1, 1))
    result = demo.populate(tree["county"], random.Random(3), TODAY)
    assert result["hardships"] >= 1 and Visit.objects.exists() and Hardship.objects.exists()
    assert demo.populate(tree["county"], random.Random(3), TODAY) == {"skipped": True}
    from apps.care.models import Fund, FundMovement

    for f in Fund.objects.all():
        movements = FundMovement.objects.filter(fund=f)
        assert f.balance == sum((m.signed_amount for m in movements), 0) and f.balance >= 0


def test_care_checklist_command(branch):
    old = make_member(branch, birth_date=datetime.date(TODAY.year - 85, 1, 1))
    out = StringIO()
    call_command("care_checklist", org=branch.code, occasion="七一走访", year=TODAY.year, generate=True, json=True, stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] >= 1 and old.name in [i["member"] for i in data["items"]] and data["done"] == 0
    out = StringIO()
    call_command("care_checklist", org=branch.code, occasion="july_first", year=TODAY.year, stdout=out)
    assert "未完成" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("care_checklist", org="NOPE", occasion="七一", year=TODAY.year)
    with pytest.raises(CommandError):
        call_command("care_checklist", org=branch.code, occasion="七一", year=TODAY.year)  # 七一走访 and 七一问候: ambiguous


def test_todo_page_renders(client, secretary):
    client.force_login(secretary)
    assert client.get(reverse("core:todo")).status_code == 200
