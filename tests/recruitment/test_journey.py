import pytest

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.members.models import Member
from apps.recruitment import engine
from apps.recruitment.models import DevelopmentFile, DevelopmentStep
from tests.recruitment.helpers import D, before_step, new_file


def test_full_journey_through_the_service_layer(tree):
    branch = tree["branches"][0][0]
    f = new_file(branch)
    assert f.stage == "applicant" and f.application_date == D(2023, 1, 10)
    f = before_step(f, None)
    f = DevelopmentFile.objects.get(pk=f.pk)
    assert f.status == "closed" and f.stage == "full"
    member = Member.objects.get(pk=f.member_id)
    assert member.name == f.name and member.member_type == "full"
    assert member.join_date == D(2024, 5, 10)  # the general meeting date
    assert member.conversion_date == D(2025, 5, 10)  # probation ends one year later
    assert member.increase_method == "developed"
    assert member.reveal_id_number() == f.reveal_id_number()
    assert DevelopmentStep.objects.filter(file=f).count() == 25
    assert set(DevelopmentStep.objects.filter(file=f).values_list("rule_version", flat=True)) == {engine.current_version().pk}
    assert ChangeLog.objects.filter(object_type="recruitment.developmentstep").count() == 25


def test_out_of_order_step_refused(tree):
    f = new_file(tree["branches"][0][0])
    with pytest.raises(Exception) as exc:
        engine.take_step(
            f, "activist", date=D(2023, 3, 1), data={"recommendation": "member", "decided_by": "committee"}, actor=system_actor("cli")
        )
    assert "须先完成第2步“党组织派人谈话”" in str(exc.value)
    assert DevelopmentStep.objects.filter(file=f).count() == 1
