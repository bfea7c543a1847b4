"""The member picker: the organisation picker's machinery (apps.orgs.picker) for choosing
one member, where a <select> would list every member of a subtree (the county committee's
班子 form listed all 20,135). Suggestions come from `members:picker` (search_members:
name, pinyin, initials, ID-number or phone tail), at most SUGGESTION_LIMIT, inside the
user's scope for the action and the chosen organisation's subtree. Without JavaScript the
text is the value: a whole ID number, or a name/pinyin only one member matches."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.safestring import mark_safe

from apps.core.scoping import restrict
from apps.orgs.models import Organisation
from apps.orgs.picker import SUGGESTION_LIMIT, PickerField, PickerWidget

from .filters import search_members
from .models import Member

ACTIONS = ("view", "change", "approve")


def member_label(member: Member) -> str:
    return f"{member.name}（{member.organisation.display_name}，证件尾号{member.id_number_masked[-4:]}）"


def member_queryset(user, action: str = "view", under: Organisation | None = None, full_only: bool = False):
    """Members a picker may offer: counted members in the user's scope for the action,
    within `under`'s subtree when given; full_only: 正式党员 in normal standing (the
    contacts and introducers of a development file)."""
    qs = restrict(Member.objects.counted(), user, action if action in ACTIONS else "view").select_related("organisation")
    if under is not None:
        qs = qs.filter(org_path__startswith=under.path)
    if full_only:
        qs = qs.filter(member_type="full", status="normal")
    return qs


def search(queryset, q: str, limit: int = SUGGESTION_LIMIT) -> tuple[list[Member], bool]:
    """(at most `limit` members matching q, whether there are more). One query."""
    q = (q or "").strip()[:40]
    if "（" in q:  # the label of a chosen member: search by the name
        q = q.split("（", 1)[0]
    rows = list(search_members(queryset, q).order_by("name_pinyin", "id")[: limit + 1])
    return rows[:limit], len(rows) > limit


class MemberPickerWidget(PickerWidget):
    url_name = "members:picker"
    placeholder = "输入姓名、拼音首字母或身份证号"
    model = Member

    def label(self, obj) -> str:
        return member_label(obj)


class MemberPickerField(PickerField):
    widget = MemberPickerWidget
    noun = "党员"
    default_error_messages = {
        "not_found": "{label}：未找到“{value}”，或该党员不在您的管理范围内。请从提示中选择，或输入完整身份证号",
        "ambiguous": "{label}：与“{value}”匹配的党员不止一个，请输入完整身份证号，或从提示中选择",
    }

    def __init__(self, *, action: str = "view", full_only: bool = False, **kwargs):
        self.action = action
        self.full_only = full_only
        self.under = None
        super().__init__(**kwargs)

    def suggestion_params(self) -> dict:
        params = {"action": self.action}
        if self.under is not None:
            params["org"] = self.under.pk
        if self.full_only:
            params["full"] = "1"
        return params

    def for_user(self, user, under: Organisation | None = None) -> "MemberPickerField":
        self.under = under
        self._set_queryset(member_queryset(user, self.action, under, self.full_only))
        return self

    def _error(self, code, value=""):
        text = str(value)
        if len(text) >= 11 and text[:-1].isdigit():  # a typed ID or phone number is not echoed in full
            value = f"{text[:3]}{'*' * (len(text) - 7)}{text[-4:]}"
        return super()._error(code, value)

    def resolve_text(self, text: str) -> Member:
        found = list(search_members(self.queryset, text)[:2])
        if not found and "（" in text:
            found = list(self.queryset.filter(Q(name=text.split("（", 1)[0]))[:2])
        if len(found) > 1:
            raise self._error("ambiguous", text)
        if not found:
            raise self._error("not_found", text)
        return found[0]


class MemberMultiPickerWidget(MemberPickerWidget):
    """`slots` member pickers under one name: the hidden ids and the texts arrive as
    lists (a plain POST of several ids works too)."""

    slots = 2

    def value_from_datadict(self, data, files, name):
        get = data.getlist if hasattr(data, "getlist") else (lambda k: [v for v in [data.get(k)] if v is not None])
        pks, texts = list(get(name)), list(get(f"{name}_text"))
        n = max(len(pks), len(texts))
        pks, texts = pks + [""] * (n - len(pks)), texts + [""] * (n - len(texts))
        return [(p or "", t or "") for p, t in zip(pks, texts, strict=True) if p or t]

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.get("id") or f"id_{name}"
        values = list(value) if isinstance(value, list) else ([] if value in (None, "") else [value])
        values += [None] * max(self.slots - len(values), 0)
        rest = {k: v for k, v in attrs.items() if k != "required"}  # only the first slot is required
        parts = [
            self.render_one(name, v, base_id if i == 0 else f"{base_id}_{i + 1}", attrs if i == 0 else rest) for i, v in enumerate(values)
        ]
        return mark_safe('<div class="picker-slots">' + "".join(parts) + "</div>")


class MemberMultiPickerField(MemberPickerField):
    """Up to `slots` members (培养联系人, 入党介绍人), each chosen with a member picker."""

    widget = MemberMultiPickerWidget

    def to_python(self, value):
        items = value if isinstance(value, list) else ([value] if value not in (None, "", []) else [])
        chosen, errors = [], []
        for item in items:
            try:
                obj = super().to_python(item)
            except ValidationError as exc:
                errors.extend(exc.error_list)
                continue
            if obj is not None and obj not in chosen:
                chosen.append(obj)
        if errors:
            raise ValidationError(errors)
        return chosen

    def validate(self, value):
        if not value and self.required:
            raise self._error("required")

    def has_changed(self, initial, data):
        try:
            new = {m.pk for m in self.to_python(data)}
        except ValidationError:
            return True
        return new != {getattr(i, "pk", i) for i in (initial or [])}
