from django.core.management.base import BaseCommand

from apps.accounts.demo import demo_rows


class Command(BaseCommand):
    help = "列出演示账号（账号、密码、角色、党组织）"

    def handle(self, *args, **opts):
        rows = demo_rows()
        if not rows:
            self.stdout.write("尚无演示账号（运行 manage.py demo_county 生成演示县后可用）。")
            return
        header = ("账号", "密码", "角色", "党组织")
        widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(4)]
        self.stdout.write("演示账号（仅用于演示环境）：")
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(str(v), w) for v, w in zip(row, widths, strict=True)).rstrip())


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
