"""The roster web page (issue 13, docs/performance.md "Roster web page"): a fixed number of
queries whatever the rows, the filter form built by apps.members.forms_filter (same
controls, values and ARIA as Django's widgets, the chosen values kept), the same columns,
masked personal data, and the scope of the heading and of the "新增党员" button."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from apps.members import codes, forms_filter
from apps.members.filters import MemberFilterSet
from apps.members.models import Member
from tests.factories import make_member, make_user

URL = "/members/"
COLUMNS = ["姓名", "性别", "出生日期", "身份证号", "联系电话", "所在党组织", "人员类别", "党籍状态", "入党日期"]


class _Page(HTMLParser):
    """The filter form's controls, the table's header cells and rows, ids on the page."""

    def __init__(self):
        super().__init__()
        self.selects, self.inputs, self.ids = {}, {}, set()
        self.headers, self.rows, self.labels = [], [], {}
        self._select = self._option = self._cell = self._label = None
        self._in_thead = self._in_tbody = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "select":
            self._select = a["name"]
            self.selects[a["name"]] = {"attrs": a, "options": []}
        elif tag == "option" and self._select:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "input" and "name" in a:
            self.inputs.setdefault(a["name"], a)
        elif tag == "label" and "for" in a:
            self._label = a["for"]
            self.labels[a["for"]] = ""
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = {"text": "", "html": []}
        if self._cell is not None and tag not in ("td", "th"):
            self._cell["html"].append((tag, a))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None:
            self.selects[self._select]["options"].append(tuple(self._option))
            self._option = None
        elif tag == "label":
            self._label = None
        elif tag == "thead":
            self._in_thead = False
        elif tag == "tbody":
            self._in_tbody = False
        elif tag in ("td", "th") and self._cell is not None:
            if self._in_thead:
                self.headers.append(self._cell["text"])
            elif self._in_tbody and self.rows:
                self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._cell is not None:
            self._cell["text"] += data
        if self._label is not None:
            self.labels[self._label] += data


def _parse(response) -> _Page:
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    return page


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def secretary(client, branch):
    client.force_login(make_user("branch_secretary", branch))
    return client


def _queries(client, params) -> int:
    client.get(URL, params)  # warm-up: the session's first idle-timeout refresh is written here
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


def _grow(org, n):
    for i in range(n):
        make_member(org, categories=["rural"] if i % 3 == 0 else [])


# ---------------------------------------------------------------- queries
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # session, user, role assignments, the rows with their capped count
        ({}, 4),
        # … + the chosen organisation (its path for the filter and its name for the heading)
        ({"org": "BRANCH"}, 5),
        ({"org": "BRANCH", "status": ["normal", "mobile"], "ordering": "name", "category": "rural", "sex": "M"}, 5),
        ({"q": "zh"}, 4),
    ],
)
def test_branch_page_runs_the_same_queries_on_a_small_and_a_full_page(secretary, branch, params, expected):
    params = {k: (branch.pk if v == "BRANCH" else v) for k, v in params.items()}
    _grow(branch, 3)
    small = _queries(secretary, params)
    _grow(branch, 60)  # more than a page of 50: a next link and a cursor
    assert Member.objects.filter(organisation=branch).count() == 63
    assert (small, _queries(secretary, params)) == (expected, expected)


def test_county_page_runs_five_queries_whatever_the_rows_and_on_a_cursor_page(client, tree):
    client.force_login(make_user("county_admin", tree["county"]))
    params = {"org": tree["county"].pk}
    _grow(tree["branches"][0][0], 2)
    small = _queries(client, params)
    for org in (tree["branches"][0][1], tree["branches"][1][0]):
        _grow(org, 30)
    assert len(_parse(client.get(URL, params)).rows) == 50
    assert (small, _queries(client, params), _queries(client, {**params, "page": 2})) == (5, 5, 5)


def test_no_lookups_per_row_of_deferred_columns(secretary, branch):
    """The rows are read with .only(ROSTER_COLUMNS): a column the table reads but the list
    of columns forgets would cost one query per row."""
    _grow(branch, 12)
    with CaptureQueriesContext(connection) as ctx:
        page = _parse(secretary.get(URL))
    assert len(page.rows) == 12
    member_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "members_member"' in q["sql"]]
    assert len(member_queries) == 1, member_queries  # the rows, carrying the capped count


# ---------------------------------------------------------------- columns
def test_page_shows_the_same_columns_with_masked_personal_data(secretary, branch):
    normal = make_member(branch, name="张正常", sex="F", member_type="full")
    moving = make_member(branch, name="李流动", phone="")
    Member.objects.filter(pk=moving.pk).update(status="mobile")
    page = _parse(secretary.get(URL, {"ordering": "name"}))
    assert page.headers == COLUMNS
    by_name = {row[0]["text"]: row for row in page.rows}
    assert set(by_name) == {"张正常", "李流动"}
    row = by_name["张正常"]
    assert all(len(r) == len(COLUMNS) for r in page.rows)
    assert row[0]["html"] == [("a", {"href": reverse("members:detail", args=[normal.pk])})]
    assert [c["text"] for c in row[1:]] == [
        "女",
        normal.birth_date.isoformat(),
        normal.id_number_masked,
        normal.phone_masked,
        branch.display_name,
        "正式党员",
        "正常",
        normal.join_date.isoformat(),
    ]
    assert normal.reveal_id_number() not in secretary.get(URL).content.decode()
    moving_row = by_name["李流动"]
    assert moving_row[4]["text"] == "—"  # no phone
    assert moving_row[7]["text"] == "流动" and moving_row[7]["html"] == [("span", {"class": "badge warn"})]


def test_values_are_escaped(secretary, branch):
    member = make_member(branch)
    Member.objects.filter(pk=member.pk).update(name="<b>王</b>")  # the name rules refuse it; escaping must not rely on them
    body = secretary.get(URL).content.decode()
    assert "&lt;b&gt;王&lt;/b&gt;" in body and "<b>王</b>" not in body


def test_empty_result_says_so(secretary, branch):
    page = _parse(secretary.get(URL, {"q": "没有这个人"}))
    assert len(page.rows) == 1 and page.rows[0][0]["text"] == "没有符合条件的党员"


# ---------------------------------------------------------------- the filter form
def test_filter_form_filters_and_keeps_the_chosen_values(secretary, branch):
    wanted = make_member(branch, sex="F", ethnicity="回族", education="postgraduate")
    make_member(branch, sex="F", ethnicity="汉族", education="postgraduate")
    make_member(branch, sex="M", ethnicity="回族", education="postgraduate")
    Member.objects.filter(pk=wanted.pk).update(status="mobile")
    params = {
        "sex": "F",
        "ethnicity": "回族",
        "status": ["mobile", "lost_contact"],
        "education": "postgraduate",
        "ordering": "-join",
        "q": wanted.name,
        "joined_from": "2000-01-01",
    }
    page = _parse(secretary.get(URL, params))
    assert [row[0]["text"] for row in page.rows] == [wanted.name]

    def chosen(name):
        return [value for value, _label, selected in page.selects[name]["options"] if selected]

    assert chosen("sex") == ["F"]
    assert chosen("ethnicity") == ["回族"]
    assert sorted(chosen("status")) == ["lost_contact", "mobile"]
    assert chosen("education") == ["postgraduate"]
    assert chosen("ordering") == ["-join"]
    assert chosen("member_type") == [""]  # not chosen: 全部
    assert page.inputs["q"]["value"] == wanted.name
    assert page.inputs["joined_from"]["value"] == "2000-01-01"
    assert "value" not in page.inputs["joined_to"]
    assert "multiple" in page.selects["status"]["attrs"] and page.selects["status"]["attrs"]["size"] == "4"
    # every control is labelled
    for name in ("sex", "ethnicity", "status", "education", "ordering", "q", "joined_from"):
        assert page.labels[f"id_{name}"], name


def test_filter_form_offers_every_choice_once_with_one_empty_option(secretary):
    page = _parse(secretary.get(URL))
    sex = page.selects["sex"]["options"]
    assert sex == [("", "全部", True), *[(v, label, False) for v, label in codes.SEX_CHOICES]]
    ethnicity = page.selects["ethnicity"]["options"]
    assert [v for v, _l, _s in ethnicity] == ["", *[v for v, _l in codes.ETHNICITY_CHOICES]]
    assert [label for _v, label, _s in page.selects["status"]["options"]] == [label for _v, label in codes.STATUS_CHOICES]
    assert page.selects["ordering"]["options"][0] == ("", "默认（按组织）", True)
    assert "org" not in page.selects and "org" not in page.inputs  # no organisation chosen


def test_filter_controls_match_djangos_own_widgets(rf):
    """Same name, id, values, labels, selection and ARIA attributes as Django's rendering
    (except the single "全部" empty option and the multi-select's size)."""
    data = rf.get(URL, {"sex": "F", "status": ["normal", "mobile"], "age_band": "nonsense", "q": "a&b"}).GET
    form = MemberFilterSet(data, queryset=Member.objects.none()).form
    form.is_valid()
    fields = forms_filter.filter_fields(form, MemberFilterSet)
    for bf in form.visible_fields():
        ours, theirs = _Page(), _Page()
        ours.feed(str(fields[bf.name].control))
        theirs.feed(str(bf))
        if theirs.selects:
            (o,), (t,) = ours.selects.values(), theirs.selects.values()
            t_options = list(t["options"])
            if t_options and t_options[0][1].startswith("---"):
                t_options[0] = ("", "全部", t_options[0][2])
            assert o["options"] == t_options, bf.name
            o_attrs = {k: v for k, v in o["attrs"].items() if k != "size"}
            assert o_attrs == t["attrs"], bf.name
        else:
            assert ours.inputs == theirs.inputs, bf.name
    assert fields["age_band"].errors and fields["age_band"].error_id == "id_age_band_error"


def test_invalid_filter_shows_the_error_where_aria_points(secretary, branch):
    make_member(branch)
    page = _parse(secretary.get(URL, {"age_band": "nonsense", "status": "retired"}))
    assert page.rows[0][0]["text"] == "没有符合条件的党员"
    for name in ("age_band", "status"):
        attrs = page.selects[name]["attrs"]
        assert attrs["aria-invalid"] == "true"
        assert all(ref in page.ids for ref in attrs["aria-describedby"].split()), attrs
    body = secretary.get(URL, {"age_band": "nonsense"}).content.decode()
    assert re.search(r'<div id="id_age_band_error"><div class="error" role="alert">[^<]*nonsense', body)
    # the search box's help text is the target of its aria-describedby
    assert "id_q_helptext" in page.ids and page.inputs["q"]["aria-describedby"] == "id_q_helptext"


def test_option_lists_are_built_once_per_language(rf, secretary):
    forms_filter._OPTION_CACHE.clear()
    form = MemberFilterSet(rf.get(URL, {"sex": "F"}).GET, queryset=Member.objects.none()).form
    form.is_valid()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            forms_filter.filter_fields(form, MemberFilterSet)
    assert {key[2] for key in forms_filter._OPTION_CACHE} == {"zh-hans", "en"}
    assert {key[0] for key in forms_filter._OPTION_CACHE} == {MemberFilterSet}
    assert {key[1] for key in forms_filter._OPTION_CACHE} >= {"sex", "ethnicity", "status", "ordering"}
    secretary.get(URL)
    before = dict(forms_filter._OPTION_CACHE)
    page = _parse(secretary.get(URL, {"sex": "M"}))
    assert forms_filter._OPTION_CACHE == before  # a later page builds nothing
    assert [v for v, _l, selected in page.selects["sex"]["options"] if selected] == ["M"]  # nor keeps a selection


# ---------------------------------------------------------------- scope
def test_heading_and_hidden_org_only_inside_the_scope(secretary, tree, branch):
    other = tree["branches"][1][0]
    make_member(other, name="外支部")
    mine = _parse(secretary.get(URL, {"org": branch.pk}))
    assert mine.inputs["org"]["value"] == str(branch.pk)
    assert branch.name in secretary.get(URL, {"org": branch.pk}).content.decode()
    response = secretary.get(URL, {"org": other.pk})
    page = _parse(response)
    assert "org" not in page.inputs and other.name not in response.content.decode()
    assert page.rows[0][0]["text"] == "没有符合条件的党员"


@pytest.mark.parametrize(("role", "shown"), [("branch_secretary", True), ("inspector", False), (None, True)])
def test_new_member_button_follows_the_change_scope(client, branch, role, shown):
    user = make_user(role, branch) if role else make_user(is_superuser=True)
    client.force_login(user)
    body = client.get(URL).content.decode()
    assert (reverse("members:create") in body) is shown
