"""The member picker (apps.members.picker), used where a <select> listed every member of
a subtree (班子成员: the county committee's form listed the whole county)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.members.picker import SUGGESTION_LIMIT, member_label
from apps.orgs.models import CommitteeMember
from tests.factories import make_member, make_user


@pytest.fixture
def sides(tree):
    a, b = tree["branches"][0][0], tree["branches"][1][0]
    return {
        "a": a,
        "b": b,
        "sibling": tree["branches"][0][1],
        "sec_a": make_user("branch_secretary", a),
        "org_c1": make_user("committee_organiser", tree["committees"][0]),
        "admin": make_user("county_admin", tree["county"]),
    }


def _suggest(client, user, **params):
    client.force_login(user)
    r = client.get(reverse("members:picker"), {"action": "view", **params})
    assert r.status_code == 200
    return r.content.decode()


def test_suggestions_stay_in_scope_and_subtree(client, tree, sides):
    mine = make_member(sides["a"], name="欧阳选人")
    theirs = make_member(sides["b"], name="欧阳他人")
    html = _suggest(client, sides["sec_a"], q="欧阳")
    assert mine.name in html and theirs.name not in html
    html = _suggest(client, sides["sec_a"], q="oy")  # initials
    assert mine.name in html and theirs.name not in html
    html = _suggest(client, sides["admin"], q="欧阳")
    assert mine.name in html and theirs.name in html
    # ?org= narrows to a subtree; an organisation outside scope gives nothing at all
    assert theirs.name not in _suggest(client, sides["admin"], q="欧阳", org=sides["a"].pk)
    assert "data-pick=" not in _suggest(client, sides["sec_a"], q="欧阳", org=sides["b"].pk)
    # masked identity numbers only
    html = _suggest(client, sides["admin"], q="欧阳")
    assert mine.reveal_id_number() not in html and mine.id_number_masked in html


def test_suggestions_limited_and_fixed_queries(client, sides):
    make_member(sides["a"], name="上官一")
    client.force_login(sides["org_c1"])
    client.get(reverse("members:picker"), {"q": "上官"})
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("members:picker"), {"q": "上官"})
    for i in range(SUGGESTION_LIMIT + 3):
        make_member(sides["sibling"], name="上官" + "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地"[i])
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("members:picker"), {"q": "上官"}).content.decode()
    assert len(many) == len(few)
    assert html.count("data-pick=") == SUGGESTION_LIMIT and f"仅显示前{SUGGESTION_LIMIT}名" in html


def test_seat_form_is_a_picker_with_id_number_fallback(client, tree, sides):
    committee = tree["committees"][0]
    m = make_member(sides["a"], name="司马任职")
    client.force_login(sides["org_c1"])
    url = reverse("orgs:seat_add", args=[committee.pk])
    html = client.get(url).content.decode()
    assert 'name="member_text"' in html and '<select name="member"' not in html
    assert f"org={committee.pk}" in html  # suggestions limited to the committee's subtree
    # a whole ID number typed without JavaScript
    r = client.post(url, {"member_text": m.reveal_id_number(), "role": "secretary"})
    assert r.status_code == 302
    assert CommitteeMember.objects.get(organisation=committee).member == m


def test_seat_form_refuses_members_outside_scope_or_subtree(client, tree, sides):
    branch = sides["a"]
    outside = make_member(sides["b"], name="皇甫外人")
    sibling = make_member(sides["sibling"], name="皇甫邻居")
    client.force_login(sides["org_c1"])
    url = reverse("orgs:seat_add", args=[branch.pk])
    for data in ({"member": outside.pk}, {"member_text": outside.reveal_id_number()}, {"member": sibling.pk}):
        r = client.post(url, {**data, "role": "secretary"})
        body = r.content.decode()
        assert r.status_code == 200 and "党员：未找到" in body and "不在您的管理范围内" in body
        assert outside.name not in body
    assert not CommitteeMember.objects.exists()


def test_seat_form_name_fallback_and_ambiguity(client, sides):
    one = make_member(sides["a"], name="独孤唯一")
    make_member(sides["a"], name="令狐同名")
    make_member(sides["a"], name="令狐同名")
    client.force_login(sides["org_c1"])
    url = reverse("orgs:seat_add", args=[sides["a"].pk])
    r = client.post(url, {"member_text": "令狐同名", "role": "secretary"})
    assert "党员：与“令狐同名”匹配的党员不止一个" in r.content.decode()
    r = client.post(url, {"member_text": "独孤唯一", "role": "secretary"})
    assert r.status_code == 302 and CommitteeMember.objects.get().member == one
    # the picked label (hidden id + label text) stands
    assert member_label(one).startswith("独孤唯一（")


# ── 培养联系人 / 入党介绍人: one member picker per slot ─────────────────────────────────
def test_step_members_are_pickers_with_fallback_and_scope(client, tree, sides):
    from apps.recruitment.models import FilePerson
    from tests.recruitment.helpers import before_step, new_file

    first, second = make_member(sides["a"], name="介绍人甲"), make_member(sides["a"], name="介绍人乙")
    outsider = make_member(sides["b"], name="介绍人外")
    f = before_step(new_file(sides["a"]), "introducers", people=[first, second])
    client.force_login(sides["sec_a"])
    url = reverse("recruitment:step_take", args=[f.pk, "introducers"])
    html = client.get(url).content.decode()
    assert html.count('name="introducers_text"') == 2 and '<select name="introducers"' not in html
    assert "full=1" in html  # suggestions: full members only
    # someone outside the secretary's scope, by id or by ID number: refused, nothing written
    for data in ({"introducers": [outsider.pk, first.pk]}, {"introducers_text": [outsider.reveal_id_number(), "介绍人甲"]}):
        body = client.post(url, {"date": "2024-03-20", **data}).content.decode()
        assert "入党介绍人（2名正式党员）：未找到" in body and outsider.name not in body
        errors = " ".join(re.findall(r'role="alert">([^<]*)<', body))
        assert "未找到" in errors and outsider.reveal_id_number() not in errors  # the message masks a typed ID number
    assert not FilePerson.objects.filter(file=f, role="introducer").exists()
    # typed without JavaScript: an ID number and a name
    r = client.post(url, {"date": "2024-03-20", "introducers_text": [first.reveal_id_number(), "介绍人乙"]})
    assert r.status_code == 302
    assert set(FilePerson.objects.filter(file=f, role="introducer").values_list("member_id", flat=True)) == {first.pk, second.pk}
