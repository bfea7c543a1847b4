import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.care import selectors, services
from apps.care.models import SubsidyPayment, SubsidyRate
from apps.members import services as member_services
from tests.factories import make_member

from .conftest import CLI

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_eligible_list_from_registry_and_payment(branch, secretary, admin):
    SubsidyRate.objects.filter(year=YEAR).delete()
    services.set_subsidy_rate(year=YEAR, category="pre_1949", amount="3600", actor=admin)
    services.set_subsidy_rate(year=YEAR, category="old_age", amount="1200", min_age=80, actor=admin)
    services.set_subsidy_rate(year=YEAR, category="long_standing", amount="600", min_age=70, min_party_years=50, actor=admin)
    veteran = make_member(
        branch, birth_date=datetime.date(1928, 5, 1), join_date=datetime.date(1948, 3, 1), conversion_date=datetime.date(1949, 3, 1)
    )
    old = make_member(
        branch, birth_date=datetime.date(YEAR - 82, 1, 1), join_date=datetime.date(1990, 1, 1), conversion_date=datetime.date(1991, 1, 1)
    )
    long_ = make_member(
        branch,
        birth_date=datetime.date(YEAR - 72, 1, 1),
        join_date=datetime.date(YEAR - 52, 1, 1),
        conversion_date=datetime.date(YEAR - 51, 1, 1),
    )
    young = make_member(
        branch,
        birth_date=datetime.date(YEAR - 72, 1, 1),
        join_date=datetime.date(YEAR - 20, 1, 1),
        conversion_date=datetime.date(YEAR - 19, 1, 1),
    )
    dead = make_member(
        branch, birth_date=datetime.date(1926, 1, 1), join_date=datetime.date(1947, 1, 1), conversion_date=datetime.date(1948, 1, 1)
    )
    member_services.change_status(dead, "deceased", date=timezone.localdate(), reason="病故", actor=CLI)
    rows = {r.member.pk: r for r in selectors.eligible_for_subsidy(branch, YEAR)}
    assert rows[veteran.pk].rate.category == "pre_1949" and rows[veteran.pk].rate.amount == Decimal("3600.00")
    assert rows[old.pk].rate.category == "old_age"
    assert rows[long_.pk].rate.category == "long_standing"
    assert young.pk not in rows and dead.pk not in rows
    assert services.pay_subsidies(branch, YEAR, [veteran.pk, old.pk], actor=secretary) == 2
    assert SubsidyPayment.objects.get(member=veteran).amount == Decimal("3600.00")
    with pytest.raises(ValidationError) as exc:
        services.pay_subsidies(branch, YEAR, [veteran.pk], actor=secretary)
    assert "重复发放" in exc.value.message_dict["members"][0]
    with pytest.raises(ValidationError) as exc:
        services.pay_subsidies(branch, YEAR, [young.pk], actor=secretary)
    assert "不在" in exc.value.message_dict["members"][0]
    assert SubsidyPayment.objects.count() == 2


def test_only_county_sets_rates(secretary):
    with pytest.raises(ValidationError):
        services.set_subsidy_rate(year=YEAR, category="old_age", amount="100", min_age=80, actor=secretary)


def test_rate_needs_threshold(admin):
    with pytest.raises(ValidationError) as exc:
        services.set_subsidy_rate(year=YEAR, category="old_age", amount="100", actor=admin)
    assert "min_age" in exc.value.message_dict


def test_outsider_cannot_pay(branch, outsider):
    make_member(branch, birth_date=datetime.date(1928, 5, 1), join_date=datetime.date(1948, 3, 1))
    from apps.core.scoping import OutOfScope

    with pytest.raises(OutOfScope):
        services.pay_subsidies(branch, YEAR, [1], actor=outsider)
