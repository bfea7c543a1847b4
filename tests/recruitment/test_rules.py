"""Every interval of the rule table at its boundary dates, and the arithmetic rules."""

import dataclasses
import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.recruitment import engine, rules, services
from apps.recruitment.models import Vote

D = datetime.date
CASES = [(rule, iv) for rule in rules.STEPS for iv in rule.intervals]


@pytest.mark.parametrize("rule,iv", CASES, ids=[f"{r.number}-{iv.kind}-{iv.after}-{iv.setting or 0}" for r, iv in CASES])
@pytest.mark.parametrize("base", [D(2024, 2, 29), D(2023, 3, 15)], ids=["leapday", "plain"])
def test_interval_boundary(db, rule, iv, base):
    version = engine.current_version()
    only = dataclasses.replace(rule, intervals=(iv,))
    taken = {iv.after: SimpleNamespace(date=base)}
    n, unit = iv.amount(version.all_values())
    limit = engine.add_amount(base, n, unit)
    article = iv.article or rule.article
    # The boundary day itself is allowed.
    assert engine._check_intervals(only, limit, {}, taken, version) == []
    if iv.kind == "min":
        with pytest.raises(ValidationError) as exc:
            engine._check_intervals(only, limit - datetime.timedelta(days=1), {}, taken, version)
        text = str(exc.value)
        assert article in text
        if n:
            assert f"最早可于 {limit:%Y-%m-%d}" in text
    else:
        late = limit + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as exc:
            engine._check_intervals(only, late, {}, taken, version)
        assert article in str(exc.value) and f"最晚应于 {limit:%Y-%m-%d}" in str(exc.value)
        if iv.soft:
            notes = engine._check_intervals(only, late, {iv.reason_field: "因故延后"}, taken, version)
            assert "因故延后" in notes[0]


def test_one_year_boundaries_including_leap_day(db):
    rule = rules.STEP_BY_CODE["target"]
    version = engine.current_version()
    taken = {"activist": SimpleNamespace(date=D(2024, 2, 29))}
    assert engine._check_intervals(rule, D(2025, 2, 28), {}, taken, version) == []
    with pytest.raises(ValidationError) as exc:
        engine._check_intervals(rule, D(2025, 2, 27), {}, taken, version)
    assert "确定为发展对象须在确定为入党积极分子满一年后（细则第十三条），最早可于 2025-02-28" in str(exc.value)
    taken = {"activist": SimpleNamespace(date=D(2025, 3, 15))}
    assert engine._check_intervals(rule, D(2026, 3, 15), {}, taken, version) == []
    with pytest.raises(ValidationError) as exc:
        engine._check_intervals(rule, D(2026, 3, 14), {}, taken, version)
    assert "最早可于 2026-03-15" in str(exc.value)


def test_approval_extension_needs_reason_and_never_beyond_six_months(db):
    rule = rules.STEP_BY_CODE["approval"]
    version = engine.current_version()
    taken = {"general_meeting": SimpleNamespace(date=D(2024, 5, 10))}
    assert engine._check_intervals(rule, D(2024, 8, 10), {}, taken, version) == []
    with pytest.raises(ValidationError) as exc:
        engine._check_intervals(rule, D(2024, 8, 11), {}, taken, version)
    assert "extension_reason" in exc.value.message_dict and "延长审批的原因" in str(exc.value)
    assert engine._check_intervals(rule, D(2024, 11, 10), {"extension_reason": "待外调材料"}, taken, version)
    with pytest.raises(ValidationError) as exc:
        engine._check_intervals(rule, D(2024, 11, 11), {"extension_reason": "待外调材料"}, taken, version)
    assert "6个月" in str(exc.value) and "最晚应于 2024-11-10" in str(exc.value)


@pytest.mark.parametrize(
    "present,yes,quorum,passed",
    [(5, 5, False, False), (6, 5, True, False), (6, 6, True, True), (10, 6, True, True), (10, 5, True, False)],
)
def test_quorum_and_pass_arithmetic(present, yes, quorum, passed):
    assert engine.vote_outcome(10, present, yes) == (quorum, passed)


def test_odd_should_attend(db):
    assert engine.vote_outcome(9, 5, 5) == (True, True)
    assert engine.vote_outcome(9, 4, 4) == (False, False)


def test_engine_refuses_passed_resolution_without_quorum_or_majority(tree):
    from tests.recruitment.helpers import before_step, new_file

    f = before_step(new_file(tree["branches"][0][0]), "general_meeting", prepare=False)
    base = {"proposal": "admit", "meeting_date": D(2024, 5, 10), "should_attend": 10, "no": 0, "abstain": 0, "passed": True}
    with pytest.raises(ValidationError) as exc:
        services.record_vote(f, {**base, "present": 5, "yes": 5}, actor=system_actor("cli"))
    assert "超过应到人数的半数" in str(exc.value) and "至少须6人" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.record_vote(f, {**base, "present": 8, "yes": 5}, actor=system_actor("cli"))
    assert "赞成票须超过" in str(exc.value) and "至少须6票" in str(exc.value)
    with pytest.raises(ValidationError):
        services.record_vote(f, {**base, "present": 11, "yes": 6}, actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        services.record_vote(f, {**base, "present": 6, "yes": 6, "passed": False}, actor=system_actor("cli"))
    assert "应记为通过" in str(exc.value)
    assert Vote.objects.count() == 0
    services.record_vote(f, {**base, "present": 6, "yes": 6}, actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        services.record_vote(f, {**base, "present": 7, "yes": 7}, actor=system_actor("cli"))
    assert "只能表决一次" in str(exc.value)
    assert Vote.objects.count() == 1


def test_notice_working_days_weekend_holiday_and_adjusted_workday(db):
    # Friday 2025-01-03: Fri, Mon, Tue, Wed, Thu → ends Thursday 9th (weekend skipped).
    assert engine.add_workdays(D(2025, 1, 3), 5) == D(2025, 1, 9)
    services.save_holiday(date=D(2025, 1, 7), name="测试假日", actor=system_actor("cli"))
    assert engine.add_workdays(D(2025, 1, 3), 5) == D(2025, 1, 10)
    services.save_holiday(date=D(2025, 1, 4), is_workday=True, name="调休上班", actor=system_actor("cli"))
    assert engine.add_workdays(D(2025, 1, 3), 5) == D(2025, 1, 9)
    # A notice starting on a Saturday starts counting on Monday.
    assert engine.add_workdays(D(2025, 1, 11), 5) == D(2025, 1, 17)


def test_rule_version_changes_notice_days_and_is_recorded(tree):
    from tests.factories import make_user
    from tests.recruitment.helpers import before_step, new_file

    admin = make_user("county_admin", tree["county"])
    with pytest.raises(ValidationError) as exc:
        services.save_rule_version({"notice_workdays": 1}, actor=admin)
    assert "公示期应在3至15" in str(exc.value)
    v = services.save_rule_version({"notice_workdays": 7}, note="县委决定公示7个工作日", actor=admin)
    f = before_step(new_file(tree["branches"][0][0]), "target")
    n = f.notices.get()
    assert n.workdays == 7 and n.rule_version == v
    assert n.end_date == D(2024, 3, 12)  # Mon 4th + 7 working days


def test_branch_secretary_cannot_configure(tree):
    from apps.core.scoping import ScopeError
    from tests.factories import make_user

    sec = make_user("branch_secretary", tree["branches"][0][0])
    with pytest.raises(ScopeError):
        services.save_rule_version({"notice_workdays": 7}, actor=sec)
    assert Vote.objects.count() == 0
