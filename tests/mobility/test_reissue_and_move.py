"""A cancelled or expired letter reissued with a new serial; what moves with the member on
acceptance (dues ledger from the next month, the development file)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.dues import services as dues_services
from apps.dues.models import DuesLine
from apps.members import services as member_services
from apps.members.models import Member, MemberTransferHistory
from apps.mobility import services
from apps.mobility.models import Transfer, TransferLetter, TransferStep
from apps.mobility.services import rule_values
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
D = datetime.date


def _issued(member, to, secretary, organiser, **extra):
    t = services.request_transfer(member, {"to_organisation": to, "reason": "工作调动", **extra}, actor=secretary)
    services.decide_step(t, approve=True, actor=secretary, date=extra.get("date"))
    return services.decide_step(t, approve=True, actor=organiser, date=extra.get("date"))


def test_cancelled_letter_is_reissued_and_the_transfer_goes_on(member, sibling, secretary, organiser):
    t = _issued(member, sibling, secretary, organiser)
    old = t.serial
    services.cancel_transfer(t, reason="党员暂缓调动", actor=secretary)
    t = services.reissue_letter(t, reason="调动恢复", actor=secretary)
    assert (t.status, t.next_step, t.closed_note) == ("issued", "accept", "")
    assert t.serial != old
    letters = list(TransferLetter.objects.filter(transfer=t).order_by("id"))
    assert [(x.serial, x.void) for x in letters] == [(old, True), (t.serial, False)]
    assert TransferStep.objects.filter(transfer=t, code="reissue").count() == 1
    # the receiver accepts the new letter
    t = services.accept_transfer(t, actor=make_user("branch_secretary", sibling))
    assert t.status == "received" and Member.objects.get(pk=member.pk).organisation_id == sibling.pk


@pytest.mark.parametrize(
    "case, message",
    [
        ("cancelled_before_letter", "开具介绍信之前已撤销"),
        ("other_open_transfer", "未办结"),
        ("member_moved", "已不在"),
        ("receiver_dissolved", "已撤销，不能接收"),
        ("validity_out_of_range", "有效期须在"),
        ("no_reason", "须写明原因"),
        ("future_date", "不能晚于今天"),
        ("received", "不能补开"),
    ],
)
def test_bad_reissues_write_nothing(case, message, member, branch, sibling, far_branch, secretary, organiser):
    kwargs = {"reason": "介绍信遗失", "actor": secretary}
    if case == "cancelled_before_letter":
        t = services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary)
        services.cancel_transfer(t, reason="不调了", actor=secretary)
    elif case == "received":
        t = services.accept_transfer(_issued(member, sibling, secretary, organiser), actor=make_user("branch_secretary", sibling))
    else:
        t = _issued(member, sibling, secretary, organiser)
    if case in ("other_open_transfer", "member_moved", "receiver_dissolved"):
        services.cancel_transfer(t, reason="暂缓", actor=secretary)
    if case == "other_open_transfer":
        services.request_transfer(member, {"to_organisation": far_branch, "reason": "改调他处"}, actor=secretary)
    elif case == "member_moved":
        member_services.move_member(Member.objects.get(pk=member.pk), far_branch, actor=SYSTEM, date=D.today(), reason="组织调整")
    elif case == "receiver_dissolved":
        from apps.orgs.models import Organisation

        Organisation.objects.filter(pk=sibling.pk).update(status="dissolved")
    elif case == "validity_out_of_range":
        kwargs["validity_days"] = rule_values()["letter_days_max"] + 1
    elif case == "no_reason":
        kwargs["reason"] = "  "
    elif case == "future_date":
        kwargs["date"] = D.today() + datetime.timedelta(days=1)
    before = (
        Transfer.objects.get(pk=t.pk).status,
        list(TransferLetter.objects.values_list("serial", "void")),
        TransferStep.objects.count(),
        ChangeLog.objects.count(),
    )
    with pytest.raises(ValidationError) as exc:
        services.reissue_letter(t, **kwargs)
    assert message in " ".join(exc.value.messages)
    after = (
        Transfer.objects.get(pk=t.pk).status,
        list(TransferLetter.objects.values_list("serial", "void")),
        TransferStep.objects.count(),
        ChangeLog.objects.count(),
    )
    assert after == before


def test_only_the_sending_side_reissues(member, sibling, secretary, organiser, far_secretary):
    t = _issued(member, sibling, secretary, organiser)
    services.cancel_transfer(t, reason="暂缓", actor=secretary)
    for outsider in (make_user("branch_secretary", sibling), far_secretary):
        with pytest.raises(PermissionError):
            services.reissue_letter(t, reason="恢复", actor=outsider)
    assert Transfer.objects.get(pk=t.pk).status == "cancelled"


def test_reissue_on_the_web_page(member, sibling, secretary, organiser):
    from django.test import Client
    from django.urls import reverse

    t = _issued(member, sibling, secretary, organiser)
    services.cancel_transfer(t, reason="暂缓", actor=secretary)
    c = Client()
    c.force_login(secretary)
    page = c.get(reverse("mobility:transfer", args=[t.pk])).content.decode()
    assert "补开介绍信（恢复转接）" in page and "撤销转接" not in page
    c.post(reverse("mobility:transfer_act", args=[t.pk]), {"op": "reissue", "note": "调动恢复"})
    assert Transfer.objects.get(pk=t.pk).status == "issued"
    # the receiving side sees the transfer but not the button
    receiver = Client()
    receiver.force_login(make_user("branch_secretary", sibling))
    services.cancel_transfer(t, reason="再次暂缓", actor=secretary)
    assert "恢复转接" not in receiver.get(reverse("mobility:transfer", args=[t.pk])).content.decode()


def test_dues_ledger_from_the_next_month_at_the_new_branch(tree, member, branch, sibling, secretary, organiser):
    """Accepted on 15 March: March is charged at the old branch, April at the new one."""
    dues_services.declare_income(
        member, category="salaried", base="4000.00", effective_month="2025-01", declared_on=D(2025, 1, 5), actor=SYSTEM
    )
    t = _issued(member, sibling, secretary, organiser, date=D(2025, 3, 2))
    services.accept_transfer(t, actor=make_user("branch_secretary", sibling), date=D(2025, 3, 15))
    for org in (branch, sibling):
        for month in (D(2025, 3, 1), D(2025, 4, 1)):
            dues_services.generate_month(org, month, open_cases=False, actor=SYSTEM)
    held = dict(DuesLine.objects.filter(member=member).values_list("month", "organisation_id"))
    assert held == {D(2025, 3, 1): branch.pk, D(2025, 4, 1): sibling.pk}


def test_development_file_moves_with_the_probationary_member(tree, sibling, organiser):
    from apps.recruitment.models import DevelopmentFile
    from tests.recruitment.helpers import before_step, new_file

    branch = tree["branches"][0][0]
    f = before_step(new_file(branch), "placement")
    member = Member.objects.get(pk=DevelopmentFile.objects.get(pk=f.pk).member_id)
    secretary = make_user("branch_secretary", branch)
    t = _issued(member, sibling, secretary, organiser)
    services.accept_transfer(t, actor=make_user("branch_secretary", sibling))
    f = DevelopmentFile.objects.get(pk=f.pk)
    member.refresh_from_db()
    assert f.organisation_id == sibling.pk and member.organisation_id == sibling.pk
    # one move in the member's history, not two
    assert MemberTransferHistory.objects.filter(member=member).count() == 1


def test_leaving_county_transfer_letter_waits_for_the_county(tree, member, secretary, organiser, admin):
    """(The county's step) the letter is not issued before the county approves."""
    other_county = make_org(None, org_type="county_committee", name="中共邻县委员会")
    target = make_org(make_org(other_county, org_type="committee"), org_type="branch")
    t = _issued(member, target, secretary, organiser)
    assert t.status == "requested" and not t.letters.exists()
    with pytest.raises(ValidationError, match="尚未开具"):
        services.letter_pdf(t, actor=secretary)
    t = services.decide_step(t, approve=True, actor=admin)
    assert t.letters.filter(void=False).count() == 1
