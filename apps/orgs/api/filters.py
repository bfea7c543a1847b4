import django_filters
from django.db.models import Q

from .. import rules
from ..models import Organisation


class OrganisationFilterSet(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(label="组织类别", field_name="org_type", choices=rules.ORG_TYPES)
    unit_type = django_filters.ChoiceFilter(label="单位类型", choices=rules.UNIT_TYPES)
    status = django_filters.ChoiceFilter(label="状态", choices=Organisation.Status.choices)
    parent = django_filters.NumberFilter(label="上级组织（直接下级）", method="filter_parent")
    q = django_filters.CharFilter(label="搜索", method="filter_q", help_text="名称、简称或组织代码")

    class Meta:
        model = Organisation
        fields = []

    def filter_parent(self, queryset, name, value):
        parent = Organisation.objects.filter(pk=value).only("path", "depth").first()
        if parent is None:
            return queryset.none()
        return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(short_name__contains=value) | Q(code__iexact=value))
