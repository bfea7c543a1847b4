"""Organisation forms. They only parse input; the rules live in apps.orgs.services and
their ValidationError dict is put back on the form field by field (apps.core.forms)."""

from django import forms

from apps.core import registry
from apps.core.forms import DATE, ServiceForm

from . import rules, services
from .models import Organisation
from .picker import OrgPickerField


class OrganisationForm(ServiceForm):
    required_names = ("name", "code", "org_type")

    name = forms.CharField(label="组织全称", max_length=120)
    short_name = forms.CharField(label="简称", max_length=60)
    code = forms.CharField(label="组织代码", max_length=32)
    org_type = forms.ChoiceField(label="组织类别", choices=[("", "请选择"), *rules.ORG_TYPES])
    unit_type = forms.ChoiceField(label="单位类型", choices=rules.UNIT_TYPES, initial="other")
    founded_on = forms.DateField(label="成立日期", widget=DATE)
    term_start = forms.DateField(label="本届任期开始", widget=DATE)
    term_end = forms.DateField(label="本届任期届满", widget=DATE, help_text="留空则按任期规定自动计算")
    contact_person = forms.CharField(label="联系人", max_length=40)
    contact_phone = forms.CharField(label="联系电话", max_length=40)
    address = forms.CharField(label="地址", max_length=200)

    def __init__(self, *args, parent: Organisation | None = None, instance: Organisation | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(instance, f) for f in services.ORG_FIELDS}
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.instance = instance
        if parent is not None:
            # Every type stays selectable: the service names the rule when one is not allowed here.
            allowed = services.ALLOWED_CHILDREN.get(parent.org_type, set())
            labels = dict(rules.ORG_TYPES)
            self.fields["org_type"].help_text = "可设立：" + "、".join(labels[k] for k, _ in rules.ORG_TYPES if k in allowed)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            # Only what the user touched, so the service validates a real change.
            data = {k: v for k, v in data.items() if k in self.changed_data}
        for k in ("unit_type",):
            if not data.get(k) and k in data:
                data[k] = "other"
        return data


def org_choice_label(org: Organisation) -> str:
    return f"{'　' * max(org.depth - 1, 0)}{org.name}（{org.get_org_type_display()}）"


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return org_choice_label(obj)


class MoveOrganisationForm(ServiceForm):
    required_names = ("parent",)

    parent = OrgPickerField(label="新的上级组织", action="change")

    def __init__(self, *args, org: Organisation, user, **kwargs):
        super().__init__(*args, **kwargs)
        parent_types = [t for t, children in services.ALLOWED_CHILDREN.items() if org.org_type in children]
        field = self.fields["parent"]
        field.org_types = tuple(parent_types)
        field.for_user(user).narrow(lambda qs: qs.exclude(path__startswith=org.path))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("parent") and "parent" not in self.errors:
            self.add_error("parent", "新的上级组织为必填项")
        return cleaned


class DissolveForm(ServiceForm):
    date = forms.DateField(label="撤销日期", widget=DATE, help_text="留空为今天")


class CommitteeSeatForm(ServiceForm):
    required_names = ("member", "role")

    member = forms.Field(label="党员")  # a member picker, set per organisation and user below
    role = forms.ChoiceField(label="职务", choices=[("", "请选择"), *rules.COMMITTEE_ROLES])
    start_date = forms.DateField(label="任职日期", widget=DATE, help_text="留空为今天")

    def __init__(self, *args, org: Organisation, user, **kwargs):
        super().__init__(*args, **kwargs)
        # every counted member of the subtree: thousands for a committee, so a picker
        # (the member registry's, registry.pickers: the tree does not import members)
        self.fields["member"] = registry.pickers.get("member").field(label="党员", required=False, user=user, under=org)


class EndSeatForm(ServiceForm):
    end_date = forms.DateField(label="离任日期", widget=DATE, help_text="留空为今天")
