"""A member edits their own record; education/degree changes wait for the branch."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.members import services
from apps.members.models import Member, MemberChangeRequest
from tests.factories import make_member, make_user


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def own(branch):
    member = make_member(branch, education="high_school")
    user = make_user("member", branch, member=member)
    return member, user


def test_phone_changes_at_once_education_waits_for_review(client, own):
    member, user = own
    client.force_login(user)
    response = client.post(
        reverse("members:me"),
        {"phone": "13900001111", "address": "示范镇幸福村", "education": "bachelor", "degree": "", "reason": "2025年取得本科"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.reveal_phone() == "13900001111" and member.address == "示范镇幸福村"
    assert member.education == "high_school"  # not yet: the branch reviews it
    req = MemberChangeRequest.objects.get(member=member)
    assert (req.field, req.old_value, req.new_value, req.status) == ("education", "high_school", "bachelor", "pending")


def test_branch_approves_and_rejects(client, own, branch):
    member, user = own
    services.update_member_self(member, {"education": "college"}, actor=user)
    secretary = make_user("branch_secretary", branch)
    client.force_login(secretary)
    page = client.get(reverse("members:change_requests"))
    assert member.name in page.content.decode()
    req = MemberChangeRequest.objects.get()
    client.post(reverse("members:decide_request", args=[req.pk]), {"decision": "approve", "note": ""})
    member.refresh_from_db()
    assert member.education == "college"
    assert MemberChangeRequest.objects.get().status == "approved"

    services.update_member_self(member, {"degree": "bachelor"}, actor=user)
    req = MemberChangeRequest.objects.filter(status="pending").get()
    with pytest.raises(ValidationError, match="审核意见"):
        services.decide_change_request(req, approve=False, actor=secretary, note="")
    services.decide_change_request(req, approve=False, actor=secretary, note="未见学位证书")
    member.refresh_from_db()
    assert member.degree == ""


def test_member_cannot_change_other_fields_or_other_records(own, branch):
    member, user = own
    with pytest.raises(ValidationError, match="不能由本人修改"):
        services.update_member_self(member, {"name": "李四"}, actor=user)
    other = make_member(branch)
    with pytest.raises(ScopeError):
        services.update_member_self(other, {"phone": "13900002222"}, actor=user)
    assert Member.objects.get(pk=other.pk).phone_masked != "139****2222"


def test_bad_education_value_refused_and_duplicate_pending_refused(own):
    member, user = own
    with pytest.raises(ValidationError, match="不是有效取值"):
        services.update_member_self(member, {"education": "phd"}, actor=user)
    services.update_member_self(member, {"education": "college"}, actor=user)
    with pytest.raises(ValidationError, match="待审核"):
        services.update_member_self(member, {"education": "bachelor"}, actor=user)
    assert MemberChangeRequest.objects.count() == 1


def test_other_branch_cannot_see_or_decide(client, own, tree):
    member, user = own
    services.update_member_self(member, {"education": "college"}, actor=user)
    req = MemberChangeRequest.objects.get()
    stranger = make_user("branch_secretary", tree["branches"][1][0])
    client.force_login(stranger)
    assert member.name not in client.get(reverse("members:change_requests")).content.decode()
    assert client.post(reverse("members:decide_request", args=[req.pk]), {"decision": "approve"}).status_code == 404
    assert MemberChangeRequest.objects.get().status == "pending"


def test_sex_change_checked_against_stored_id_number(branch):
    member = make_member(branch, sex="M")
    with pytest.raises(ValidationError, match="性别与身份证号不一致"):
        services.update_member(member, {"sex": "F"}, actor=system_actor("cli"))


def test_change_requests_paged_with_total_and_fixed_queries(client, branch):
    """The review queue: every pending request reachable through pages, a total, and as
    many queries for a full page as for two rows; a decision returns to its page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.core.paging import PAGE_SIZE

    def ask(n):
        for _ in range(n):
            member = make_member(branch, education="high_school")
            services.update_member_self(member, {"education": "college"}, actor=make_user("member", branch, member=member))

    secretary = make_user("branch_secretary", branch)
    client.force_login(secretary)
    url = reverse("members:change_requests")
    ask(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert "共 2 条" in client.get(url).content.decode()
    ask(PAGE_SIZE + 1)
    with CaptureQueriesContext(connection) as many:
        first = client.get(url)
    assert len(many) == len(few)
    assert f"共 {PAGE_SIZE + 3} 条" in first.content.decode() and "下一页" in first.content.decode()
    second = client.get(url, {"page": 2})
    shown = [r.pk for r in first.context["page"].rows] + [r.pk for r in second.context["page"].rows]
    assert sorted(shown) == sorted(MemberChangeRequest.objects.values_list("pk", flat=True))
    req = second.context["page"].rows[0]
    assert '<input type="hidden" name="page" value="2">' in second.content.decode()
    r = client.post(reverse("members:decide_request", args=[req.pk]), {"decision": "approve", "note": "", "page": "2"})
    assert r.status_code == 302 and r["Location"] == f"{url}?page=2"
    assert MemberChangeRequest.objects.get(pk=req.pk).status == "approved"
