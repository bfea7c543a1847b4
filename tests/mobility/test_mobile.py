import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.core.dates import add_months
from apps.core.models import ChangeLog
from apps.members import services as member_services
from apps.members.models import Member
from apps.mobility import selectors, services
from apps.mobility.models import HostRegistration, MobileRecord, TemporaryBranch
from apps.mobility.services import rule_values
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
TODAY = datetime.date.today()
DATA = {"reason": "外出务工", "destination": "广东省深圳市", "months": 3, "home_contact": "王支书"}


def test_register_sets_status_and_return_restores_it(branch, secretary):
    m = make_member(branch)
    r = services.register_mobile(m, DATA, actor=secretary)
    assert r.certificate_no.startswith(f"LD{TODAY.year}") and r.status == "away"
    assert Member.objects.get(pk=m.pk).status == "mobile"
    assert r.issued_by  # the grassroots committee above the branch
    r = services.record_return(r, actor=secretary)
    assert r.status == "returned" and r.certificate_returned
    assert Member.objects.get(pk=m.pk).status == "normal"
    with pytest.raises(ValidationError, match="不能重复登记返回"):
        services.record_return(r, actor=secretary)


@pytest.mark.parametrize(
    "case, message",
    [
        ("months_zero", "外出期限须在"),
        ("six_months_fixed", "应转接组织关系"),
        ("no_destination", "外出地点"),
        ("suspended", "停止党籍"),
        ("twice", "未交回"),
    ],
)
def test_bad_registrations_write_nothing(case, message, branch, secretary):
    m = make_member(branch)
    data = dict(DATA)
    if case == "months_zero":
        data["months"] = 0
    elif case == "six_months_fixed":
        data["months"] = rule_values()["certificate_transfer_months"]
    elif case == "no_destination":
        data["destination"] = ""
    elif case == "suspended":
        member_services.change_status(m, "suspended", date=TODAY, reason="停止党籍", actor=SYSTEM, engine="appraisal")
    elif case == "twice":
        services.register_mobile(m, DATA, actor=secretary)
    records, logs = MobileRecord.objects.count(), ChangeLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.register_mobile(m, data, actor=secretary)
    assert message in " ".join(exc.value.messages)
    assert MobileRecord.objects.count() == records and ChangeLog.objects.count() == logs


def test_long_term_without_fixed_place_is_allowed(branch, secretary):
    r = services.register_mobile(make_member(branch), {**DATA, "months": 12, "no_fixed_place": True}, actor=secretary)
    assert r.months == 12


def test_yearly_report_and_abroad_contact_due(branch, secretary):
    issued = TODAY - datetime.timedelta(days=400)
    m = make_member(branch)
    r = services.register_mobile(m, {**DATA, "issued_on": issued, "months": 24, "no_fixed_place": True}, actor=secretary)
    assert r.next_due < TODAY  # no report in a year
    assert selectors.mobile_overdue(MobileRecord.objects.all(), TODAY).filter(pk=r.pk).exists()
    services.add_contact(r, {"kind": "report", "date": TODAY, "content": "报告务工和参加组织生活情况"}, actor=secretary)
    r.refresh_from_db()
    assert r.last_report_on == TODAY and not selectors.mobile_overdue(MobileRecord.objects.all(), TODAY).filter(pk=r.pk).exists()
    # a student abroad: contact every 6 months
    s = services.register_mobile(
        make_member(branch), {**DATA, "months": 24, "studying_abroad": True, "destination": "英国伦敦"}, actor=secretary
    )
    assert s.next_due == add_months(s.issued_on, rule_values()["abroad_contact_months"])
    with pytest.raises(ValidationError, match="内容"):
        services.add_contact(s, {"kind": "contact", "content": ""}, actor=secretary)


def test_host_registration_needs_number_and_name(branch, far_branch, secretary, far_secretary):
    r = services.register_mobile(make_member(branch, name="东方红梅"), DATA, actor=secretary)
    with pytest.raises(ValidationError, match="相符"):
        services.register_host(r.certificate_no, "别人", far_branch, actor=far_secretary)
    reg = services.register_host(r.certificate_no, "东方红梅", far_branch, actor=far_secretary)
    assert HostRegistration.objects.restrict(far_secretary).filter(pk=reg.pk).exists()
    assert not HostRegistration.objects.restrict(secretary).filter(pk=reg.pk).exists()
    r.refresh_from_db()
    assert r.host_organisation_id == far_branch.pk
    with pytest.raises(ValidationError, match="已在"):
        services.register_host(r.certificate_no, "东方红梅", far_branch, actor=far_secretary)


