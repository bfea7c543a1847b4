import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import ChangeLog
from apps.members.models import Member, MemberTransferHistory
from apps.mobility import rules, services
from apps.mobility.models import Transfer, TransferLetter, TransferStep
from apps.mobility.services import rule_values
from apps.orgs.models import Organisation
from tests.factories import make_member, make_org, make_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _issue(transfer, secretary, organiser):
    services.decide_step(transfer, approve=True, actor=secretary)
    return services.decide_step(transfer, approve=True, actor=organiser)


def test_capital_numerals():
    assert rules.capital_number(30) == "叁拾"
    assert rules.capital_number(90) == "玖拾"
    assert rules.capital_number(15) == "壹拾伍"
    assert rules.capital_number(7) == "柒"
    assert rules.capital_number(105) == "壹佰零伍"


def test_chain_inside_the_county(member, sibling, secretary, organiser):
    t = services.request_transfer(member, {"to_organisation": sibling, "reason": "工作调动"}, actor=secretary)
    assert (t.status, t.next_step, t.leaving_county) == ("requested", "branch", False)
    assert t.validity_days == 30
    t = services.decide_step(t, approve=True, actor=secretary)
    assert t.next_step == "committee"
    # the branch secretary cannot take the committee's step
    with pytest.raises(PermissionError):
        services.decide_step(t, approve=True, actor=secretary)
    t = services.decide_step(t, approve=True, actor=organiser)
    assert t.status == "issued" and t.next_step == "accept" and t.serial
    assert t.valid_until == t.issued_on + datetime.timedelta(days=30)
    assert [s.code for s in t.steps.all()] == ["branch", "committee", "issue"]


def test_leaving_the_county_needs_the_county(tree, member, secretary, organiser, admin):
    other_county = make_org(None, org_type="county_committee", name="中共邻县委员会")
    target = make_org(make_org(other_county, org_type="committee"), org_type="branch")
    t = services.request_transfer(member, {"to_organisation": target, "reason": "迁居"}, actor=secretary)
    assert t.leaving_county
    t = _issue(t, secretary, organiser)
    assert t.status == "requested" and t.next_step == "county"
    t = services.decide_step(t, approve=True, actor=admin)
    assert t.status == "issued"


def test_accept_moves_member_with_counters_and_history(member, branch, sibling, secretary, organiser):
    receiver = make_user("branch_secretary", sibling)
    before_from = Organisation.objects.get(pk=branch.pk).direct_member_count
    before_to = Organisation.objects.get(pk=sibling.pk).direct_member_count
    t = _issue(services.request_transfer(member, {"to_organisation": sibling, "reason": "工作调动"}, actor=secretary), secretary, organiser)
    t = services.accept_transfer(t, actor=receiver)
    assert t.status == "received" and t.received_on == TODAY
    m = Member.objects.get(pk=member.pk)
    assert m.organisation_id == sibling.pk and m.org_path == sibling.path
    assert Organisation.objects.get(pk=branch.pk).direct_member_count == before_from - 1
    assert Organisation.objects.get(pk=sibling.pk).direct_member_count == before_to + 1
    h = MemberTransferHistory.objects.get(member=member)
    assert (h.from_org_id, h.to_org_id, h.date) == (branch.pk, sibling.pk, TODAY)
    # both sides still see the finished transfer
    assert Transfer.objects.restrict(secretary).filter(pk=t.pk).exists()
    assert Transfer.objects.restrict(receiver).filter(pk=t.pk).exists()


def test_receipt_twice_is_refused(member, sibling, secretary, organiser):
    receiver = make_user("branch_secretary", sibling)
    t = _issue(services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary), secretary, organiser)
    services.accept_transfer(t, actor=receiver)
    n = TransferStep.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.accept_transfer(t, actor=receiver)
    assert "不能重复登记" in str(exc.value)
    assert TransferStep.objects.count() == n


