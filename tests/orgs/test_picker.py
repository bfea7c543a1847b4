"""The searchable organisation picker (apps.orgs.picker): suggestions limited to the
user's scope, the no-JavaScript fallback (a code or name typed in), and validation
through the scoped queryset only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.members.models import Member
from apps.orgs.picker import SUGGESTION_LIMIT, OrgPickerField, picker_label
from apps.recruitment.forms import FileForm
from tests.factories import make_member, make_org, make_user

NOT_FOUND = "未找到“{}”，或该组织不在您的管理范围内"


@pytest.fixture
def sides(tree):
    """A: the first committee's first branch; B: the second committee's first branch."""
    a, b = tree["branches"][0][0], tree["branches"][1][0]
    return {
        "a": a,
        "b": b,
        "sec_a": make_user("branch_secretary", a),
        "org_c1": make_user("committee_organiser", tree["committees"][0]),
        "admin": make_user("county_admin", tree["county"]),
    }


def _suggest(client, user, **params):
    if getattr(client, "_picker_user", None) != user.pk:
        client.force_login(user)
        client._picker_user = user.pk
    r = client.get(reverse("orgs:picker"), {"action": "view", **params})
    assert r.status_code == 200
    return r.content.decode()


def test_suggestions_never_leave_the_users_scope(client, tree, sides):
    b = sides["b"]
    # By name, by code, by an empty query: the secretary of A never sees B.
    for q in (b.name, b.code, "测试", ""):
        html = _suggest(client, sides["sec_a"], q=q)
        assert b.name not in html and b.code not in html
    assert sides["a"].name in _suggest(client, sides["sec_a"], q="")
    # The organiser of the first committee: its subtree, not the second committee's.
    html = _suggest(client, sides["org_c1"], q="党支部")
    assert sides["a"].name in html and b.name not in html and tree["committees"][1].name not in html
    # The county administrator finds B by name and by code.
    assert b.name in _suggest(client, sides["admin"], q=b.name)
    assert b.name in _suggest(client, sides["admin"], q=b.code)


def test_suggestions_follow_the_action_and_types(client, tree, sides):
    leader = make_user("county_leader", tree["county"])  # may view, not change
    assert sides["a"].name in _suggest(client, leader, q="党支部")
    assert "data-pick=" not in _suggest(client, leader, q="党支部", action="change")
    html = _suggest(client, sides["admin"], q="测试", types="committee")
    assert tree["committees"][0].name in html and sides["a"].name not in html
    # an unknown type is ignored, not an error
    assert sides["a"].name in _suggest(client, sides["admin"], q=sides["a"].code, types="nonsense")


def test_suggestions_are_limited_and_the_query_count_is_fixed(client, tree, sides):
    parent = tree["committees"][0]
    _suggest(client, sides["org_c1"], q="")  # signed in before counting
    with CaptureQueriesContext(connection) as few:
        html = _suggest(client, sides["org_c1"], q="党支部")
    assert html.count("data-pick=") == 2 and "仅显示前" not in html
    for i in range(SUGGESTION_LIMIT + 5):
        make_org(parent, name=f"扩展第{i}党支部")
    with CaptureQueriesContext(connection) as many:
        html = _suggest(client, sides["org_c1"], q="党支部")
    assert html.count("data-pick=") == SUGGESTION_LIMIT
    assert f"仅显示前{SUGGESTION_LIMIT}个" in html
    assert len(many) == len(few)


def test_exact_code_comes_first(client, tree, sides):
    higher = make_org(tree["county"], org_type="committee", name="编码前缀党委", code="ZZ10")
    exact = make_org(tree["committees"][0], name="编码精确党支部", code="ZZ1")
    html = _suggest(client, sides["admin"], q="zz1")
    assert html.count("data-pick=") == 2
    assert html.index(exact.name) < html.index(higher.name)  # although the other is higher up


def test_input_parameter_names_the_text_field(client, sides):
    """htmx sends the text input under its own name (<field>_text); ?input= names it."""
    html = _suggest(client, sides["admin"], input="organisation_text", organisation_text=sides["b"].code)
    assert sides["b"].name in html and sides["a"].name not in html


def test_picker_requires_login(client):
    r = client.get(reverse("orgs:picker"), {"q": "党"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# ── the field ─────────────────────────────────────────────────────────────────────────
def _file_form(user, **data):
    base = {
        "name": "李四",
        "id_number": "",
        "ethnicity": "汉族",
        "education": "bachelor",
        "occupation": "professional",
        "source": "other",
        "application_date": "2026-01-05",
    }
    return FileForm({**base, **data}, user=user)


def _org_errors(form):
    return " ".join(form.errors.get("organisation", []))


def test_field_accepts_an_id_in_scope(sides):
    form = _file_form(sides["sec_a"], organisation=sides["a"].pk)
    form.is_valid()
    assert form.cleaned_data["organisation"] == sides["a"]


def test_fallback_code_name_and_label_without_javascript(sides):
    a = sides["a"]
    for text in (a.code, a.code.lower(), a.name, picker_label(a), f"  {a.code} "):
        form = _file_form(sides["org_c1"], organisation_text=text)
        form.is_valid()
        assert form.cleaned_data.get("organisation") == a, (text, form.errors)


def test_retyped_text_wins_over_a_stale_hidden_id(sides, tree):
    """Without JavaScript the hidden id stays as rendered: new text means a new choice."""
    other = tree["branches"][0][1]
    form = _file_form(sides["org_c1"], organisation=sides["a"].pk, organisation_text=other.code)
    form.is_valid()
    assert form.cleaned_data.get("organisation") == other


def test_out_of_scope_id_or_code_gets_the_not_found_message(sides):
    b = sides["b"]
    by_id = _file_form(sides["sec_a"], organisation=b.pk)
    assert not by_id.is_valid()
    assert NOT_FOUND.format(b.pk) in _org_errors(by_id)
    assert _org_errors(by_id).startswith("负责党组织：")
    by_code = _file_form(sides["sec_a"], organisation_text=b.code)
    assert not by_code.is_valid()
    missing = _file_form(sides["sec_a"], organisation_text="NO-SUCH-CODE")
    assert not missing.is_valid()
    # the same words whether the organisation exists elsewhere or not at all
    assert _org_errors(by_code).replace(b.code, "X") == _org_errors(missing).replace("NO-SUCH-CODE", "X")
    # and the name of B is never echoed back
    assert b.name not in by_id.as_p() and b.name not in by_code.as_p()


def test_ambiguous_name_and_required(sides, tree):
    form = _file_form(sides["org_c1"], organisation_text="党支部")
    assert not form.is_valid()
    assert "不止一个" in _org_errors(form)
    form = _file_form(sides["org_c1"])
    assert not form.is_valid()
    assert "负责党组织为必填项" in _org_errors(form)


def test_field_renders_hidden_id_text_and_htmx_url(sides):
    form = _file_form(sides["sec_a"])
    form.is_valid()
    html = str(form["organisation"])
    assert 'type="hidden" name="organisation"' in html
    assert 'name="organisation_text"' in html and 'id="id_organisation_text"' in html
    assert f'hx-get="{reverse("orgs:picker")}?action=change' in html
    assert "types=" in html and "input=organisation_text" in html
    assert form["organisation"].id_for_label == "id_organisation_text"
    # initial id → its label, through the scoped queryset
    initial = FileForm(user=sides["sec_a"], initial={"organisation": sides["a"].pk})
    assert picker_label(sides["a"]) in str(initial["organisation"])
    foreign = FileForm(user=sides["sec_a"], initial={"organisation": sides["b"].pk})
    assert sides["b"].name not in str(foreign["organisation"])


def test_narrow_and_has_changed(sides, tree):
    field = OrgPickerField(label="党组织", action="view").for_user(sides["org_c1"])
    field.narrow(lambda qs: qs.exclude(pk=sides["a"].pk))
    with pytest.raises(Exception, match="未找到"):
        field.clean((str(sides["a"].pk), ""))
    assert field.clean(("", tree["branches"][0][1].code)) == tree["branches"][0][1]
    other = tree["branches"][0][1]
    assert not field.has_changed(other.pk, (str(other.pk), picker_label(other)))
    assert field.has_changed(other.pk, ("", ""))


# ── the forms that use it ────────────────────────────────────────────────────────────
def test_move_member_by_code_typed_in(client, tree, sides):
    m = make_member(sides["a"])
    target = tree["branches"][0][1]
    client.force_login(sides["org_c1"])
    url = reverse("members:move", args=[m.pk])
    r = client.post(url, {"organisation_text": sides["b"].code, "date": datetime.date.today().isoformat()})
    body = r.content.decode()
    assert r.status_code == 200 and "转入党组织：未找到" in body and sides["b"].name not in body
    r = client.post(url, {"organisation_text": target.code, "date": datetime.date.today().isoformat(), "reason": "工作调动"})
    assert r.status_code == 302
    assert Member.objects.get(pk=m.pk).organisation == target


def test_move_organisation_parent_picker_excludes_own_subtree(client, tree, sides):
    admin_client = client
    client.force_login(sides["admin"])
    committee = tree["committees"][0]
    branch = tree["branches"][0][0]
    r = admin_client.post(reverse("orgs:move", args=[committee.pk]), {"parent_text": branch.code})
    assert "新的上级组织：未找到" in r.content.decode()
    r = admin_client.post(reverse("orgs:move", args=[branch.pk]), {"parent_text": tree["committees"][1].code})
    assert r.status_code == 302
    branch.refresh_from_db()
    assert branch.path.startswith(tree["committees"][1].path)


def test_member_create_page_has_pickers_not_selects(client, sides):
    client.force_login(sides["org_c1"])
    html = client.get(reverse("members:create")).content.decode()
    assert 'name="organisation_text"' in html and 'name="party_group_text"' in html
    assert '<select name="organisation"' not in html and '<select name="party_group"' not in html


def test_the_label_of_a_chosen_organisation_finds_it(client, sides):
    """Focusing a filled picker searches its text, "名称（代码）": that finds the organisation."""
    html = _suggest(client, sides["org_c1"], q=picker_label(sides["a"]))
    assert html.count("data-pick=") == 1 and f'data-pick="{sides["a"].pk}"' in html


def test_a_required_choice_of_one_organisation_is_preselected(client, sides):
    """A branch secretary registering a venue has one organisation to choose: it is filled
    in (and still editable); an organiser with several gets an empty picker, and an
    optional picker (a list filter) is never filled in."""
    from apps.education.forms import VenueForm
    from apps.orgs.picker import OrgFilterForm

    mine = str(VenueForm(user=sides["sec_a"])["organisation"])
    assert f'type="hidden" name="organisation" value="{sides["a"].pk}"' in mine and picker_label(sides["a"]) in mine
    several = str(VenueForm(user=sides["org_c1"])["organisation"])
    assert 'name="organisation" value=""' in several
    assert 'name="org" value=""' in str(OrgFilterForm({}, user=sides["sec_a"])["org"])
    client.force_login(sides["sec_a"])
    page = client.get(reverse("education:venue_new")).content.decode()
    assert f'name="organisation" value="{sides["a"].pk}"' in page
