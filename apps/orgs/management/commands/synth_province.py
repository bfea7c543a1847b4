"""`manage.py synth_province --members 1000000 [--counties 50] [--seed N] [--dues]`: a
deterministic synthetic province for benchmarks (bench/synth.py explains the shape and the
loading). --dues adds a year of dues (January–November of 2026: declarations, ledger lines,
payments, ledger months and the monthly tallies) for every counted member; off by default,
so the member benchmarks keep their build time."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成确定性的合成省数据（约50个县、约41,000个党组织），用于性能测试"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=1_000_000, help="党员总数（默认 1,000,000）")
        parser.add_argument("--counties", type=int, default=None, help="县的个数（默认：每县约2万名党员）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的数据（密文除外）")
        parser.add_argument("--workers", type=int, default=2, help="生成数据的进程数（默认2）")
        parser.add_argument("--reset", action="store_true", help="先清空党组织与党员表（仅用于性能测试库！）")
        parser.add_argument("--dues", action="store_true", help="同时生成党费数据（2026年1—11月台账、缴费记录、月度汇总；默认不生成）")
        parser.add_argument("--keep-indexes", action="store_true", help="装载时不删除再重建二级索引")

    def handle(self, *args, **opts):
        from bench.synth import build_province

        if opts["members"] < 1:
            raise CommandError("--members 必须为正整数")
        if opts["counties"] is not None and opts["counties"] < 1:
            raise CommandError("--counties 必须为正整数")
        result = build_province(
            opts["members"],
            opts["counties"],
            opts["seed"],
            workers=max(1, opts["workers"]),
            reset=opts["reset"],
            dues=opts["dues"],
            rebuild_indexes=False if opts["keep_indexes"] else None,
            out=self.stdout.write,
        )
        self.stdout.write(self.style.SUCCESS(f"省级党组织 id={result['root_id']} path={result['root_path']}"))
