"""The searchable organisation picker: one form field for every "choose an organisation"
input that could otherwise become a <select> of hundreds of options.

    organisation = OrgPickerField(label="所在党组织", action="change", org_types=MEMBER_HOLDING_TYPES)
    ...
    self.fields["organisation"].for_user(user)            # in the form's __init__
    self.fields["organisation"].narrow(lambda qs: qs.exclude(...))   # optional extra rule

It renders a hidden input `<name>` (the chosen id) and a text input `<name>_text`. With
JavaScript, typing asks `orgs:picker` (htmx) for at most SUGGESTION_LIMIT matches by name,
short name or code, inside the user's scope for the field's action (the same `restrict`);
picking one fills both inputs. Without JavaScript the text input is the value: an
organisation code, an exact name, or the "名称（代码）" label the picker shows. Whatever
arrives, the organisation is looked up in the field's scoped queryset only, so an id or
code outside the user's scope gets the same message as one that does not exist.
"""

import re
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, Value, When
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse

from apps.core.scoping import restrict

from .models import Organisation

SUGGESTION_LIMIT = 20
ACTIONS = ("view", "change", "approve")
_LABEL_CODE = re.compile(r"（([^（）]+)）\s*$")


def picker_label(org: Organisation) -> str:
    """The text the picker shows for a chosen organisation (and accepts back)."""
    return f"{org.name}（{org.code}）"


def picker_queryset(user, action: str = "view", org_types=None, active_only: bool = True):
    """The organisations a picker may offer: the user's scope for the action, optionally
    only some types and only active ones. Used by the field and the suggestion view alike."""
    qs = restrict(Organisation.objects.all(), user, action if action in ACTIONS else "view")
    if active_only:
        qs = qs.filter(status=Organisation.Status.ACTIVE)
    if org_types:
        qs = qs.filter(org_type__in=list(org_types))
    return qs


def search(queryset, q: str, limit: int = SUGGESTION_LIMIT) -> tuple[list[Organisation], bool]:
    """(at most `limit` organisations of the queryset matching q by name, short name or
    code — an exact code first, then the higher levels —, whether there are more). One query."""
    q = (q or "").strip()[:60]
    label = _LABEL_CODE.search(q)
    if label:  # the text of a chosen organisation ("名称（代码）"): look it up by its code
        q = label.group(1).strip()
    qs = queryset
    order = ["depth", "path"]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__istartswith=q))
        order.insert(0, Case(When(code__iexact=q, then=Value(0)), default=Value(1)))
    rows = list(qs.order_by(*order).only("id", "name", "short_name", "code", "org_type", "depth", "path")[: limit + 1])
    return rows[:limit], len(rows) > limit


class PickerWidget(forms.Widget):
    """A hidden id plus a text input with htmx suggestions from `url_name`. Subclasses say
    how a chosen object is labelled (the text shown, and accepted back)."""

    template_name = "orgs/_picker.html"
    url_name = "orgs:picker"
    placeholder = "输入名称或组织代码"
    model = Organisation

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.queryset = self.model.objects.none()
        self.params: dict = {}

    def label(self, obj) -> str:
        return picker_label(obj)

    def value_from_datadict(self, data, files, name):
        return (data.get(name) or "", data.get(f"{name}_text") or "")

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_text" not in data

    def id_for_label(self, id_):
        return f"{id_}_text" if id_ else id_

    def _label_for(self, value) -> tuple[str, str]:
        """(id, text) to show for a value: a tuple from the request, an id or an object."""
        if isinstance(value, tuple):
            pk, text = value
            return (pk, text) if text or not pk else (pk, self._label_for(pk)[1])
        if isinstance(value, self.model):
            return str(value.pk), self.label(value)
        if value in (None, ""):
            return "", ""
        # An id (initial data): labelled through the scoped queryset only, never echoing
        # the name of a record the user may not see.
        obj = self.queryset.filter(pk=value).first() if str(value).isdigit() else None
        return (str(obj.pk), self.label(obj)) if obj else ("", "")

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        return self.render_one(name, value, attrs.get("id") or f"id_{name}", attrs)

    def render_one(self, name, value, base_id, attrs):
        pk, text = self._label_for(value)
        params = {**self.params, "input": f"{name}_text"}
        return render_to_string(
            self.template_name,
            {
                "name": name,
                "pk": pk,
                "text": text,
                "id": base_id,
                "url": f"{reverse(self.url_name)}?{urlencode(params)}",
                "required": attrs.get("required", False),
                "placeholder": attrs.get("placeholder") or self.placeholder,
            },
        )


class OrgPickerWidget(PickerWidget):
    def render_one(self, name, value, base_id, attrs):
        if value in (None, "") and attrs.get("required"):
            # a required choice with one organisation to choose from (a branch secretary's
            # own branch): chosen for the user, who can still see and change it
            only = list(self.queryset.order_by()[:2])
            if len(only) == 1:
                value = only[0]
        return super().render_one(name, value, base_id, attrs)


