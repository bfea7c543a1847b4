"""manage.py load_holidays [--year Y] — the State Council's holidays and adjusted working
days (调休) from the chinesecalendar package into the holiday calendar that counts the
working days of public notices (apps.recruitment.holidays)."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.context import acting_as
from apps.recruitment import holidays


class Command(BaseCommand):
    help = "载入国务院办公厅公布的法定节假日与调休上班日（不覆盖管理员录入或修改的日期）；--year 重新载入某一年"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="只（重新）载入这一年，可重复；默认载入尚未载入的全部年份")

    def handle(self, *args, year, **opts):
        known = holidays.official_calendar()
        if year:
            unknown = [y for y in year if y not in known]
            if unknown:
                raise CommandError(
                    f"{'、'.join(map(str, unknown))}年的安排不在 {holidays.package_label()} 中"
                    f"（已有 {min(known)}–{max(known)} 年）：请升级 chinesecalendar，或在规则设置页逐日录入"
                )
        with acting_as(None, source="cli"):
            result = holidays.load(year, force=bool(year))
        if result.years:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已载入 {'、'.join(map(str, result.years))} 年：新增 {result.created} 天，更新 {result.updated} 天"
                    f"（来源：{holidays.package_label()}）"
                )
            )
        else:
            self.stdout.write(f"没有需要载入的年份（{holidays.package_label()}：{min(known)}–{max(known)} 年均已载入）")
        if result.kept_manual:
            shown = "、".join(f"{d:%Y-%m-%d}" for d in result.kept_manual[:20])
            self.stdout.write(f"保留管理员录入的 {len(result.kept_manual)} 天：{shown}")
        missing = holidays.missing_years()
        if missing:
            self.stdout.write(self.style.WARNING(holidays.nothing_new_message(missing)))
