"""Pinyin keys for name search and sorting: 张三 → ("zhangsan", "zs").

The surname is read with the surname table (apps.core.surnames: 单 → shan, 曾 → zeng,
欧阳 → ouyang …), the given name with pypinyin. A surname with two living readings
(覃 qín/tán, 乐 yuè/lè, 盖 gě/gài) gives a second pair of keys, indexed beside the first,
so that either reading finds the member; sorting uses the first.
"""

from functools import lru_cache
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin

from .surnames import COMPOUND, SINGLE

PINYIN_MAX = 120
INITIALS_MAX = 20


class NameKeys(NamedTuple):
    pinyin: str
    initials: str
    alt_pinyin: str = ""  # the surname's second reading, or ""
    alt_initials: str = ""


def _syllables(text: str) -> list[str]:
    return list(_syllables_of(text))


@lru_cache(maxsize=65536)
def _syllables_of(text: str) -> tuple[str, ...]:
    # Given names repeat far more than whole names (伟, 秀英, 建国 …): a roster's new names
    # mostly meet a given name already read (pypinyin costs ≈ 12 µs per call).
    return tuple(s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s)


def split_surname(name: str) -> tuple[str, tuple[str, ...] | None, str]:
    """(surname, its readings from the table or None, given name)."""
    if name[:2] in COMPOUND:
        return name[:2], COMPOUND[name[:2]], name[2:]
    if name[:1] in SINGLE:
        return name[:1], SINGLE[name[:1]], name[1:]
    return name[:1], None, name[1:]


def _keys(surname: list[str], given: list[str]) -> tuple[str, str]:
    syllables = surname + given
    return "".join(syllables)[:PINYIN_MAX], "".join(s[0] for s in syllables)[:INITIALS_MAX]


@lru_cache(maxsize=65536)
def name_keys(name: str) -> NameKeys:
    name = (name or "").strip()
    if not name:
        return NameKeys("", "")
    surname, readings, given = split_surname(name)
    given_syllables = _syllables(given)
    if readings is None:
        return NameKeys(*_keys(_syllables(surname), given_syllables))
    first = _keys(readings[0].split(), given_syllables)
    if len(readings) == 1:
        return NameKeys(*first)
    return NameKeys(*first, *_keys(readings[1].split(), given_syllables))


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) with the surname's usual reading: the sort key."""
    keys = name_keys(name)
    return keys.pinyin, keys.initials
