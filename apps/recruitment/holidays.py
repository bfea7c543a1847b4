"""The State Council's holiday calendar (国务院办公厅关于部分节假日安排的通知) in the
editable Holiday table, for counting the working days of public notices (公示).

Source: the maintained `chinesecalendar` package (import chinese_calendar), which lists
every holiday and every adjusted working weekend day (调休上班) of the years it knows.

- On migrate (post_migrate) every year of the package not loaded before is loaded, so a
  new package version brings the next year with the next deployment;
- `manage.py load_holidays [--year Y]` loads the missing years, or reloads one year; an
  administrator does the same with the 载入国务院节假日安排 button of the rule settings
  page (services.load_official_holidays);
- the demo county loads them too;
- rows an administrator entered or edited (Holiday.Source.MANUAL) are never overwritten,
  and a loaded year is not loaded again, so official rows an administrator deleted stay
  deleted;
- missing_years(): the current or next year without any row is shown as a warning on the
  rule settings page and as a to-do item of the administrators who may configure rules.
"""

import datetime
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.audit import record_change
from apps.core.models import ChangeLog
from apps.core.todo import TodoItem

from .models import Holiday, OfficialHolidayYear


def package_label() -> str:
    try:
        return f"chinesecalendar {version('chinesecalendar')}"
    except PackageNotFoundError:  # pragma: no cover - a broken installation
        return "chinesecalendar"


def official_calendar() -> dict[int, dict[datetime.date, tuple[bool, str]]]:
    """{year: {date: (is_workday, Chinese name)}} of every year the package knows."""
    from chinese_calendar import constants

    def chinese(english: str) -> str:
        try:
            return constants.Holiday(english).chinese
        except ValueError:
            return english

    years: dict[int, dict[datetime.date, tuple[bool, str]]] = {}
    for day, english in constants.holidays.items():
        years.setdefault(day.year, {})[day] = (False, chinese(english))
    for day, english in constants.workdays.items():
        years.setdefault(day.year, {})[day] = (True, f"{chinese(english)}调休上班")
    return years


@dataclass
class LoadResult:
    years: list[int] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    kept_manual: list[datetime.date] = field(default_factory=list)


def load(years: list[int] | None = None, *, force: bool = False, audit: bool = True, using: str = DEFAULT_DB_ALIAS) -> LoadResult:
    """Load the official calendar of `years` (default: every year the package knows).
    A year loaded before is skipped unless force=True. Never overwrites MANUAL rows.
    audit=True writes a ChangeLog entry per year (load_holidays, the demo); the load on
    migrate is installation data like a data migration, whose trail is the
    OfficialHolidayYear row itself (year, days, package version, time)."""
    calendar = official_calendar()
    wanted = sorted(calendar) if years is None else sorted(set(years))
    result = LoadResult()
    with transaction.atomic(using=using):
        loaded = set(OfficialHolidayYear.objects.using(using).values_list("year", flat=True))
        for year in wanted:
            days = calendar.get(year)
            if not days or (year in loaded and not force):
                continue
            existing = {h.date: h for h in Holiday.objects.using(using).filter(date__year=year)}
            new, changed = [], []
            for day, (is_workday, name) in sorted(days.items()):
                row = existing.get(day)
                if row is None:
                    new.append(Holiday(date=day, is_workday=is_workday, name=name, source=Holiday.Source.OFFICIAL))
                elif row.source == Holiday.Source.MANUAL:
                    result.kept_manual.append(day)
                elif (row.is_workday, row.name) != (is_workday, name):
                    row.is_workday, row.name = is_workday, name
                    changed.append(row)
            Holiday.objects.using(using).bulk_create(new)
            Holiday.objects.using(using).bulk_update(changed, ["is_workday", "name"])
            marker, created = OfficialHolidayYear.objects.using(using).update_or_create(
                year=year, defaults={"days": len(days), "source": package_label()}
            )
            if audit:
                record_change(
                    marker,
                    ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE,
                    message=f"载入{year}年国务院节假日安排：新增{len(new)}天，更新{len(changed)}天",
                )
            result.years.append(year)
            result.created += len(new)
            result.updated += len(changed)
    return result


def load_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: load the years not loaded yet (nothing when the tables are not there,
    e.g. after migrating recruitment backwards)."""
    with connections[using].cursor() as cursor:
        tables = set(connections[using].introspection.table_names(cursor))
    if Holiday._meta.db_table in tables and OfficialHolidayYear._meta.db_table in tables:
        load(audit=False, using=using)


def missing_years(today: datetime.date | None = None) -> list[int]:
    """The current and next year when the calendar has no row for them: notice periods in
    them would count 春节/国庆 as working days."""
    today = today or timezone.localdate()
    years = (today.year, today.year + 1)
    first, end = datetime.date(years[0], 1, 1), datetime.date(years[-1] + 1, 1, 1)
    present = set(Holiday.objects.filter(date__gte=first, date__lt=end).order_by().values_list("date__year", flat=True).distinct())
    return [y for y in years if y not in present]


def known_years() -> tuple[int, int] | None:
    """(first, last) year of the official calendar the system ships."""
    years = official_calendar()
    return (min(years), max(years)) if years else None


def missing_message(years: list[int]) -> str:
    """For the administrators (settings page, to-do): what is missing and what they can do
    in the browser; the operator's command is in the CLI's own output and the docs."""
    shown = "、".join(f"{y}年" for y in years)
    return (
        f"{shown}的法定节假日与调休安排尚未录入：公示期会把春节、国庆等假日算作工作日。"
        "国务院办公厅通知发布后，请在“发展党员规则设置 › 节假日与调休日历”点击“载入国务院节假日安排”"
        "（系统内置日历尚无该年时，请系统运维人员升级系统），或逐日录入放假日和调休上班日。"
    )


def nothing_new_message(years: list[int]) -> str:
    """The load found no year to add: which years the shipped calendar knows."""
    known = known_years()
    span = f"{known[0]}–{known[1]}年" if known else "无"
    if not years:
        return f"内置日历（{package_label()}，{span}）的各年份均已载入，没有新的安排。"
    shown = "、".join(f"{y}年" for y in years)
    return (
        f"内置日历（{package_label()}，{span}）尚无{shown}的安排：请在国务院办公厅通知发布后请系统运维人员升级系统"
        "（运行 load_holidays 载入），或在下方逐日录入。"
    )


def todo_items(user) -> list[TodoItem]:
    """A to-do for the administrators who keep the calendar (the `configure` action)."""
    from apps.core.scoping import has_action

    if not has_action(user, "configure"):
        return []
    years = missing_years()
    if not years:
        return []
    return [
        TodoItem(
            module="发展党员",
            title=missing_message(years),
            url=reverse("recruitment:settings") + "#holidays",
            due=timezone.localdate(),
            kind="节假日日历",
        )
    ]
