"""manage.py build_stats_snapshot [--date YYYY-MM-DD] [--if-stale] [--margin SECONDS]:
build the day's statistics snapshot (apps.stats.snapshots, ADR 0011). Schedule it daily
just after midnight; without a snapshot the statistics are counted live (correct, slower)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.stats import snapshots


class Command(BaseCommand):
    help = "生成当日的党内统计快照（每日零点后运行一次；省、县级统计从快照读取）"

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="统计日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--if-stale", action="store_true", help="已有当日且口径相同的快照时不重新生成")
        parser.add_argument(
            "--margin",
            type=int,
            default=None,
            help="生成前多少秒内修改的党员由读取时重新统计（默认见 DANGJIAN_STATS_SNAPSHOT_MARGIN_SECONDS；无其他写入时可用 0）",
        )

    def handle(self, *args, **opts):
        try:
            day = datetime.date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"统计日期“{opts['date']}”不是 YYYY-MM-DD 格式的日期")
        if opts["margin"] is not None and opts["margin"] < 0:
            raise CommandError("--margin 不能为负数")
        if opts["if_stale"] and snapshots.is_current(day):
            self.stdout.write(f"{day} 的统计快照已是最新，未重新生成")
            return
        started = time.perf_counter()
        try:
            run = snapshots.build(day, margin_seconds=opts["margin"])
        except snapshots.SnapshotBusy as exc:
            raise CommandError(str(exc))
        big = run.figures.filter(subtree__isnull=False).count()
        self.stdout.write(
            f"{run.day} 的统计快照已生成：{run.organisations} 个组织、{run.members} 名党员，"
            f"{big} 个组织存有下辖汇总，用时 {time.perf_counter() - started:.1f} 秒"
        )