def test_three_at_one_place_prompts_a_temporary_branch(branch, secretary):
    members = [make_member(branch) for _ in range(3)]
    for m in members[:2]:
        services.register_mobile(m, DATA, actor=secretary)
    assert selectors.temporary_branch_prompts(secretary) == []
    services.register_mobile(members[2], DATA, actor=secretary)
    prompts = selectors.temporary_branch_prompts(secretary)
    assert [(p["destination"], p["n"]) for p in prompts] == [("广东省深圳市", 3)]
    todo = [i.title for i in selectors.todo_items(secretary)]
    assert any("临时党支部" in t for t in todo)
    with pytest.raises(ValidationError, match="3名及以上"):
        services.form_temporary_branch(
            branch, {"name": "临时支部", "place": "深圳", "end_date": TODAY + datetime.timedelta(days=90)}, members[:2], actor=secretary
        )
    with pytest.raises(ValidationError, match="撤销日期"):
        services.form_temporary_branch(branch, {"name": "临时支部", "place": "深圳", "end_date": TODAY}, members, actor=secretary)
    assert not TemporaryBranch.objects.exists()
    b = services.form_temporary_branch(
        branch, {"name": "驻深圳临时党支部", "place": "深圳", "end_date": TODAY + datetime.timedelta(days=90)}, members, actor=secretary
    )
    assert b.members.count() == 3
    assert selectors.temporary_branch_prompts(secretary) == []


def test_non_public_card_register(branch, secretary):
    m = make_member(branch)
    services.issue_non_public_card(m, {"number": "FG001", "issued_by": "县非公企业党委"}, actor=secretary)
    with pytest.raises(ValidationError, match="已登记"):
        services.issue_non_public_card(make_member(branch), {"number": "FG001", "issued_by": "县非公企业党委"}, actor=secretary)


def test_stats_and_report_section(tree, branch, sibling, secretary, organiser):
    from apps.core import registry

    services.register_mobile(make_member(branch), DATA, actor=secretary)
    t = services.request_transfer(make_member(branch), {"to_organisation": sibling, "reason": "调动"}, actor=secretary)
    services.decide_step(t, approve=True, actor=secretary)
    t = services.decide_step(t, approve=True, actor=organiser)
    services.accept_transfer(t, actor=make_user("branch_secretary", sibling))
    section = registry.stats.get("mobility")
    stats = section.contribute(tree["county"], TODAY)["mobility"]
    assert stats["mobile_away"] == 1 and stats["transfers_open"] == 0
    # inside the county the move is neither out nor in; for the branch it is out
    assert stats["transfers_out_year"] == 0
    assert section.contribute(branch, TODAY)["mobility"]["transfers_out_year"] == 1
    assert section.contribute(sibling, TODAY)["mobility"]["transfers_in_year"] == 1
    figures = dict(registry.report_sections.get("mobility").figures(branch, TODAY.year, TODAY.month))
    assert figures["本月转出（人）"] == 1
    assert section.cards({"mobility": stats})


def test_home_and_todo_both_sides(branch, sibling, secretary, organiser):
    from apps.core import registry

    t = services.request_transfer(
        make_member(branch, name="皇甫云"),
        {"to_organisation": sibling, "reason": "调动", "date": TODAY - datetime.timedelta(days=70)},
        actor=secretary,
    )
    services.decide_step(t, approve=True, actor=secretary, date=TODAY - datetime.timedelta(days=70))
    services.decide_step(t, approve=True, actor=organiser, date=TODAY - datetime.timedelta(days=70))
    receiver = make_user("branch_secretary", sibling)
    # the receiver has the step to take; the sender sees the overdue receipt
    assert any("皇甫云" in i.title and i.overdue for i in selectors.todo_items(receiver))
    assert any("回执逾期" in i.title for i in selectors.todo_items(secretary))
    figures = {label: value for label, value, *_ in registry.home.get("mobility").figures(secretary)}
    assert figures["转接回执逾期"] == 1