class PickerField(forms.Field):
    """The field side of a picker: the value is looked up in `queryset` only (set per user
    by the subclass), by the hidden id while the text still shows its label, else by the
    text (`resolve_text`)."""

    widget = PickerWidget
    noun = "记录"
    default_error_messages = {"required": "{label}为必填项"}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._set_queryset(self.widget.model.objects.none())

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.queryset = result.queryset
        return result

    def suggestion_params(self) -> dict:
        return {}

    def _set_queryset(self, qs):
        self.queryset = qs
        self.widget.queryset = qs
        self.widget.params = self.suggestion_params()

    def narrow(self, fn) -> "PickerField":
        """An extra rule on the choosable records (e.g. not the organisation's own subtree)."""
        self._set_queryset(fn(self.queryset))
        return self

    def _error(self, code, value=""):
        return ValidationError(self.error_messages[code].format(label=self.label or self.noun, value=value), code=code)

    def to_python(self, value):
        pk, text = value if isinstance(value, tuple) else (value, "")
        if isinstance(pk, self.widget.model):
            pk = pk.pk
        pk, text = str(pk or "").strip(), str(text or "").strip()
        if pk and not pk.isdigit() and not text:  # ?org=<code> in a link
            pk, text = "", pk
        if pk:
            obj = self.queryset.filter(pk=pk).first() if pk.isdigit() else None
            # The hidden id stands only while the text still shows its label: a user
            # without JavaScript who retypes the text means the new text.
            if obj is not None and (not text or text == self.widget.label(obj)):
                return obj
            if not text:
                raise self._error("not_found", pk)
        if not text:
            return None
        return self.resolve_text(text)

    def resolve_text(self, text: str):
        raise NotImplementedError

    def validate(self, value):
        if value is None and self.required:
            raise self._error("required")

    def has_changed(self, initial, data):
        initial_pk = str(initial.pk if isinstance(initial, self.widget.model) else initial or "")
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        return str(new.pk if new else "") != initial_pk


class OrgPickerField(PickerField):
    widget = OrgPickerWidget
    noun = "党组织"
    default_error_messages = {
        "not_found": "{label}：未找到“{value}”，或该组织不在您的管理范围内。请从提示中选择，或输入组织代码",
        "ambiguous": "{label}：名称含“{value}”的组织不止一个，请输入完整名称或组织代码，或从提示中选择",
    }

    def __init__(self, *, action: str = "change", org_types=None, active_only: bool = True, **kwargs):
        self.action = action
        self.org_types = tuple(org_types or ())
        self.active_only = active_only
        super().__init__(**kwargs)

    def suggestion_params(self) -> dict:
        params = {"action": self.action}
        if self.org_types:
            params["types"] = ",".join(self.org_types)
        if not self.active_only:
            params["all"] = "1"
        return params

    def for_user(self, user) -> "OrgPickerField":
        """Limit the field to the user's scope for its action (call in the form's __init__)."""
        self._set_queryset(picker_queryset(user, self.action, self.org_types, self.active_only))
        return self

    def resolve_text(self, text: str) -> Organisation:
        found = self.queryset.filter(code__iexact=text).first()
        if found is None:
            match = _LABEL_CODE.search(text)
            if match:
                found = self.queryset.filter(code__iexact=match.group(1).strip()).first()
        for lookup in ("exact", "icontains"):  # a whole name, else a part only one name holds
            if found is not None:
                break
            named = list(self.queryset.filter(Q(**{f"name__{lookup}": text}) | Q(**{f"short_name__{lookup}": text}))[:2])
            if len(named) > 1:
                raise self._error("ambiguous", text)
            found = named[0] if named else None
        if found is None:
            raise self._error("not_found", text)
        return found


class OrgFilterForm(forms.Form):
    """The organisation filter of a list page: ?org=<id> (links, the picker) or
    ?org_text=<code or name> (typed without JavaScript). An id outside the user's scope
    is a 404, as everywhere; a typed text that finds nothing is a message on the form."""

    org = OrgPickerField(label="党组织", action="view", required=False)

    def __init__(self, data, *, user, action: str = "view", org_types=(), initial=None):
        super().__init__(data, initial=initial)
        field = self.fields["org"]
        field.action, field.org_types, field.active_only = action, tuple(org_types), False
        field.for_user(user)
        field.widget.attrs["placeholder"] = "全部组织（输入名称或代码）"

    def chosen(self) -> Organisation | None:
        if self.is_valid():
            return self.cleaned_data["org"]
        raw = str(self.data.get("org") or "").strip()
        if raw.isdigit() and not (self.data.get("org_text") or "").strip():
            raise Http404("未找到该记录，或不在您的管理范围内")
        return None


def filtered_org(user, params) -> Organisation | None:
    """The organisation a list page's filter chooses — ?org=<id> (links, the picker) or
    ?org_text=<code or name> (typed) — else None; an id outside the user's scope is a 404.
    The selectors behind a screen and its Excel export read the filter through this."""
    return OrgFilterForm(params, user=user).chosen()
