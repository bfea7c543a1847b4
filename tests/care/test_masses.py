"""联系群众: 党员联系户, 民情日记, 结对帮扶困难群众 — rules, bad paths, scope, gaps, query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.care import rules, selectors, services
from apps.care.models import Household, HouseholdContact
from apps.core.scoping import ScopeError
from tests.factories import make_member, make_user

from .conftest import CLI

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def household(member, actor=CLI, **kw):
    data = {"member": member, "head_name": "王大山", "address": "东村3组12号", "since_on": TODAY - datetime.timedelta(days=200), **kw}
    return services.add_household(data, actor=actor)


def contact(h, actor=CLI, **kw):
    return services.record_contact(
        h, {"on": TODAY, "way": "visit", "situation": "春耕缺化肥", "help_given": "联系农资站送货", **kw}, actor=actor
    )


def test_household_contact_updates_last_contact_and_gap(member, secretary):
    h = household(member, actor=secretary)
    assert list(selectors.household_list(secretary, {"gap": "1"})) == [h]  # never contacted for 200 days
    contact(h, actor=secretary, on=TODAY - datetime.timedelta(days=100))
    h.refresh_from_db()
    assert h.last_contact_on == TODAY - datetime.timedelta(days=100) and h.contact_count == 1
    assert list(selectors.household_list(secretary, {"gap": "1"})) == [h]  # still more than CONTACT_GAP_DAYS ago
    contact(h, actor=secretary)
    assert not selectors.household_list(secretary, {"gap": "1"}).exists()
    contact(h, actor=secretary, on=TODAY - datetime.timedelta(days=10))  # an older entry does not move it back
    h.refresh_from_db()
    assert h.last_contact_on == TODAY and h.contact_count == 3


def test_member_records_own_household_contact_but_not_others(branch, member):
    own = make_user("member", branch, member=member)
    h = household(member)
    contact(h, actor=own)
    other_member = make_member(branch)
    h2 = household(other_member, head_name="李小河")
    with pytest.raises(ScopeError):
        contact(h2, actor=own)
    assert HouseholdContact.objects.filter(household=h2).count() == 0


def test_needy_household_needs_its_needs(member, secretary):
    with pytest.raises(ValidationError) as exc:
        household(member, actor=secretary, needy=True, needs="")
    assert "困难和需求不能为空" in exc.value.message_dict["needs"][0]
    h = household(member, actor=secretary, needy=True, needs="子女上学缺学费")
    assert list(selectors.household_list(secretary, {"needy": "1"})) == [h]


def test_duplicate_active_household_refused_then_allowed_after_end(branch, member, secretary):
    h = household(member, actor=secretary)
    with pytest.raises(ValidationError, match="已有党员联系"):
        household(make_member(branch), actor=secretary)
    services.end_household(h, outcome="户主外出务工，改由他人联系", actor=secretary)
    household(make_member(branch), actor=secretary)
    assert Household.objects.filter(head_name="王大山").count() == 2


def test_household_limit_per_member(member, secretary):
    for i in range(rules.MAX_HOUSEHOLDS_PER_MEMBER):
        household(member, actor=secretary, head_name=f"户主{i}")
    with pytest.raises(ValidationError, match=f"最多联系{rules.MAX_HOUSEHOLDS_PER_MEMBER}户"):
        household(member, actor=secretary, head_name="再一户")
    assert Household.objects.count() == rules.MAX_HOUSEHOLDS_PER_MEMBER


@pytest.mark.parametrize(
    "kw, field, text",
    [
        ({"on": TODAY + datetime.timedelta(days=1)}, "on", "不能晚于今天"),
        ({"on": TODAY - datetime.timedelta(days=400)}, "on", "不能早于联系开始日期"),
        ({"way": "letter"}, "way", "联系方式须为"),
        ({"situation": ""}, "situation", "民情不能为空"),
    ],
)
def test_contact_bad_input_nothing_written(member, secretary, kw, field, text):
    h = household(member, actor=secretary)
    with pytest.raises(ValidationError) as exc:
        contact(h, actor=secretary, **kw)
    assert text in "".join(exc.value.message_dict[field])
    h.refresh_from_db()
    assert h.contact_count == 0 and not HouseholdContact.objects.exists()


def test_ended_household_takes_no_contact(member, secretary):
    h = services.end_household(household(member, actor=secretary), outcome="已脱贫", actor=secretary)
    with pytest.raises(ValidationError, match="已于"):
        contact(h, actor=secretary)


def test_outsider_cannot_add_or_see(member, secretary, outsider, client):
    with pytest.raises(ScopeError):
        household(member, actor=outsider)
    h = household(member, actor=secretary)
    client.force_login(outsider)
    assert client.get(reverse("care:household", args=[h.pk])).status_code == 404
    r = client.post(reverse("care:household", args=[h.pk]), {"on": TODAY, "way": "visit", "situation": "x"})
    assert r.status_code == 404
    assert client.post(reverse("care:household_end", args=[h.pk]), {"ended_on": TODAY, "outcome": "x"}).status_code == 404
    h.refresh_from_db()
    assert h.status == "active" and h.contact_count == 0
    assert not selectors.household_list(outsider).exists()


def test_member_phone_page_and_contact_post(client, branch, member):
    user = make_user("member", branch, member=member)
    h = household(member)
    client.force_login(user)
    assert "王大山户" in client.get(reverse("care:my_households")).content.decode()
    r = client.post(reverse("care:household", args=[h.pk]), {"on": TODAY.isoformat(), "way": "phone", "situation": "询问低保办理"})
    assert r.status_code == 302
    assert HouseholdContact.objects.get().by == member.name


def test_summary_per_branch(tree, secretary, organiser, branch):
    m1, m2 = make_member(branch), make_member(branch)
    h1 = household(m1)
    household(m2, head_name="李小河", needy=True, needs="缺劳力")
    contact(h1)
    other = tree["branches"][0][1]
    household(make_member(other), head_name="张三")
    rows = {r["organisation__name"]: r for r in selectors.household_summary(organiser)}
    assert rows[branch.name]["households"] == 2 and rows[branch.name]["needy"] == 1 and rows[branch.name]["members"] == 2
    assert rows[branch.name]["contacts"] == 1 and rows[branch.name]["gaps"] == 1
    assert rows[other.name]["households"] == 1
    assert [r["organisation__name"] for r in selectors.household_summary(secretary)] == [branch.name]


@pytest.mark.parametrize("n", [2, 12])
def test_households_page_fixed_queries(client, django_assert_max_num_queries, branch, secretary, n):
    for i in range(n):
        h = household(make_member(branch), head_name=f"户主{i}")
        contact(h)
    client.force_login(secretary)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("care:households"))
    assert r.status_code == 200 and r.content.decode().count("东村3组12号") == n


def test_households_export(secretary, member):
    from apps.excel.services import export_list_for

    household(member)
    data, name = export_list_for(secretary, "care_households", {})
    assert name.startswith("党员联系户") and len(data) > 1000
