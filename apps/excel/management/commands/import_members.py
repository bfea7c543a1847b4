"""python manage.py import_members FILE.xlsx [--org CODE] [--user USERNAME] [--dry-run] [--json]
   python manage.py import_members --template OUT.xlsx

The same engine as the web import: every row validated, all or nothing. Exit status 0
when the file was (or, with --dry-run, would be) imported; 1 when any row is bad or the
file is refused (nothing is written); 2 for usage errors."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.core.actors import system_actor
from apps.core.context import acting_as
from apps.core.scoping import require_org_action
from apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "从Excel导入党员名册（先校验每一行，全部无误才写入）；--template 生成导入模板"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="要导入的 .xlsx 文件")
        parser.add_argument("--template", metavar="OUT.xlsx", help="生成导入模板到该文件后退出")
        parser.add_argument("--org", metavar="CODE", help="只导入到该组织（含下级）；未填所在党组织的行导入到该组织")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户的身份和权限范围导入（缺省为系统，不限范围）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并汇总，不写入")
        parser.add_argument("--no-update", action="store_true", help="身份证号已在册时报错，而不是更新")
        parser.add_argument("--json", action="store_true", help="以JSON输出结果和错误")

    def handle(self, *args, **options):
        if options["template"]:
            from apps.excel.template import write_template

            with open(options["template"], "wb") as fh:
                write_template(fh)
            self.stdout.write(f"已生成导入模板：{options['template']}")
            return
        if not options["file"]:
            raise CommandError("请指定要导入的 .xlsx 文件，或用 --template OUT.xlsx 生成模板", returncode=2)
        user = system_actor("cli")
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"用户“{options['user']}”不存在或已停用", returncode=2)
        org = None
        if options["org"]:
            org = Organisation.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"组织代码“{options['org']}”不存在", returncode=2)
            try:
                require_org_action(user, org, "change")
            except PermissionError as exc:
                raise CommandError(str(exc), returncode=1) from exc
        from apps.excel.importer import import_members

        try:
            with open(options["file"], "rb") as fh, acting_as(user, source="cli"):
                result = import_members(fh, actor=user, org=org, dry_run=options["dry_run"], update_existing=not options["no_update"])
        except FileNotFoundError as exc:
            raise CommandError(f"文件不存在：{options['file']}", returncode=2) from exc
        if result.ok and not options["dry_run"]:
            from apps.core.models import AccessLog

            with acting_as(user, source="cli"):
                AccessLog.record(
                    AccessLog.Kind.IMPORT,
                    user=user,
                    target=f"党员名册导入（命令行）：{options['file']}"[:200],
                    org_path=org.path if org else "",
                    created=result.created,
                    updated=result.updated,
                    rows=result.rows_total,
                )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
        else:
            self._print(result, options["dry_run"])
        if not result.ok:
            sys.exit(1)

    def _print(self, result, dry_run):
        for w in result.warnings:
            self.stdout.write(self.style.WARNING(f"提示：{w}"))
        if result.refused:
            self.stderr.write(self.style.ERROR(f"文件被拒绝：{result.refused}"))
        for e in result.errors:
            self.stderr.write(str(e))
        if not result.ok:
            self.stderr.write(self.style.ERROR(f"共 {len(result.errors)} 处错误，未写入任何数据。"))
            return
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"校验通过（未写入）：共 {result.rows_total} 行，将新增 {result.to_create} 人，更新 {result.to_update} 人，无变化 {result.unchanged} 人。"
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"导入完成：共 {result.rows_total} 行，新增 {result.created} 人，更新 {result.updated} 人，无变化 {result.unchanged} 人。"
                )
            )
