"""Check the dues rule from the command line:
    python manage.py dues_calc --category salaried --base 3000.01 [--json]
prints the rate and the monthly amount computed by apps.dues.rules.monthly_amount."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.dues import rules


class Command(BaseCommand):
    help = "按党费规定计算每月应交党费（比例与金额）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--category", required=True, help="党费类别：" + "、".join(f"{c}={label}" for c, label in rules.CATEGORY_CHOICES)
        )
        parser.add_argument("--base", default=None, help="缴纳基数（元，最多两位小数）")
        parser.add_argument("--fixed-amount", default=None, help="定额类别（农民 0.20～1.00 元）的每月金额")
        parser.add_argument("--on", default=None, help="适用日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        on = None
        if opts["on"]:
            try:
                on = datetime.date.fromisoformat(opts["on"])
            except ValueError:
                raise CommandError(f"日期“{opts['on']}”格式错误，应为 YYYY-MM-DD")
        try:
            rule = rules.category_rule(opts["category"], on)
            rate, amount = rules.monthly_amount(opts["category"], opts["base"], on, fixed_amount=opts["fixed_amount"])
        except ValidationError as exc:
            raise CommandError("；".join(m for msgs in exc.message_dict.values() for m in msgs))
        base = None if rule.kind == "fixed" else rules.parse_money(opts["base"], "base", "缴纳基数")
        if opts["json"]:
            payload = {
                "category": rule.code,
                "category_label": rule.label,
                "base": None if base is None else str(base),
                "rate": None if rate is None else str(rate),
                "rate_label": rules.rate_label(rate),
                "amount": str(amount),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            base_text = "—" if base is None else f"{base}元"
            self.stdout.write(f"类别：{rule.label}  基数：{base_text}  比例：{rules.rate_label(rate)}  每月应交：{amount}元")
