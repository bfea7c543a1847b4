"""Issue 12 item 12: surnames are read as surnames (单 Shàn, not dān)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core import surnames
from apps.core.pinyin import name_keys, pinyin_keys

ISSUE_SURNAMES = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "翟": "zhai", "覃": "qin", "乐": "yue", "盖": "ge", "缪": "miao", "召": "shao", "种": "chong",
    "繁": "po", "员": "yun", "秘": "bi", "隗": "wei", "句": "gou", "折": "she", "能": "nai",
}  # fmt: skip


@pytest.mark.parametrize("surname, reading", sorted(ISSUE_SURNAMES.items()))
def test_the_21_polyphonic_surnames(surname, reading):
    keys = name_keys(surname + "明华")
    assert keys.pinyin == reading + "minghua"
    assert keys.initials == reading[0] + "mh"


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("欧阳修", "ouyangxiu", "oyx"),
        ("司马光", "simaguang", "smg"),
        ("诸葛亮", "zhugeliang", "zgl"),
        ("上官婉儿", "shangguanwaner", "sgwe"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("万俟卨", "moqixie", "mqx"),
        ("单于洋", "shanyuyang", "syy"),  # the surname 单 with the given name 于洋
        ("张三", "zhangsan", "zs"),
        ("曾国藩", "zengguofan", "zgf"),
    ],
)
def test_compound_and_ordinary_names(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize("surname, first, second", [("覃", "qin", "tan"), ("乐", "yue", "le"), ("盖", "ge", "gai")])
def test_two_living_readings_give_two_keys_sorting_by_the_first(surname, first, second):
    keys = name_keys(surname + "志源")
    assert (keys.pinyin, keys.initials) == (first + "zhiyuan", first[0] + "zy")
    assert (keys.alt_pinyin, keys.alt_initials) == (second + "zhiyuan", second[0] + "zy")
    assert pinyin_keys(surname + "志源") == (keys.pinyin, keys.initials)


def test_names_with_one_reading_have_no_second_key():
    assert name_keys("王志源").alt_pinyin == "" and name_keys("单志源").alt_initials == ""
    assert name_keys("") == ("", "", "", "")


def test_the_table_is_well_formed():
    for table, size in ((surnames.SINGLE, 1), (surnames.COMPOUND, 2)):
        for surname, readings in table.items():
            assert len(surname) == size and readings
            for reading in readings:
                syllables = reading.split()
                assert len(syllables) == size and all(s.isascii() and s.isalpha() and s.islower() for s in syllables)


@given(st.sampled_from(sorted(surnames.SINGLE)), st.text(alphabet="明华志源国强丽芳", min_size=1, max_size=3))
def test_keys_are_surname_reading_plus_given_name(surname, given):
    keys = name_keys(surname + given)
    rest = name_keys("王" + given)
    assert keys.pinyin == surnames.SINGLE[surname][0] + rest.pinyin[len("wang") :]
    assert keys.initials[1:] == rest.initials[1:]


def test_given_name_readings_are_cached_without_sharing_lists():
    # The given name's syllables are cached per text (issue 13, import speed): the result is
    # pypinyin's, and a caller changing the list it got does not change the next answer.
    from pypinyin import Style, lazy_pinyin

    from apps.core.pinyin import _syllables

    first = _syllables("秀英")
    assert first == [s.lower() for s in lazy_pinyin("秀英", style=Style.NORMAL, errors="ignore") if s] == ["xiu", "ying"]
    first.append("x")
    assert _syllables("秀英") == ["xiu", "ying"]
    assert name_keys("王秀英").pinyin == "wangxiuying"
