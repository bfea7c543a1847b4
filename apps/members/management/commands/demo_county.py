"""manage.py demo_county [--seed N] [--as-of YYYY-MM-DD] [--if-empty]: the synthetic
demo county reproducing the seed report's figures (see apps.members.demo)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.members import demo
from apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "生成示范县演示数据：825个基层党组织、20135名党员（与调研报告数字一致），可重复（同一 seed 结果相同）"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2005, help="随机种子（默认2005）")
        parser.add_argument("--as-of", dest="as_of", default=None, help="基准日 YYYY-MM-DD（默认今天；年龄按此日计算）")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有党组织时什么也不做")

    def handle(self, *args, seed, as_of, if_empty, **options):
        if if_empty and Organisation.objects.exists():
            self.stdout.write("数据库已有党组织，跳过生成示范县。")
            return
        if as_of:
            try:
                as_of = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"基准日“{as_of}”格式不正确，应为 YYYY-MM-DD")
            if as_of > timezone.localdate():
                raise CommandError("基准日不能晚于今天")
        started = time.monotonic()
        try:
            root, plan, ran = demo.build_demo_county(seed, as_of)
        except ValueError as exc:
            raise CommandError(str(exc))
        elapsed = time.monotonic() - started
        counted = sum(1 for m in plan.members if m.status in ("normal", "mobile", "lost_contact"))
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成“{root.name}”：组织{len(plan.orgs)}个（含党小组），在册统计党员{counted}名，"
                f"扩展模块：{'、'.join(ran) or '无'}；用时{elapsed:.1f}秒"
            )
        )
