"""The member list's filters, shared by the web list, the API and the Excel export, so
that an export holds exactly what the screen shows."""

import copy
import datetime

import django_filters
from django import forms
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.http import QueryDict
from django.utils import timezone

from apps.core import crypto
from apps.core.dates import add_years
from apps.orgs.models import Organisation

from . import codes
from .idnumber import IdNumberError, is_ascii_digits, parse
from .models import Member

AGE_BAND_CHOICES = [(str(i), label) for i, (label, _lo, _hi) in enumerate(codes.AGE_BANDS)] + [("youth", "35岁及以下")]
JOIN_PERIOD_CHOICES = [(code, label) for code, label, _a, _b in codes.JOIN_PERIODS]
ORDERING = {
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    "birth": ("birth_date", "id"),
    "-birth": ("-birth_date", "-id"),
    "join": ("join_date", "id"),
    "-join": ("-join_date", "-id"),
    "org": ("org_path", "id"),
}
ORDERING_CHOICES = [
    ("org", "按组织"),
    ("name", "姓名拼音 A→Z"),
    ("-name", "姓名拼音 Z→A"),
    ("birth", "年龄从大到小"),
    ("-birth", "年龄从小到大"),
    ("-join", "入党时间从近到远"),
    ("join", "入党时间从远到近"),
]


def search_members(queryset, text: str):
    """Name, pinyin ("zhangsan"), initials ("zs"), the last digits of an ID number or a
    phone number, or a whole ID number / phone (exact, through the blind index)."""
    text = (text or "").strip()
    if not text:
        return queryset
    lowered = text.lower().replace(" ", "")
    if lowered.isascii() and lowered.isalpha():
        # Either reading of a surname with two (覃 qin/tan): the *_alt keys (apps.core.pinyin).
        return queryset.filter(
            Q(name_initials__startswith=lowered)
            | Q(name_pinyin__startswith=lowered)
            # "<> ''" repeats the partial indexes' condition so PostgreSQL may use them
            | (Q(name_initials_alt__startswith=lowered) & ~Q(name_initials_alt=""))
            | (Q(name_pinyin_alt__startswith=lowered) & ~Q(name_pinyin_alt=""))
        )
    digits = text.upper()
    if len(digits) in (15, 18) and digits[:-1].isdigit():
        try:
            return queryset.filter(id_number_hash=crypto.blind_index(parse(digits).number))
        except IdNumberError:
            return queryset.none()
    if is_ascii_digits(digits) and len(digits) == 11:
        return queryset.filter(phone_hash=crypto.blind_index(digits))
    if 4 <= len(digits) <= 6 and (is_ascii_digits(digits) or (is_ascii_digits(digits[:-1]) and digits[-1] == "X")):
        # The masked copies keep the last four characters, so tails match without decrypting.
        tail = digits[-4:]
        return queryset.filter(Q(id_number_masked__endswith=tail) | Q(phone_masked__endswith=tail))
    return queryset.filter(name__contains=text)  # any part of a name: 志源 finds 王志源


def _field_copy(field):
    """A form field copied for one form: what Field.__deepcopy__ copies (the widget with
    its attrs, the error messages, the validators), but the choices as a new list of the
    same (immutable) pairs instead of a deep copy of every pair and label. A form may
    replace a field's choices or change its widget's attrs (the web list does) without
    touching other forms."""
    new = copy.copy(field)
    widget = copy.copy(field.widget)
    widget.attrs = field.widget.attrs.copy()
    new.widget = widget
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    if isinstance(field, forms.ChoiceField):
        choices = copy.copy(field._choices)
        if hasattr(choices, "field"):  # django-filter's ChoiceIterator renders its field's empty label
            choices.field = new
        new._choices = choices
        widget.choices = choices
    return new


class _FilterForm(forms.Form):
    """The filter form; its fields are copied with _field_copy instead of deep copies
    (the deep copies of the choice lists were most of building a filter set per request)."""

    def __init__(self, *args, **kwargs):
        fields = type(self).base_fields
        self.base_fields = {}  # nothing for forms.BaseForm to deep-copy
        super().__init__(*args, **kwargs)
        del self.base_fields
        self.fields = {name: _field_copy(field) for name, field in fields.items()}


