import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import ChangeLog
from apps.core.scoping import OutOfScope, ScopeError
from apps.education import services
from apps.education.models import StudyEntry

D = Decimal
pytestmark = pytest.mark.django_db


def entry_data(member, **kw):
    return {"member": member, "date": datetime.date(2025, 3, 1), "form": "self_study", "content": "学习党章", "hours": "2", **kw}


def test_manual_entry_small_claim_counts_at_once(member, secretary):
    e = services.add_entry(entry_data(member), actor=secretary)
    assert (e.status, e.hours, e.organisation_id) == ("approved", D("2.0"), member.organisation_id)
    assert e.rule_version_id is not None
    assert ChangeLog.objects.filter(object_type="education.studyentry", object_id=str(e.pk), action="create").exists()


def test_counting_rule_full_and_half_day(member, secretary):
    full = services.add_entry(entry_data(member, duration="full_day", hours="", form="concentrated"), actor=secretary)
    half = services.add_entry(entry_data(member, duration="half_day", hours=""), actor=secretary)
    two_days = services.add_entry(entry_data(member, duration="full_day", days=2, form="concentrated"), actor=secretary)
    assert (full.hours, half.hours, two_days.hours) == (D("8.0"), D("4.0"), D("16.0"))
    # 8 h is not above the approval size (8): counts; 16 h is: waits
    assert (full.status, two_days.status) == ("approved", "pending")


def test_large_claim_needs_approval_by_the_committee(member, secretary, organiser):
    e = services.add_entry(entry_data(member, hours="12", form="concentrated"), actor=secretary)
    assert e.status == "pending"
    with pytest.raises(ScopeError):
        services.decide_entry(e, approve=True, actor=secretary)  # a branch cannot approve its own claim
    with pytest.raises(ValidationError) as exc:
        services.decide_entry(e, approve=False, note=" ", actor=organiser)
    assert "审批意见" in str(exc.value)
    services.decide_entry(e, approve=True, note="同意", actor=organiser)
    e.refresh_from_db()
    assert e.status == "approved" and e.decided_by == organiser
    with pytest.raises(ValidationError, match="不能重复审批"):
        services.decide_entry(e, approve=False, note="重复", actor=organiser)


@pytest.mark.parametrize(
    "overrides, field, text",
    [
        ({"hours": "-2"}, "hours", "学时不能为负数"),
        ({"hours": "0"}, "hours", "学时须大于0"),
        ({"hours": "abc"}, "hours", "不是有效的数字"),
        ({"hours": "90"}, "hours", "单条记录最多80学时"),
        ({"content": " "}, "content", "学习内容为必填项"),
        ({"form": "quiz"}, "form", "不能手工录入"),
        ({"date": datetime.date(2999, 1, 1)}, "date", "不能晚于今天"),
        ({"score": "120"}, "score", "0～100"),
    ],
)
def test_manual_entry_refusals(member, secretary, overrides, field, text):
    with pytest.raises(ValidationError) as exc:
        services.add_entry(entry_data(member, **overrides), actor=secretary)
    assert text in " ".join(exc.value.message_dict[field])
    assert not StudyEntry.objects.exists()


def test_manual_entry_outside_scope_refused(member, outsider):
    with pytest.raises(OutOfScope):
        services.add_entry(entry_data(member), actor=outsider)
    assert not StudyEntry.objects.exists()


def test_rules_saved_as_new_version_by_county_admin_only(admin, secretary):
    old = services.current_rules()
    with pytest.raises(ScopeError):
        services.save_rules({"ordinary_hours": 40}, actor=secretary)
    with pytest.raises(ValidationError) as exc:
        services.save_rules({"ordinary_hours": "x", "half_day_hours": 5, "full_day_hours": 4}, actor=admin)
    assert "不是整数" in exc.value.message_dict["ordinary_hours"][0]
    with pytest.raises(ValidationError, match="半天折算学时不能多于全天"):
        services.save_rules({"half_day_hours": 6, "full_day_hours": 5}, actor=admin)
    new = services.save_rules({**old.all_values(), "ordinary_hours": 40}, note="县里提高要求", actor=admin)
    assert services.current_rules() == new and new.all_values()["ordinary_hours"] == 40