def test_out_of_system_receipt_ends_record(member, branch, secretary, organiser, admin):
    before = Organisation.objects.get(pk=branch.pk).direct_member_count
    t = services.request_transfer(
        member,
        {"kind": "out", "outside_org_name": "中共某省某市某局机关党委", "across_province": True, "reason": "跨省调动"},
        actor=secretary,
    )
    assert t.validity_days == 90 and t.to_organisation.org_type == "county_committee"
    t = services.decide_step(_issue(t, secretary, organiser), approve=True, actor=admin)
    assert t.status == "issued" and t.next_step == "receipt"
    t = services.record_receipt(t, actor=secretary)
    m = Member.objects.get(pk=member.pk)
    assert m.status == "transferred_out"
    assert Organisation.objects.get(pk=branch.pk).direct_member_count == before - 1
    with pytest.raises(ValidationError, match="不能重复登记"):
        services.record_receipt(t, actor=secretary)


@pytest.mark.parametrize(
    "case",
    ["same_org", "party_group", "validity_low", "validity_high", "no_reason"],
)
def test_bad_requests_write_nothing(case, member, branch, sibling, secretary):
    data = {"to_organisation": sibling, "reason": "工作调动"}
    if case == "same_org":
        data["to_organisation"] = branch
    elif case == "party_group":
        data["to_organisation"] = make_org(sibling, org_type="party_group", name="第一党小组")
    elif case == "validity_low":
        data["validity_days"] = rule_values()["letter_days_min"] - 1
    elif case == "validity_high":
        data["validity_days"] = rule_values()["letter_days_max"] + 1
    elif case == "no_reason":
        data["reason"] = " "
    logs = ChangeLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.request_transfer(member, data, actor=secretary)
    text = " ".join(exc.value.messages)
    expected = {
        "same_org": "不能是该党员现在所在",
        "party_group": "党小组",
        "validity_low": "有效期须在",
        "validity_high": "有效期须在",
        "no_reason": "转接原因",
    }[case]
    assert expected in text
    assert Transfer.objects.count() == 0 and ChangeLog.objects.count() == logs


def test_one_open_transfer_per_member(member, sibling, far_branch, secretary):
    services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary)
    with pytest.raises(ValidationError, match="未办结"):
        services.request_transfer(member, {"to_organisation": far_branch, "reason": "调动"}, actor=secretary)
    assert Transfer.objects.count() == 1


def test_open_transfer_is_a_db_constraint(member, sibling, far_branch, secretary, monkeypatch):
    """The sequential check raced past: the partial unique constraint answers, with the
    same Chinese message."""
    services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary)
    real_filter = Transfer.objects.filter

    class _Blind:
        def exists(self):
            return False

    def fake_filter(*a, **kw):
        if "status__in" in kw:
            return _Blind()
        return real_filter(*a, **kw)

    monkeypatch.setattr(Transfer.objects, "filter", fake_filter)
    with pytest.raises(ValidationError, match="未办结"):
        services.request_transfer(member, {"to_organisation": far_branch, "reason": "调动"}, actor=secretary)
    monkeypatch.undo()
    assert Transfer.objects.count() == 1


def test_refuse_needs_reason(member, sibling, secretary, organiser):
    receiver = make_user("branch_secretary", sibling)
    t = _issue(services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary), secretary, organiser)
    with pytest.raises(ValidationError, match="不得无故拒收"):
        services.refuse_transfer(t, reason="", actor=receiver)
    t = services.refuse_transfer(t, reason="该同志未到本单位报到", actor=receiver)
    assert t.status == "refused"
    assert not TransferLetter.objects.filter(transfer=t, void=False).exists()
    # the member may now be transferred again
    services.request_transfer(member, {"to_organisation": sibling, "reason": "再次申请"}, actor=secretary)


def test_reissue_voids_and_gets_new_serial(member, sibling, secretary, organiser):
    t = _issue(services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary), secretary, organiser)
    old = t.serial
    with pytest.raises(ValidationError, match="补开介绍信须写明原因"):
        services.reissue_letter(t, reason="", actor=secretary)
    t = services.reissue_letter(t, reason="介绍信已过有效期", actor=secretary, validity_days=15)
    assert t.serial != old and t.validity_days == 15
    letters = list(TransferLetter.objects.filter(transfer=t).order_by("id"))
    assert [(x.serial, x.void) for x in letters] == [(old, True), (t.serial, False)]


