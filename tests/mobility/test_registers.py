"""Registers: the 非公企业党员证 (issue, withdraw, one held card per member), the host
register's export, and the demo county's mobility data."""

import datetime
import io
import random
import time

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.members import services as member_services
from apps.mobility import services
from apps.mobility.models import MobileRecord, NonPublicCard, TemporaryBranch, Transfer
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
TODAY = datetime.date.today()


def _card(member, number="FG0001", **extra):
    data = {"number": number, "issued_by": "县非公企业党委", "issued_on": TODAY - datetime.timedelta(days=30), **extra}
    return services.issue_non_public_card(member, data, actor=SYSTEM)


def test_withdraw_then_a_new_card(branch, secretary):
    member = make_member(branch)
    card = _card(member)
    with pytest.raises(ValidationError, match="须先收回原证"):
        _card(member, "FG0002")
    card = services.withdraw_non_public_card(card, actor=secretary)
    assert card.withdrawn_on == TODAY
    assert ChangeLog.objects.filter(object_type="mobility.nonpubliccard", object_id=str(card.pk)).count() == 2
    _card(member, "FG0002")
    assert NonPublicCard.objects.filter(member=member, withdrawn_on__isnull=True).count() == 1


@pytest.mark.parametrize(
    "case, message",
    [
        ("twice", "不能重复收回"),
        ("future", "不能晚于今天"),
        ("before_issue", "不能早于发证日期"),
    ],
)
def test_bad_withdrawals_write_nothing(case, message, branch, secretary):
    card = _card(make_member(branch))
    date = None
    if case == "twice":
        services.withdraw_non_public_card(card, actor=secretary, date=TODAY - datetime.timedelta(days=1))
    elif case == "future":
        date = TODAY + datetime.timedelta(days=1)
    else:
        date = card.issued_on - datetime.timedelta(days=1)
    before = (NonPublicCard.objects.get(pk=card.pk).withdrawn_on, ChangeLog.objects.count())
    with pytest.raises(ValidationError, match=message):
        services.withdraw_non_public_card(card, actor=secretary, date=date)
    assert (NonPublicCard.objects.get(pk=card.pk).withdrawn_on, ChangeLog.objects.count()) == before


@pytest.mark.parametrize("case", ["duplicate_number", "suspended", "no_number", "future"])
def test_bad_cards_write_nothing(case, branch):
    member = make_member(branch)
    extra, number = {}, "FG0009"
    if case == "duplicate_number":
        _card(make_member(branch), number)
    elif case == "suspended":
        member_services.change_status(member, "suspended", date=TODAY, reason="停止党籍", actor=SYSTEM, engine="appraisal")
    elif case == "no_number":
        number = " "
    else:
        extra["issued_on"] = TODAY + datetime.timedelta(days=1)
    n, logs = NonPublicCard.objects.filter(member=member).count(), ChangeLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        _card(member, number, **extra)
    expected = {"duplicate_number": "已登记", "suspended": "停止党籍", "no_number": "证号", "future": "不能晚于今天"}[case]
    assert expected in " ".join(exc.value.messages)
    assert NonPublicCard.objects.filter(member=member).count() == n and ChangeLog.objects.count() == logs


def test_one_held_card_is_a_db_constraint(branch):
    """Two cards for one member racing past any check: the partial unique constraint
    answers with the same Chinese message."""
    from django.db import IntegrityError, transaction

    member = make_member(branch)
    _card(member)
    with pytest.raises(IntegrityError), transaction.atomic():
        NonPublicCard.objects.create(member=member, organisation=branch, number="RAW1", issued_on=TODAY, issued_by="x")


def test_withdraw_on_the_web_and_outsiders_get_404(branch, secretary, far_secretary):
    card = _card(make_member(branch, name="公孙策"))
    url = reverse("mobility:registers")
    outsider = Client()
    outsider.force_login(far_secretary)
    assert outsider.post(url, {"op": "withdraw", "card": card.pk}).status_code == 404
    assert outsider.post(url, {"op": "withdraw", "card": "x"}).status_code == 404
    assert NonPublicCard.objects.get(pk=card.pk).withdrawn_on is None
    c = Client()
    c.force_login(secretary)
    page = c.get(url + "?tab=cards").content.decode()
    assert "公孙策" in page and 'value="withdraw"' in page
    response = c.post(url, {"op": "withdraw", "card": card.pk, "withdrawn_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert NonPublicCard.objects.get(pk=card.pk).withdrawn_on == TODAY
    page = c.get(url + "?tab=cards").content.decode()
    assert f"{TODAY:%Y-%m-%d}收回" in page
    # a second time: the Chinese message, nothing changed
    page = c.post(url, {"op": "withdraw", "card": card.pk}, follow=True).content.decode()
    assert "不能重复收回" in page


def test_host_register_exports(branch, sibling, admin):
    record = services.register_mobile(
        make_member(branch, name="慕容复"), {"reason": "务工", "destination": "深圳", "months": 3, "home_contact": "书记"}, actor=SYSTEM
    )
    services.register_host(record.certificate_no, "慕容复", sibling, actor=SYSTEM)
    c = Client()
    c.force_login(admin)
    assert (
        "export_mobility_host" in c.get(reverse("mobility:host")).content.decode()
        or "导出" in c.get(reverse("mobility:host")).content.decode()
    )
    response = c.post(reverse("excel:export_mobility_host"))
    assert response.status_code == 200
    values = [cell.value for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows() for cell in row]
    assert "慕容复" in values and record.certificate_no in values and sibling.name in values


def test_demo_builder(tree):
    """The demo's 流动党员 register matches the members whose status is 流动, one
    temporary branch, transfers in progress with some receipts overdue."""
    from apps.mobility import demo

    branch = tree["branches"][0][0]
    away = []
    for _ in range(6):
        m = make_member(branch)
        member_services.change_status(m, "mobile", date=TODAY - datetime.timedelta(days=400), reason="外出务工", actor=SYSTEM)
        away.append(m.pk)
    for b in (b for row in tree["branches"] for b in row):
        for _ in range(25):
            make_member(b)
    started = time.perf_counter()
    demo.populate(tree["county"], random.Random(2005), TODAY)
    elapsed = time.perf_counter() - started
    records = MobileRecord.objects.filter(status="away")
    assert sorted(records.values_list("member_id", flat=True)) == sorted(away)
    assert TemporaryBranch.objects.count() == 1
    assert TemporaryBranch.objects.get().members.count() >= 3
    transfers = Transfer.objects.all()
    assert transfers.filter(status__in=("requested", "issued")).count() == transfers.count() > 0
    from apps.core.dates import add_months

    for t in transfers.filter(status="issued"):  # (the full county has some overdue: 48 transfers)
        assert t.receipt_due == max(t.valid_until, add_months(t.issued_on, 1))
        assert t.letters.get(void=False).serial == t.serial
    assert elapsed < 3


def test_member_in_register_screens_masked(branch, admin):
    """The register screens show names and organisations only (no ID numbers, phones)."""
    member = make_member(branch, categories=["unemployed"])
    _card(member)
    c = Client()
    c.force_login(make_user("county_admin", branch))
    for tab in ("cards", "unemployed"):
        page = c.get(reverse("mobility:registers") + f"?tab={tab}").content.decode()
        assert member.name in page and member.reveal_id_number() not in page and member.reveal_phone() not in page
