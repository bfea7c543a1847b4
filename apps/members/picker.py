"""The member picker: the organisation picker's machinery (apps.orgs.picker) for choosing
one member, where a <select> would list every member of a subtree (the county committee's
班子 form listed all 20,135). Suggestions come from `members:picker` (search_members:
name, pinyin, initials, ID-number or phone tail), at most SUGGESTION_LIMIT, inside the
user's scope for the action and the chosen organisation's subtree. Without JavaScript the
text is the value: a whole ID number, or a name/pinyin only one member matches."""

from django.db.models import Q

from apps.accounts.scoping import restrict
from apps.orgs.models import Organisation
from apps.orgs.picker import SUGGESTION_LIMIT, PickerField, PickerWidget

from .filters import search_members
from .models import Member

ACTIONS = ("view", "change", "approve")


def member_label(member: Member) -> str:
    return f"{member.name}（{member.organisation.display_name}，证件尾号{member.id_number_masked[-4:]}）"


def member_queryset(user, action: str = "view", under: Organisation | None = None):
    """Members a picker may offer: counted members in the user's scope for the action,
    within `under`'s subtree when given."""
    qs = restrict(Member.objects.counted(), user, action if action in ACTIONS else "view").select_related("organisation")
    if under is not None:
        qs = qs.filter(org_path__startswith=under.path)
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

    def __init__(self, *, action: str = "view", **kwargs):
        self.action = action
        self.under = None
        super().__init__(**kwargs)

    def suggestion_params(self) -> dict:
        params = {"action": self.action}
        if self.under is not None:
            params["org"] = self.under.pk
        return params

    def for_user(self, user, under: Organisation | None = None) -> "MemberPickerField":
        self.under = under
        self._set_queryset(member_queryset(user, self.action, under))
        return self

    def resolve_text(self, text: str) -> Member:
        found = list(search_members(self.queryset, text)[:2])
        if not found and "（" in text:
            found = list(self.queryset.filter(Q(name=text.split("（", 1)[0]))[:2])
        if len(found) > 1:
            raise self._error("ambiguous", text)
        if not found:
            raise self._error("not_found", text)
        return found[0]
