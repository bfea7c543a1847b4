import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from apps.core.scoping import OutOfScope
from apps.education import selectors, services
from apps.education.models import Enrolment, StudyEntry
from tests.factories import make_member

from .conftest import seat

D = Decimal
pytestmark = pytest.mark.django_db
START = datetime.date(2025, 5, 12)


def county_class(tree, actor, **kw):
    data = {
        "organisation": tree["county"],
        "title": "2025年基层党组织书记轮训班",
        "level": "county",
        "kind": "rotation",
        "start_date": START,
        "end_date": START + datetime.timedelta(days=2),
        **kw,
    }
    return services.create_class(data, actor=actor)


def test_class_flow_credits_hours_and_certificates(tree, branch, other_branch, cli):
    cls = county_class(tree, cli)
    s1 = services.add_session(cls, {"date": START, "topic": "党章", "lecturer": "王老师", "duration": "full_day"}, actor=cli)
    s2 = services.add_session(cls, {"date": START, "topic": "条例", "lecturer": "李老师", "hours": "3"}, actor=cli)
    assert (s1.hours, s2.hours) == (D("8.0"), D("3.0"))
    services.set_quota(cls, tree["committees"][0], 2, actor=cli)
    a, b, c = make_member(branch), make_member(branch), make_member(branch)
    seat(branch, a)
    services.enrol(cls, a, actor=cli)
    services.enrol(cls, b, actor=cli)
    with pytest.raises(ValidationError, match="2个名额已满"):
        services.enrol(cls, c, actor=cli)
    with pytest.raises(ValidationError, match="没有本班名额"):
        services.enrol(cls, make_member(other_branch), actor=cli)
    with pytest.raises(ValidationError, match="已报名本班"):
        services.enrol(cls, a, actor=cli)
    with pytest.raises(ValidationError, match="未报名本班"):
        services.record_session_attendance(s1, [a.pk, c.pk], actor=cli)
    with pytest.raises(ValidationError, match=r"不能超过本次课程的8\.0学时"):
        services.record_session_attendance(s1, [a.pk], hours="9", actor=cli)
    with pytest.raises(ValidationError, match="不能为负数"):
        services.record_session_attendance(s1, [a.pk], hours="-1", actor=cli)
    assert not StudyEntry.objects.exists()
    services.record_session_attendance(s1, [a.pk, b.pk], actor=cli)
    services.record_session_attendance(s1, [a.pk, b.pk], actor=cli)  # retaken: no double count
    with pytest.raises(ValidationError, match="还有课程未登记考勤"):
        services.finish_class(cls, actor=cli)
    services.record_session_attendance(s2, [a.pk], actor=cli)
    assert selectors.session_present(s1) == {a.pk, b.pk}
    totals = StudyEntry.objects.filter(training_class=cls).values("member_id").annotate(h=Sum("hours")).values_list("member_id", "h")
    assert dict(totals) == {a.pk: D("11.0"), b.pk: D("8.0")}
    result = services.finish_class(cls, actor=cli)
    # b attended 8 of 11 h = 72 % < 80 %: not completed
    assert result == {"completed": 1, "not_completed": 1}
    ea = Enrolment.objects.get(member=a)
    assert ea.status == "completed" and ea.certificate_no.startswith("2025-")
    assert Enrolment.objects.get(member=b).status == "not_completed"
    with pytest.raises(ValidationError, match="已结业"):
        services.add_session(cls, {"date": START, "topic": "x", "lecturer": "y", "hours": "1"}, actor=cli)
    # the rotation counts for the secretary
    checks = {
        c.label: c.ok for c in selectors.member_progress(a, 2025, datetime.date(2025, 12, 31), services.current_rules().all_values()).checks
    }
    assert checks["县级轮训"] is True and checks["集中培训1次"] is True


@pytest.mark.parametrize(
    "overrides, field, text",
    [
        ({"level": "branch"}, "level", "相应层级"),
        ({"level": "township"}, "level", "相应层级"),
        ({"end_date": START - datetime.timedelta(days=1)}, "end_date", "不能早于开班日期"),
        ({"title": ""}, "title", "必填"),
        ({"kind": "nonsense"}, "kind", "不是有效取值"),
    ],
)
def test_class_refusals(tree, cli, overrides, field, text):
    with pytest.raises(ValidationError) as exc:
        county_class(tree, cli, **overrides)
    assert text in " ".join(exc.value.message_dict[field])


def test_session_refusals(tree, cli):
    cls = county_class(tree, cli)
    base = {"date": START, "topic": "党章", "lecturer": "王老师", "hours": "2"}
    for bad, text in [
        ({"hours": "-1"}, "不能为负数"),
        ({"hours": "0"}, "须大于0"),
        ({"hours": "12"}, "最多按全天8学时"),
        ({"date": START - datetime.timedelta(days=1)}, "须在培训班期间"),
        ({"lecturer": ""}, "授课人为必填项"),
    ]:
        with pytest.raises(ValidationError, match=text):
            services.add_session(cls, {**base, **bad}, actor=cli)
    assert not cls.sessions.exists()


def test_branch_class_in_scope_only(branch, other_branch, secretary):
    data = {"organisation": other_branch, "title": "支部学习班", "level": "branch", "start_date": START, "end_date": START}
    with pytest.raises(OutOfScope):
        services.create_class(data, actor=secretary)
    cls = services.create_class({**data, "organisation": branch}, actor=secretary)
    with pytest.raises(ValidationError, match="不是“"):
        services.enrol(cls, make_member(other_branch), actor=secretary)
