"""Rules for free text typed by users, shared by every app's services (web, API, import).

Names of people are plain names as on the ID card: letters (汉字 or another script) and
the separator dot “·” of minority and transliterated names, at most NAME_MAX characters —
no markup, digits or symbols (`<b>王</b>测试` is refused, not stored). Look-alike dots
(•・‧∙⋅･) are read as “·”. Long notes (备注) are bounded by REMARKS_MAX."""

NAME_MAX = 40
REMARKS_MAX = 500
NAME_DOT = "·"
_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅･", NAME_DOT))


def normalise_name(name: str) -> str:
    return (name or "").strip().translate(_DOTS)


def name_error(name: str, label: str = "姓名", limit: int = NAME_MAX) -> str | None:
    """The Chinese message for a person's name that breaks the rule, else None."""
    if len(name) > limit:
        return f"{label}不能超过{limit}个字（现为{len(name)}个字）"
    if not all(ch.isalpha() or ch == NAME_DOT for ch in name) or name.startswith(NAME_DOT) or name.endswith(NAME_DOT):
        return f"{label}应与身份证一致：只能由汉字、字母和间隔号“·”组成，不能含数字、空格、标记或其他符号"
    return None


def length_error(value: str, label: str, limit: int) -> str | None:
    if value and len(value) > limit:
        return f"{label}不能超过{limit}个字（现为{len(value)}个字）"
    return None
