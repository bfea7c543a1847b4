"""Issue 12 item 13: the State Council calendar ships and is loaded on migrate, so notice
periods skip 春节/国庆 and count 调休 Saturdays (checked against chinese_calendar itself
and against end dates worked out by hand)."""

import datetime
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from apps.core.todo import items_for
from apps.recruitment import engine, holidays, services
from apps.recruitment.models import Holiday, OfficialHolidayYear
from tests.factories import make_user
from tests.recruitment.helpers import before_step, new_file

D = datetime.date


def test_the_calendar_is_loaded_on_migrate(db):
    assert not ChangeLog.objects.exists()  # installation data, like a data migration
    assert {2024, 2025, 2026} <= set(OfficialHolidayYear.objects.values_list("year", flat=True))
    spring = Holiday.objects.get(date=D(2026, 2, 17))
    assert (spring.is_workday, spring.name, spring.source) == (False, "春节", Holiday.Source.OFFICIAL)
    saturday = Holiday.objects.get(date=D(2026, 2, 28))
    assert saturday.is_workday and saturday.name == "春节调休上班"


def test_every_day_of_2024_to_2026_agrees_with_chinese_calendar(db):
    day = D(2024, 1, 1)
    calendar = engine._calendar(day, D(2026, 12, 31))
    wrong = []
    while day <= D(2026, 12, 31):
        if engine.is_workday(day, calendar) != chinese_calendar.is_workday(day):
            wrong.append(day)
        day += datetime.timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize(
    "start, workdays, end",
    [
        # 春节 2025 (1/28–2/4 off; Sunday 1/26 worked): Fri 24, Sun 26, Mon 27, Wed 2/5, Thu 2/6.
        (D(2025, 1, 24), 5, D(2025, 2, 6)),
        # 春节 2026 (2/15–2/23 off; Saturday 2/14 worked): Thu 12, Fri 13, Sat 14, Tue 24, Wed 25.
        (D(2026, 2, 12), 5, D(2026, 2, 25)),
        # 国庆 2025 (10/1–10/8 off; Sunday 9/28 worked): Fri 26, Sun 28, Mon 29, Tue 30, Thu 10/9.
        (D(2025, 9, 26), 5, D(2025, 10, 9)),
        # 国庆 2026 (10/1–10/7 off; Saturday 10/10 worked): Wed 30, Thu 8, Fri 9, Sat 10, Mon 12.
        (D(2026, 9, 30), 5, D(2026, 10, 12)),
        # A 调休 Saturday counts: Fri 2/27, Sat 2/28 2026.
        (D(2026, 2, 27), 2, D(2026, 2, 28)),
        # A notice published on the 调休 Saturday starts counting that day.
        (D(2025, 10, 11), 1, D(2025, 10, 11)),
    ],
)
def test_notice_end_dates_across_the_holidays(db, start, workdays, end):
    assert engine.add_workdays(start, workdays) == end


def test_a_published_notice_ends_after_the_spring_festival(tree):
    f = before_step(new_file(tree["branches"][0][0]), "target", prepare=False)
    notice = services.create_notice(f, start_date=D(2026, 2, 12), actor=system_actor("cli"))
    assert notice.workdays == 5 and notice.end_date == D(2026, 2, 25)


def test_reloading_keeps_what_an_administrator_entered_edited_or_deleted(tree):
    admin = make_user("county_admin", tree["county"])
    # Edited: the county gives the 2026 调休 Saturday off after all.
    services.save_holiday(date=D(2026, 2, 28), is_workday=False, name="县里不调休", actor=admin)
    # Entered: a local holiday.
    services.save_holiday(date=D(2026, 3, 3), is_workday=False, name="县庆", actor=admin)
    # Deleted: an official row.
    services.delete_holiday(Holiday.objects.get(date=D(2026, 10, 7)), actor=admin)
    call_command("migrate", verbosity=0)  # post_migrate: years already loaded stay as they are
    assert Holiday.objects.get(date=D(2026, 2, 28)).name == "县里不调休"
    assert not Holiday.objects.filter(date=D(2026, 10, 7)).exists()
    out = StringIO()
    call_command("load_holidays", "--year", "2026", stdout=out)  # a deliberate reload
    edited = Holiday.objects.get(date=D(2026, 2, 28))
    assert (edited.is_workday, edited.name, edited.source) == (False, "县里不调休", Holiday.Source.MANUAL)
    assert Holiday.objects.get(date=D(2026, 3, 3)).name == "县庆"
    assert Holiday.objects.get(date=D(2026, 10, 7)).source == Holiday.Source.OFFICIAL  # restored on purpose
    assert "已载入 2026 年：新增 1 天" in out.getvalue() and "保留管理员录入的 1 天：2026-02-28" in out.getvalue()
    log = ChangeLog.objects.filter(object_type__endswith="officialholidayyear").first()
    assert log and "载入2026年国务院节假日安排：新增1天" in log.message


