"""党纪处分 records, and the rule they feed: a member under 留党察看 may not be an
入党介绍人 while it runs (细则第十四条)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.core.actors import system_actor
from apps.members import services
from apps.members.models import MemberDiscipline
from apps.recruitment import engine
from tests.factories import make_member, make_user
from tests.recruitment.helpers import D, before_step, full_members, new_file


def test_probation_sanction_runs_one_or_two_years(tree):
    m = make_member(tree["branches"][0][0])
    base = {"kind": "probation", "decided_on": D(2024, 1, 10), "decided_by": "中共测试县纪委", "reason": "违反组织纪律"}
    with pytest.raises(ValidationError, match="一年或二年"):
        services.record_discipline(m, {**base, "probation_years": 3}, actor=system_actor("cli"))
    record = services.record_discipline(m, {**base, "probation_years": 2}, actor=system_actor("cli"))
    assert record.ends_on == D(2026, 1, 10)
    assert services.under_probation_sanction([m.pk], D(2025, 6, 1)) == {m.pk}
    assert services.under_probation_sanction([m.pk], D(2026, 1, 10)) == set()


def test_bad_input_names_the_field_and_writes_nothing(tree):
    m = make_member(tree["branches"][0][0])
    with pytest.raises(ValidationError) as exc:
        services.record_discipline(
            m, {"kind": "nope", "decided_on": datetime.date(2999, 1, 1), "decided_by": "", "reason": ""}, actor=system_actor("cli")
        )
    errors = exc.value.message_dict
    assert {"kind", "decided_on", "decided_by", "reason"} <= set(errors)
    assert not MemberDiscipline.objects.exists()


def test_introducer_under_probation_sanction_is_refused(tree):
    branch = tree["branches"][0][0]
    people = full_members(branch, 2)
    services.record_discipline(
        people[0],
        {"kind": "probation", "probation_years": 1, "decided_on": D(2023, 12, 1), "decided_by": "县纪委", "reason": "事由"},
        actor=system_actor("cli"),
    )
    f = before_step(new_file(branch), "introducers", people=people)
    with pytest.raises(ValidationError, match="留党察看"):
        engine.take_step(f, "introducers", date=D(2024, 3, 20), actor=system_actor("cli"), data={"introducers": [p.pk for p in people]})


def test_only_a_higher_committee_records_discipline(client, tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    client.force_login(make_user("branch_secretary", branch))
    assert client.get(reverse("members:discipline", args=[m.pk])).status_code == 404
    assert "记录党纪处分" not in client.get(reverse("members:detail", args=[m.pk])).content.decode()
    client.force_login(make_user("committee_organiser", tree["committees"][0]))
    r = client.post(
        reverse("members:discipline", args=[m.pk]), {"kind": "warning", "decided_on": "2024-05-01", "decided_by": "镇党委", "reason": "x"}
    )
    assert r.status_code == 302 and MemberDiscipline.objects.get().kind == "warning"
    r = client.post(
        reverse("members:discipline", args=[m.pk]), {"kind": "probation", "decided_on": "2024-05-01", "decided_by": "镇党委", "reason": "x"}
    )
    assert "一年或二年" in r.content.decode() and MemberDiscipline.objects.count() == 1
