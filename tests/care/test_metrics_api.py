"""The org metrics as one grouped query (not one per organisation), summed per subtree;
and the care API (scope, a visit recorded through the service, bad input)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.care import services, stats
from apps.care.models import Visit
from tests.factories import api_token, make_member, make_user

from .conftest import CLI

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _hardship(org, paired=False):
    h = services.register_hardship(
        {"member": make_member(org), "cause": "illness", "level": "general", "description": "因病", "registered_on": TODAY},
        actor=CLI,
    )
    if paired:
        services.start_pairing(h, {"helper": make_member(org), "pledge_thought": "a", "pledge_work": "b", "pledge_poverty": "c"}, actor=CLI)
    return h


def _orgs(tree):
    return [tree["county"], *tree["committees"], *[b for pair in tree["branches"] for b in pair]]


def test_pairing_metric_sums_subtrees(tree):
    b1, b2 = tree["branches"][0]
    _hardship(b1, paired=True)
    _hardship(b2)
    out = stats.measure_pairing([o.pk for o in _orgs(tree)], TODAY.year, None)
    assert out[b1.pk][0] == 1.0 and out[b2.pk][0] == 0.0
    assert out[tree["committees"][0].pk][0] == 0.5 and "在册困难党员2人，已结对1人" in out[tree["county"].pk][1]
    assert out[tree["branches"][1][0].pk] == (1.0, "无在册困难党员")


@pytest.mark.parametrize("metric", ["measure_visits", "measure_pairing"])
def test_metrics_fixed_queries_whatever_the_number_of_orgs(tree, metric):
    ids = [o.pk for o in _orgs(tree)]
    for b in (tree["branches"][0][0], tree["branches"][1][1]):
        _hardship(b, paired=True)
    counts = []
    for subset in (ids[:2], ids):
        with CaptureQueriesContext(connection) as ctx:
            getattr(stats, metric)(subset, TODAY.year, None)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 3


def test_democracy_metric_fixed_queries(tree):
    from apps.democracy import stats as dstats

    ids = [o.pk for o in _orgs(tree)]
    counts = []
    for subset in (ids[:2], ids):
        with CaptureQueriesContext(connection) as ctx:
            out = dstats.measure_on_time(subset, TODAY.year, None)
        counts.append(len(ctx.captured_queries))
        assert set(out) == set(subset)
    assert counts[0] == counts[1] == 2


# ── API ───────────────────────────────────────────────────────────────────────────────
def _api(user):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return c


def test_api_visit_create_list_and_scope(branch, secretary, outsider, member):
    body = {"member": member.pk, "occasion": "illness", "visited_on": TODAY.isoformat(), "visitors": "书记", "content": "医院看望"}
    r = _api(secretary).post("/api/care/visits/", body, format="json")
    assert r.status_code == 201 and r.json()["occasion_name"] == "党员生病住院必访"
    assert _api(secretary).get("/api/care/visits/").json()["count"] == 1
    assert _api(outsider).get("/api/care/visits/").json()["count"] == 0
    assert _api(outsider).get(f"/api/care/visits/{r.json()['id']}/").status_code == 404
    assert _api(outsider).post("/api/care/visits/", body, format="json").status_code == 404
    bad = _api(secretary).post("/api/care/visits/", {**body, "visited_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, format="json")
    assert bad.status_code == 400 and "不能晚于今天" in str(bad.json())
    assert Visit.objects.count() == 1


def test_api_household_contact_by_owner_member(branch, member, outsider):
    h = services.add_household({"member": member, "head_name": "王大山", "address": "东村", "since_on": TODAY}, actor=CLI)
    owner = make_user("member", branch, member=member)
    r = _api(owner).post(
        f"/api/care/households/{h.pk}/contacts/", {"on": TODAY.isoformat(), "way": "phone", "situation": "问候"}, format="json"
    )
    assert r.status_code == 201
    assert (
        _api(outsider)
        .post(f"/api/care/households/{h.pk}/contacts/", {"on": TODAY.isoformat(), "way": "phone", "situation": "x"}, format="json")
        .status_code
        == 404
    )
    assert _api(owner).get(f"/api/care/households/{h.pk}/contacts/").json()["count"] == 1


def test_api_my_awards_empty_for_non_member(secretary):
    r = _api(secretary).get("/api/care/nominations/mine/")
    assert r.status_code == 200 and r.json()["results"] == []
