"""Verify the organisation tree and the registry's copies of it; print a Chinese report
and exit non-zero when anything is wrong.

    python manage.py check_org_tree [--fix-counts]
"""

from django.core.management.base import BaseCommand, CommandError

from apps.core import paths, registry
from apps.orgs.models import Organisation
from apps.orgs.services import ALLOWED_CHILDREN, TYPE_LABEL

SAMPLE = 10


class Command(BaseCommand):
    help = "检查组织树（treebeard 结构、党员组织路径、直属党员数、已撤销组织、上下级类别）并输出报告"

    def add_arguments(self, parser):
        parser.add_argument("--fix-counts", action="store_true", help="按党员表重新计算各组织的直属党员数")

    def handle(self, *args, fix_counts=False, **options):
        self.problems = 0
        out = self.stdout
        out.write("组织树检查报告")
        out.write("=" * 30)
        self.check_treebeard()
        self.check_path_copies()
        self.check_types()
        # what the apps keeping records in the tree verify (registry.tree_checks: the
        # member counters and placements, apps.members.tree)
        for check in registry.tree_checks:
            check.run(self.problem, fix_counts)
        out.write("=" * 30)
        if self.problems:
            raise CommandError(f"共发现 {self.problems} 项问题")
        out.write(self.style.SUCCESS("未发现问题"))

    def problem(self, title: str, rows: list[str], total: int | None = None, *, fixed: str = ""):
        if fixed:
            self.stdout.write(self.style.WARNING(f"[已修正] {title}：{fixed}"))
            return
        total = len(rows) if total is None else total
        if not total:
            self.stdout.write(f"[通过] {title}")
            return
        self.problems += total
        self.stdout.write(self.style.ERROR(f"[问题] {title}：{total} 项"))
        for row in rows[:SAMPLE]:
            self.stdout.write(f"    - {row}")
        if total > SAMPLE:
            self.stdout.write(f"    … 另有 {total - SAMPLE} 项")

    def check_treebeard(self):
        evil_chars, bad_steplen, orphans, wrong_depth, wrong_numchild = Organisation.objects.find_problems()
        names = dict(
            Organisation.objects.filter(pk__in=[*evil_chars, *bad_steplen, *orphans, *wrong_depth, *wrong_numchild]).values_list(
                "pk", "name"
            )
        )
        for title, ids in (
            ("路径含非法字符", evil_chars),
            ("路径长度不是步长的整数倍", bad_steplen),
            ("找不到上级组织（孤立节点）", orphans),
            ("层级（depth）与路径不符", wrong_depth),
            ("下级组织数（numchild）不符", wrong_numchild),
        ):
            self.problem(f"树结构：{title}", [f"{names.get(pk, pk)}（id={pk}）" for pk in ids])

    def check_path_copies(self):
        """Every copied organisation path that the models declare (apps.core.paths), not
        only the members': a drift in any table is reported with that table's name."""
        for model, field, source in paths.path_copies():
            if source is None:  # a history copy: nothing to compare with
                continue
            bad = paths.drift(model, field, source).select_related(source)
            rows = []
            for obj in bad[:SAMPLE]:
                org = getattr(obj, source)
                rows.append(f"{obj}（id={obj.pk}）路径 {getattr(obj, field)} ≠ 所属组织“{org}”路径 {org.path}")
            self.problem(f"{model._meta.verbose_name}的组织路径（{field}）与所属组织不一致", rows, bad.count())

    def check_types(self):
        orgs = {
            path: (pk, name, org_type, status)
            for pk, name, org_type, status, path in Organisation.objects.values_list("pk", "name", "org_type", "status", "path")
        }
        step = Organisation.steplen
        bad_type, active_under_dissolved = [], []
        for path, (pk, name, org_type, status) in orgs.items():
            parent = orgs.get(path[:-step]) if len(path) > step else None
            if parent is None:
                continue
            _ppk, pname, ptype, pstatus = parent
            if org_type not in ALLOWED_CHILDREN.get(ptype, set()):
                bad_type.append(f"{TYPE_LABEL.get(ptype, ptype)}“{pname}”下设有{TYPE_LABEL.get(org_type, org_type)}“{name}”（id={pk}）")
            if status == Organisation.Status.ACTIVE and pstatus == Organisation.Status.DISSOLVED:
                active_under_dissolved.append(f"“{name}”（id={pk}）的上级“{pname}”已撤销")
        self.problem("上下级组织类别不符合规定（如党小组下设党支部）", bad_type)
        self.problem("已撤销组织下仍有未撤销的下级组织", active_under_dissolved)