def test_member_requests_own_transfer(member, sibling):
    user = make_user("member", member.organisation, member=member)
    t = services.request_transfer(member, {"to_organisation": sibling, "reason": "随迁"}, actor=user)
    assert t.requested_by == user.username
    other = make_member(member.organisation)
    with pytest.raises(PermissionError):
        services.request_transfer(other, {"to_organisation": sibling, "reason": "随迁"}, actor=user)
    services.cancel_transfer(t, reason="不再迁居", actor=user)


def test_outsider_cannot_act(member, sibling, far_secretary, secretary):
    t = services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary)
    with pytest.raises(PermissionError):
        services.decide_step(t, approve=True, actor=far_secretary)
    assert not Transfer.objects.restrict(far_secretary).filter(pk=t.pk).exists()


def test_overdue_across_months(member, sibling, secretary, organiser):
    from apps.mobility import selectors

    t = services.request_transfer(
        member, {"to_organisation": sibling, "reason": "调动", "date": datetime.date(2026, 1, 20)}, actor=secretary
    )
    services.decide_step(t, approve=True, actor=secretary, date=datetime.date(2026, 1, 20))
    t = services.decide_step(t, approve=True, actor=organiser, date=datetime.date(2026, 1, 20))
    # 30 days: valid to 19 Feb; one month for the receipt: 20 Feb — due on the later
    assert t.valid_until == datetime.date(2026, 2, 19)
    assert t.receipt_due == datetime.date(2026, 2, 20)
    qs = Transfer.objects.all()
    assert not selectors.overdue(qs, datetime.date(2026, 2, 20)).exists()
    assert selectors.overdue(qs, datetime.date(2026, 2, 21)).filter(pk=t.pk).exists()
    assert selectors.overdue(qs, datetime.date(2026, 5, 1)).filter(pk=t.pk).exists()


def test_arrival_from_outside(branch, secretary):
    from tests.factories import member_data

    data = member_data(branch) | {"outside_org_name": "中共外省某县某村党支部", "letter_serial": "A0001", "reason": "迁入"}
    t = services.record_arrival(data, actor=secretary)
    assert t.kind == "in" and t.status == "received" and t.member.organisation_id == branch.pk


def test_member_in_open_handling_case_is_refused(member, sibling, secretary):
    """The exit domain's member check (registry) names an open handling case: refused."""
    from apps.core import registry

    existing = registry.member_checks.get("appraisal") if "appraisal" in registry.member_checks else None
    registry.member_checks.unregister("appraisal")
    registry.member_checks.register(
        registry.MemberCheck(
            "appraisal", "民主评议与组织处置", lambda ids, on: {i: "正在办理组织处置（除名）" for i in ids if i == member.pk}
        )
    )
    try:
        with pytest.raises(ValidationError, match="处置办结前不能转接"):
            services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary)
        assert not Transfer.objects.exists()
    finally:
        registry.member_checks.unregister("appraisal")
        if existing is not None:
            registry.member_checks.register(existing)


def test_both_subtrees_see_a_cross_committee_transfer_and_nobody_else(
    tree, member, branch, far_branch, secretary, organiser, far_secretary
):
    t = services.request_transfer(member, {"to_organisation": far_branch, "reason": "调动"}, actor=secretary)
    far_organiser = make_user("committee_organiser", tree["committees"][1])
    bystander = make_user("branch_secretary", tree["branches"][0][1])  # the sender's sibling branch
    other = make_user("branch_secretary", tree["branches"][1][1])  # the receiver's sibling branch
    seen = {
        u.username: Transfer.objects.restrict(u).filter(pk=t.pk).exists()
        for u in (secretary, organiser, far_secretary, far_organiser, bystander, other)
    }
    assert seen == {
        secretary.username: True,
        organiser.username: True,
        far_secretary.username: True,
        far_organiser.username: True,
        bystander.username: False,
        other.username: False,
    }
    # the steps and letters are scoped through the transfer the same way
    services.decide_step(t, approve=True, actor=secretary)
    assert TransferStep.objects.restrict(far_secretary).filter(transfer=t).exists()
    assert not TransferStep.objects.restrict(bystander).filter(transfer=t).exists()
