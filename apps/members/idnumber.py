"""身份证号 (GB 11643-1999) validation, normalisation and the facts it encodes.

Every error message is Chinese and names the rule, so web forms, the API and the Excel
import all say the same thing.
"""

import datetime
import functools
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index: sum mod 11
FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XXX")


def is_ascii_digits(value: str) -> bool:
    """True for a non-empty string of the digits 0–9 only. str.isdigit() also accepts
    superscript (²), circled (①), Arabic-Indic (٣) and Devanagari (३) digits, which int()
    refuses or the blind index keeps apart from the same number in ASCII: every check of
    an ID number or a phone number uses this instead (after FULLWIDTH normalisation)."""
    return bool(value) and value.isascii() and value.isdigit()


class IdNumberError(ValueError):
    pass


@dataclass(frozen=True)
class IdFacts:
    number: str  # normalised 18 characters, upper-case X
    birth_date: datetime.date
    sex: str  # "M" / "F"
    area_code: str
    upgraded_from_15: bool


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(raw: str) -> str:
    return (raw or "").strip().translate(FULLWIDTH).replace(" ", "").upper()


def parse(raw: str, *, today: datetime.date | None = None) -> IdFacts:
    """Validate and decode an ID number; a 15-digit number is upgraded to 18."""
    return _parse(raw, today or datetime.date.today())


@functools.lru_cache(maxsize=256)  # an import asks twice per row (cell, then the member service)
def _parse(raw: str, today: datetime.date) -> IdFacts:
    value = normalise(raw)
    upgraded = False
    if len(value) == 15:
        if not is_ascii_digits(value):
            raise IdNumberError("15位身份证号必须全部为数字（0–9）")
        body = value[:6] + "19" + value[6:]
        value = body + check_char(body)
        upgraded = True
    if len(value) != 18:
        raise IdNumberError(f"身份证号应为18位（或旧式15位），当前为{len(value)}位")
    if not is_ascii_digits(value[:17]) or not (is_ascii_digits(value[17]) or value[17] == "X"):
        raise IdNumberError("身份证号前17位必须为数字（0–9），最后一位为数字或X")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise IdNumberError(f"身份证号中的出生日期“{value[6:14]}”不是有效日期") from exc
    if birth > today:
        raise IdNumberError(f"身份证号中的出生日期 {birth:%Y-%m-%d} 晚于今天")
    if birth.year < 1880:
        raise IdNumberError(f"身份证号中的出生日期 {birth:%Y-%m-%d} 早于1880年，不合常理")
    expected = check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError(f"身份证号校验位错误（GB 11643-1999）：最后一位应为“{expected}”，实际为“{value[17]}”")
    sex = "M" if int(value[16]) % 2 == 1 else "F"
    return IdFacts(number=value, birth_date=birth, sex=sex, area_code=value[:6], upgraded_from_15=upgraded)


def age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def compose(area_code: str, birth: datetime.date, sequence: int, sex: str) -> str:
    """Build a valid 18-character number (demo data, tests): sequence 0–499 gives the
    three-digit order code, whose last digit is made odd for men and even for women."""
    order = (sequence % 500) * 2 + (1 if sex == "M" else 0)
    first17 = f"{area_code}{birth:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)