class CheapCopyFilterSet(django_filters.FilterSet):
    """A filter set built per request at the cost of a few shallow copies: the form class
    is made once per filter set class, and each instance gets shallow copies of the
    declared filters (django-filter deep-copies them, choice lists included, on every
    request: 9 % of a roster API call in the profile, docs/performance.md)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, declared in self.base_filters.items():
            f = copy.copy(declared)
            f.extra = declared.extra.copy()
            f.method = declared.method  # a FilterMethod bound to this copy, not to the declared filter
            f.model = queryset.model
            f.parent = self
            self.filters[name] = f

    @classmethod
    def _form_class(cls):
        form_class = cls.__dict__.get("_cached_form_class")
        if form_class is None:
            for f in cls.base_filters.values():
                if not hasattr(f, "model"):
                    f.model = cls._meta.model  # labels of undeclared filters come from the model
            fields = {name: f.field for name, f in cls.base_filters.items()}
            base = cls._meta.form if cls._meta.form is not forms.Form else _FilterForm
            if not issubclass(base, _FilterForm):
                base = type(base.__name__, (_FilterForm, base), {})
            form_class = type(f"{cls.__name__}Form", (base,), fields)
            cls._cached_form_class = form_class
        return form_class

    def get_form_class(self):
        return self._form_class()


class MemberFilterSet(CheapCopyFilterSet):
    q = django_filters.CharFilter(label="搜索", method="filter_q", help_text="姓名、拼音、首字母、身份证或电话后四位")
    org = django_filters.NumberFilter(label="党组织（含下级）", method="filter_org")
    member_type = django_filters.ChoiceFilter(label="人员类别", choices=codes.MEMBER_TYPE_CHOICES)
    # distinct=False: these filter columns of the member row itself, no join multiplies rows
    # (django-filter's default DISTINCT made PostgreSQL sort all 55 columns).
    status = django_filters.MultipleChoiceFilter(label="党籍状态", choices=codes.STATUS_CHOICES, distinct=False)
    category = django_filters.ChoiceFilter(label="党员类别", choices=codes.CATEGORY_CHOICES, method="filter_category")
    sex = django_filters.ChoiceFilter(label="性别", choices=codes.SEX_CHOICES)
    ethnicity = django_filters.ChoiceFilter(label="民族", choices=codes.ETHNICITY_CHOICES)
    education = django_filters.MultipleChoiceFilter(label="学历", choices=codes.EDUCATION_CHOICES, distinct=False)
    occupation = django_filters.ChoiceFilter(label="工作岗位", choices=codes.OCCUPATION_CHOICES)
    age_band = django_filters.ChoiceFilter(label="年龄段", choices=AGE_BAND_CHOICES, method="filter_age_band")
    join_period = django_filters.ChoiceFilter(label="入党时间段", choices=JOIN_PERIOD_CHOICES, method="filter_join_period")
    joined_from = django_filters.DateFilter(label="入党日期起", field_name="join_date", lookup_expr="gte")
    joined_to = django_filters.DateFilter(label="入党日期止", field_name="join_date", lookup_expr="lte")
    ordering = django_filters.ChoiceFilter(label="排序", choices=ORDERING_CHOICES, method="filter_ordering", empty_label="默认（按组织）")

    class Meta:
        model = Member
        fields = []

    def filter_q(self, queryset, name, value):
        return search_members(queryset, value)

    def filter_org(self, queryset, name, value):
        org = getattr(self, "chosen_org", None)  # looked up by roster_filterset already
        if org is None or org.pk != int(value):
            org = Organisation.objects.filter(pk=value).only("path").first()
        # An organisation id outside the user's scope simply finds nothing: the base
        # queryset is then the scope-restricted one (apps.members.selectors.roster_filterset).
        return queryset.filter(org_path__startswith=org.path) if org else queryset.none()

    def filter_category(self, queryset, name, value):
        # Member.category_bits: a condition on the member's own row, no join.
        bit = codes.CATEGORY_BITS[value]
        return queryset.filter(Exact(F("category_bits").bitand(bit), bit))

    def filter_age_band(self, queryset, name, value):
        today = self.today()
        if value == "youth":
            lo, hi = 0, codes.YOUTH_AGE
        else:
            _label, lo, hi = codes.AGE_BANDS[int(value)]
        # age ≥ lo ⇔ born on or before today − lo years; age ≤ hi ⇔ born after today − (hi+1) years
        return queryset.filter(birth_date__lte=add_years(today, -lo), birth_date__gt=add_years(today, -(hi + 1)))

    def filter_join_period(self, queryset, name, value):
        for code, _label, first, last in codes.JOIN_PERIODS:
            if code == value:
                if first:
                    queryset = queryset.filter(join_date__gte=datetime.date.fromisoformat(first))
                if last:
                    queryset = queryset.filter(join_date__lte=datetime.date.fromisoformat(last))
        return queryset

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ORDERING.get(value, ORDERING["org"]))

    def today(self):
        return timezone.localdate()
