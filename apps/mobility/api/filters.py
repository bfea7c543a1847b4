"""FilterSets of the mobility API: they declare and validate the query parameters (a bad
choice or date is a 400 naming the parameter) and document them in the OpenAPI schema;
the rows come from the screens' own selectors with the validated values, so the page, the
Excel export and the API list the same rows under the same scope."""

import django_filters

from apps.members.models import Member
from apps.orgs.models import Organisation

from .. import rules
from ..models import HostRegistration, HostReport, MobileContact, MobileRecord, NonPublicCard, TemporaryBranch, Transfer

Q_MEMBER = {"label": "党员", "help_text": "姓名、拼音或首字母"}


def yes(label: str):
    return django_filters.BooleanFilter(label=label, method="keep")


class _SelectorFilterSet(django_filters.FilterSet):
    """Validates only: selectors apply the values (see `params`)."""

    def keep(self, queryset, name, value):
        return queryset

    def params(self) -> dict:
        """The validated values as the selectors read them (strings; true → "1")."""
        out = {}
        for key, value in self.form.cleaned_data.items():
            if value in (None, "", False):
                continue
            out[key] = "1" if value is True else str(value)
        return out


class TransferFilterSet(_SelectorFilterSet):
    q = django_filters.CharFilter(method="keep", **Q_MEMBER)
    status = django_filters.ChoiceFilter(label="状态", choices=[("open", "未办结"), *rules.STATUS_CHOICES], method="keep")
    kind = django_filters.ChoiceFilter(label="转接类型", choices=rules.KIND_CHOICES, method="keep")
    overdue = yes("只看回执逾期")
    side = django_filters.ChoiceFilter(label="本方是", choices=[("out", "转出方"), ("in", "接收方")], method="keep")

    class Meta:
        model = Transfer
        fields = []


class MobileRecordFilterSet(_SelectorFilterSet):
    q = django_filters.CharFilter(method="keep", **Q_MEMBER)
    status = django_filters.ChoiceFilter(label="状态", choices=rules.MOBILE_STATUS_CHOICES, method="keep")
    overdue = yes("只看逾期未报告/未联系/未返回")
    abroad = yes("只看出国（境）学习")
    place = django_filters.CharFilter(label="外出地点（完全一致）", method="keep")

    class Meta:
        model = MobileRecord
        fields = []


class CardFilterSet(_SelectorFilterSet):
    q = django_filters.CharFilter(label="党员或证号", method="keep", help_text="姓名、拼音、首字母或完整证号")
    held = yes("只看持有中（未收回）")

    class Meta:
        model = NonPublicCard
        fields = []


class HostRegistrationFilterSet(_SelectorFilterSet):
    q = django_filters.CharFilter(method="keep", **Q_MEMBER)
    status = django_filters.ChoiceFilter(label="外出状态", choices=rules.MOBILE_STATUS_CHOICES, method="keep")
    overdue = yes("只看超过报告间隔未向流出地报告的")

    class Meta:
        model = HostRegistration
        fields = []


class HostReportFilterSet(_SelectorFilterSet):
    registration = django_filters.NumberFilter(label="流入登记ID", method="keep")
    record = django_filters.NumberFilter(label="流动党员登记ID（流出地）", method="keep")
    year = django_filters.NumberFilter(label="年度", method="keep")

    class Meta:
        model = HostReport
        fields = []


class TemporaryBranchFilterSet(_SelectorFilterSet):
    q = django_filters.CharFilter(label="名称或所在地", method="keep")
    status = django_filters.ChoiceFilter(
        label="状态", choices=[*rules.TEMPORARY_STATUS_CHOICES, ("expired", "已过撤销日期（待撤销）")], method="keep"
    )

    class Meta:
        model = TemporaryBranch
        fields = []


class ContactFilterSet(_SelectorFilterSet):
    q = django_filters.CharFilter(method="keep", **Q_MEMBER)
    kind = django_filters.ChoiceFilter(label="类型", choices=rules.CONTACT_KIND_CHOICES, method="keep")
    abroad = yes("只看出国（境）学习党员（每隔规定月数联系）")
    record = django_filters.NumberFilter(label="流动党员登记ID", method="keep")

    class Meta:
        model = MobileContact
        fields = []


class RetiredBranchFilterSet(_SelectorFilterSet):
    q = django_filters.CharFilter(label="组织名称", method="keep")

    class Meta:
        model = Organisation
        fields = []


class UnemployedMemberFilterSet(_SelectorFilterSet):
    q = django_filters.CharFilter(method="keep", **Q_MEMBER)

    class Meta:
        model = Member
        fields = []
