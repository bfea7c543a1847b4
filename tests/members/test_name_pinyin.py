"""Issue 12 item 12: members with polyphonic surnames are found by their surname's
reading (either one, for 覃/乐/盖) and sort under the right letter; existing rows are
corrected by the data migration / `manage.py reindex_pinyin`; the importer and the demo
county use the same keys."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.core.actors import system_actor
from apps.core.pinyin import name_keys
from apps.excel.importer import import_members
from apps.members import demo
from apps.members.filters import ORDERING, search_members
from apps.members.models import Member
from apps.members.pinyin_index import reindex
from tests.excel.helpers import good_row, xlsx
from tests.factories import make_member


def _found(text):
    return set(search_members(Member.objects.all(), text).values_list("name", flat=True))


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


def test_found_by_the_surname_reading(branch):
    for name in ("单志源", "曾国华", "解放军", "翟明", "欧阳晓东", "尉迟恭"):
        make_member(branch, name=name)
    assert _found("shanzhiyuan") == {"单志源"} and _found("szy") == {"单志源"}
    assert _found("zengguohua") == {"曾国华"} and _found("zgh") == {"曾国华"}
    assert "解放军" in _found("xie")
    assert _found("zhaiming") == {"翟明"}
    assert _found("ouyang") == {"欧阳晓东"} and _found("oyxd") == {"欧阳晓东"}
    assert _found("yuchigong") == {"尉迟恭"}
    assert _found("danzhiyuan") == set() and _found("cengguohua") == set()


@pytest.mark.parametrize("surname, first, second", [("覃", "qin", "tan"), ("乐", "yue", "le"), ("盖", "ge", "gai")])
def test_either_living_reading_finds_the_member(branch, surname, first, second):
    make_member(branch, name=surname + "志源")
    for text in (first + "zhiyuan", second + "zhiyuan", first[0] + "zy", second[0] + "zy", second):
        assert _found(text) == {surname + "志源"}, text


def test_sorted_under_the_surname_reading(branch):
    for name in ("单明", "曾明", "陈明", "邓明"):
        make_member(branch, name=name)
    ordered = list(Member.objects.order_by(*ORDERING["name"]).values_list("name", flat=True))
    # chen < deng < shan < zeng (the everyday readings would put 曾 ceng before 陈 and 单 dan before 邓)
    assert ordered == ["陈明", "邓明", "单明", "曾明"]


def test_search_runs_one_query_whatever_the_reading(branch, django_assert_num_queries):
    make_member(branch, name="覃志源")
    with django_assert_num_queries(1):
        assert len(list(search_members(Member.objects.all(), "tzy"))) == 1


def test_renaming_recomputes_both_keys(branch):
    from apps.members.services import update_member

    member = make_member(branch, name="王志源")
    update_member(member, {"name": "覃志源"}, actor=system_actor("cli"))
    member.refresh_from_db()
    assert (member.name_pinyin, member.name_pinyin_alt) == ("qinzhiyuan", "tanzhiyuan")


def test_reindex_pinyin_corrects_stale_rows(branch):
    a = make_member(branch, name="单志源")
    b = make_member(branch, name="覃明")
    c = make_member(branch, name="王明")
    # As the old code stored them (the converter's everyday readings, no second key).
    Member.objects.filter(pk=a.pk).update(name_pinyin="danzhiyuan", name_initials="dzy")
    Member.objects.filter(pk=b.pk).update(name_pinyin="tanming", name_initials="tm", name_pinyin_alt="", name_initials_alt="")
    assert _found("shan") == set()
    out = StringIO()
    call_command("reindex_pinyin", "--dry-run", stdout=out)
    assert "需更新 2 名" in out.getvalue()
    assert Member.objects.get(pk=a.pk).name_pinyin == "danzhiyuan"
    call_command("reindex_pinyin", "--batch-size", "1", stdout=out)
    assert "已更新 2 名" in out.getvalue()
    for m in (a, b, c):
        m.refresh_from_db()
        assert (m.name_pinyin, m.name_initials, m.name_pinyin_alt, m.name_initials_alt) == tuple(name_keys(m.name))
    assert _found("shan") == {"单志源"} and _found("tanming") == {"覃明"}
    assert reindex(Member) == (3, 0)  # nothing left to do


def test_the_importer_stores_the_surname_reading(branch):
    result = import_members(
        xlsx([good_row(branch, 姓名="覃志源"), good_row(branch, 姓名="单国强")]), dry_run=False, actor=system_actor("cli")
    )
    assert result.ok, [str(e) for e in result.errors]
    assert _found("tanzhiyuan") == {"覃志源"} and _found("qzy") == {"覃志源"}
    assert _found("sgq") == {"单国强"}


def test_the_demo_county_uses_the_same_keys(db, monkeypatch):
    seen = {}
    real = demo._insert_rows

    def capture(model, fields, rows, chunk=5000):
        if model is Member:
            seen["fields"], seen["rows"] = fields, rows[:]
        return real(model, fields, rows, chunk)

    monkeypatch.setattr(demo, "_insert_rows", capture)
    monkeypatch.setattr(demo, "SURNAMES", "覃单曾")
    monkeypatch.setattr(demo, "SURNAME_WEIGHTS", [1.0, 1.0, 1.0])
    import datetime

    plan = demo.plan_county(3, datetime.date(2026, 6, 30))
    demo.write_county(plan)
    fields = seen["fields"]
    keys = [fields.index(f) for f in ("name_pinyin", "name_initials", "name_pinyin_alt", "name_initials_alt")]
    for row in seen["rows"][:300]:
        name = row[fields.index("name")]
        assert tuple(row[i] for i in keys) == tuple(name_keys(name))
    assert Member.objects.filter(name__startswith="覃", name_pinyin_alt__startswith="tan").exists()
