import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.care import selectors, services
from apps.care.models import CommendationKind, Nomination
from apps.core import registry
from apps.core.scoping import OutOfScope, ScopeError
from apps.members.models import MemberDiscipline
from apps.recruitment.engine import add_workdays
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=30)


def kind(code="excellent_member"):
    return CommendationKind.objects.get(code=code)


def data(org, member=None, **kw):
    return {"organisation": org, "kind": kind(), "year": TODAY.year, "member": member, "deeds": "带头致富", "nominated_on": PAST, **kw}


def test_full_flow_to_honour_roll_and_record(client, branch, secretary, organiser):
    m = make_member(branch)
    n = services.nominate(data(branch, m), actor=secretary)
    assert n.status == "nominated" and n.vetting
    n = services.start_notice(n, start=PAST, actor=secretary)
    assert n.notice_end == add_workdays(PAST, 5)
    with pytest.raises(ScopeError):  # a branch secretary has no approval right
        services.decide_nomination(n, approve=True, actor=secretary)
    n = services.decide_nomination(n, approve=True, note="同意", actor=organiser)
    assert n.status == "approved"
    assert list(selectors.honour_roll(organiser, {})) == [n]
    user = make_user("member", branch, member=m)
    client.force_login(user)
    assert "优秀共产党员" in client.get(reverse("care:my_awards")).content.decode()


def test_sanction_in_force_refuses_nomination(branch, secretary):
    m = make_member(branch)
    MemberDiscipline.objects.create(
        member=m, kind="serious_warning", decided_on=TODAY - datetime.timedelta(days=100), decided_by="县纪委", reason="违规"
    )
    with pytest.raises(ValidationError) as exc:
        services.nominate(data(branch, m), actor=secretary)
    assert "党纪处分影响期" in exc.value.message_dict["member"][0] and "严重警告" in exc.value.message_dict["member"][0]
    assert not Nomination.objects.exists()


def test_expired_sanction_does_not_bar(branch, secretary):
    m = make_member(branch)
    MemberDiscipline.objects.create(
        member=m, kind="warning", decided_on=TODAY - datetime.timedelta(days=800), decided_by="县纪委", reason="x"
    )
    assert services.nominate(data(branch, m), actor=secretary).pk


def test_every_registered_check_is_applied(branch, secretary):
    """Vetting iterates registry.member_checks: an unqualified grade or arrears registered by
    another domain refuses the nomination with that domain's reason."""
    m = make_member(branch)
    check = registry.MemberCheck("test_unqualified", "民主评议", lambda ids, as_of: {i: "上年度评议为不合格" for i in ids if i == m.pk})
    registry.member_checks.register(check)
    try:
        with pytest.raises(ValidationError) as exc:
            services.nominate(data(branch, m), actor=secretary)
        assert "民主评议：上年度评议为不合格" in exc.value.message_dict["member"][0]
    finally:
        registry.member_checks.unregister("test_unqualified")
    assert not Nomination.objects.exists()


def test_check_at_approval_time(branch, secretary, organiser):
    m = make_member(branch)
    n = services.start_notice(services.nominate(data(branch, m), actor=secretary), start=PAST, actor=secretary)
    MemberDiscipline.objects.create(
        member=m, kind="warning", decided_on=TODAY - datetime.timedelta(days=2), decided_by="县纪委", reason="x"
    )
    with pytest.raises(ValidationError):
        services.decide_nomination(n, approve=True, actor=organiser)
    assert Nomination.objects.get().status == "notice"


def test_nomination_outside_scope(branch, other_branch, secretary, tree):
    stranger = make_member(other_branch)
    with pytest.raises(ValidationError) as exc:
        services.nominate(data(branch, stranger), actor=secretary)
    assert "不在推荐组织" in exc.value.message_dict["member"][0]
    with pytest.raises(OutOfScope):
        services.nominate(data(other_branch, stranger), actor=secretary)
    assert not Nomination.objects.exists()


def test_duplicate_and_kind_mismatch(branch, secretary):
    m = make_member(branch)
    services.nominate(data(branch, m), actor=secretary)
    with pytest.raises(ValidationError) as exc:
        services.nominate(data(branch, m), actor=secretary)
    assert "重复推荐" in exc.value.message_dict["member"][0]
    with pytest.raises(ValidationError) as exc:
        services.nominate(data(branch, None, kind=kind("advanced_org")), actor=secretary)
    assert "nominee_org" in exc.value.message_dict
    n = services.nominate(data(branch, None, kind=kind("advanced_org"), nominee_org=branch), actor=secretary)
    assert n.nominee_name == branch.name


def test_approval_waits_for_notice_end(branch, secretary, organiser):
    n = services.nominate(data(branch, make_member(branch), nominated_on=TODAY), actor=secretary)
    n = services.start_notice(n, start=TODAY, actor=secretary)
    with pytest.raises(ValidationError) as exc:
        services.decide_nomination(n, approve=True, actor=organiser)
    assert "期满" in exc.value.message_dict["decided_on"][0]
    with pytest.raises(ValidationError):
        services.decide_nomination(n, approve=False, actor=organiser)  # no reason
    assert services.decide_nomination(n, approve=False, note="公示期间有反映，经核实不宜表彰", actor=organiser).status == "rejected"


def test_cadre_list_query_count_and_checks(client, branch, organiser):
    client.force_login(organiser)

    def grow(n):
        for _ in range(n):
            m = make_member(
                branch,
                birth_date=datetime.date(TODAY.year - 30, 1, 1),
                join_date=datetime.date(TODAY.year - 5, 1, 1),
                conversion_date=datetime.date(TODAY.year - 4, 1, 1),
            )
            MemberDiscipline.objects.create(member=m, kind="warning", decided_on=TODAY, decided_by="县纪委", reason="x")

    grow(2)
    client.get(reverse("care:cadres"))
    with CaptureQueriesContext(connection) as few:
        html = client.get(reverse("care:cadres")).content.decode()
    assert "党纪处分影响期" in html
    grow(12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("care:cadres")).status_code == 200
    assert len(many) == len(few)


def test_nomination_list_query_count(client, branch, secretary):
    client.force_login(secretary)
    for _ in range(2):
        services.nominate(data(branch, make_member(branch)), actor=secretary)
    client.get(reverse("care:nominations"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("care:nominations"))
    for _ in range(10):
        services.nominate(data(branch, make_member(branch)), actor=secretary)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("care:nominations")).status_code == 200
    assert len(many) == len(few)
