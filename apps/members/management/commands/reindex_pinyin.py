"""manage.py reindex_pinyin — recompute members' pinyin search/sort keys, e.g. after the
surname table (apps/core/surnames.py) changed. Safe to re-run and to interrupt."""

from django.core.management.base import BaseCommand

from apps.members.models import Member
from apps.members.pinyin_index import reindex


class Command(BaseCommand):
    help = "按姓氏读音表重新计算党员姓名的拼音与首字母（检索与排序用），只改写有变化的记录"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args, batch_size, dry_run, **opts):
        checked, changed = reindex(
            Member,
            batch_size=max(1, batch_size),
            dry_run=dry_run,
            progress=lambda n, c: self.stdout.write(f"已检查 {n} 条，需更新 {c} 条") if n % (batch_size * 10) == 0 else None,
        )
        verb = "需更新" if dry_run else "已更新"
        self.stdout.write(self.style.SUCCESS(f"已检查 {checked} 名党员，{verb} {changed} 名的姓名拼音"))