def test_load_holidays_loads_missing_years_once(db):
    Holiday.objects.filter(date__year=2025).delete()
    OfficialHolidayYear.objects.filter(year=2025).delete()
    out = StringIO()
    call_command("load_holidays", stdout=out)
    assert "已载入 2025 年" in out.getvalue()
    assert Holiday.objects.filter(date__year=2025, source=Holiday.Source.OFFICIAL).count() == len(
        [d for d in {**chinese_calendar.constants.holidays, **chinese_calendar.constants.workdays} if d.year == 2025]
    )
    out = StringIO()
    call_command("load_holidays", stdout=out)
    assert "没有需要载入的年份" in out.getvalue()


def test_load_holidays_names_a_year_the_package_does_not_know(db):
    with pytest.raises(CommandError, match="2099年的安排不在 chinesecalendar"):
        call_command("load_holidays", "--year", "2099")


def test_missing_years_of_the_current_and_next_year(db):
    assert holidays.missing_years(D(2025, 6, 1)) == []  # 2025 and 2026 are in the package
    Holiday.objects.filter(date__year__gte=2027).delete()
    assert holidays.missing_years(D(2026, 12, 3)) == [2027]
    Holiday.objects.filter(date__year=2026).delete()
    assert holidays.missing_years(D(2026, 6, 1)) == [2026, 2027]
    # Any row of a year (an administrator's) counts as the year being kept.
    Holiday.objects.create(date=D(2027, 1, 1), name="元旦")
    assert holidays.missing_years(D(2026, 12, 3)) == [2026]


def test_warning_on_the_settings_page_and_in_the_administrators_to_do(client, tree):
    next_year = timezone.localdate().year + 1
    Holiday.objects.filter(date__year__gte=next_year).delete()
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    html = client.get(reverse("recruitment:settings")).content.decode()
    assert f"{next_year}年的法定节假日与调休安排尚未录入" in html
    titles = [i.title for i in items_for(admin)]
    assert any(f"{next_year}年的法定节假日与调休安排尚未录入" in t for t in titles)
    # Not a to-do for those who cannot keep the calendar.
    secretary = make_user("branch_secretary", tree["branches"][0][0])
    assert not any("节假日" in i.title for i in items_for(secretary))
    # Once both years have data the warning goes.
    Holiday.objects.get_or_create(date=D(next_year - 1, 1, 1), defaults={"name": "元旦"})
    Holiday.objects.create(date=D(next_year, 1, 1), name="元旦")
    assert "尚未录入" not in client.get(reverse("recruitment:settings")).content.decode()
    assert not any("节假日" in i.title for i in items_for(admin))


def test_the_administrator_loads_the_calendar_from_the_settings_page(client, tree):
    """The button does what load_holidays does, for the missing years, in the change log;
    the warning and the to-do speak of the button, not of a shell command."""
    Holiday.objects.filter(date__year=2025).delete()
    OfficialHolidayYear.objects.filter(year=2025).delete()
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    page = client.get(reverse("recruitment:settings")).content.decode()
    assert "载入国务院节假日安排" in page and "manage.py" not in page
    response = client.post(reverse("recruitment:settings"), {"form": "load_holidays"}, follow=True)
    official = [d for d in {**chinese_calendar.constants.holidays, **chinese_calendar.constants.workdays} if d.year == 2025]
    assert f"已载入2025年国务院节假日安排：新增{len(official)}天" in response.content.decode()
    assert Holiday.objects.filter(date__year=2025, source=Holiday.Source.OFFICIAL).count() == len(official)
    assert ChangeLog.objects.filter(user=admin, message__contains="载入2025年国务院节假日安排").exists()
    # nothing left to load: which years the shipped calendar holds
    response = client.post(reverse("recruitment:settings"), {"form": "load_holidays"}, follow=True)
    assert "内置日历（chinesecalendar" in response.content.decode()


def test_a_year_the_shipped_calendar_lacks_is_explained_without_a_command(client, tree, monkeypatch):
    next_year = timezone.localdate().year + 1
    shipped = {y: days for y, days in holidays.official_calendar().items() if y < next_year}
    monkeypatch.setattr(holidays, "official_calendar", lambda: shipped)  # a package without next year
    Holiday.objects.filter(date__year=next_year).delete()
    OfficialHolidayYear.objects.filter(year=next_year).delete()
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    titles = [i.title for i in items_for(admin)]
    assert any(f"{next_year}年的法定节假日与调休安排尚未录入" in t and "载入国务院节假日安排" in t for t in titles)
    assert not any("manage.py" in t for t in titles)
    response = client.post(reverse("recruitment:settings"), {"form": "load_holidays"}, follow=True)
    html = response.content.decode()
    assert f"尚无{next_year}年的安排" in html and "升级系统" in html and f"{max(shipped)}年" in html
    assert not Holiday.objects.filter(date__year=next_year).exists()


def test_only_a_rule_administrator_may_load_the_calendar(client, tree):
    OfficialHolidayYear.objects.filter(year=2025).delete()
    Holiday.objects.filter(date__year=2025).delete()
    secretary = make_user("branch_secretary", tree["branches"][0][0])
    client.force_login(secretary)
    assert client.post(reverse("recruitment:settings"), {"form": "load_holidays"}).status_code == 404
    assert not Holiday.objects.filter(date__year=2025).exists()
    with pytest.raises(ScopeError, match="不在您的管理范围内"):
        services.load_official_holidays(actor=secretary)
    assert not Holiday.objects.filter(date__year=2025).exists()
