"""Statistics snapshots (ADR 0011): the member figures of 党内统计 per organisation for one
day, so a province or county reads its subtree's figures from one stored row instead of
one pass over all its members. Readers correct them for what changed since the build
(apps.stats.snapshots); the rows are a derived copy, rebuilt daily and never edited."""

from django.db import models


class SnapshotRun(models.Model):
    """One build: the figures of `day` (ages and "this year" are as of that day)."""

    day = models.DateField("统计日期", unique=True)
    started_at = models.DateTimeField("开始生成")
    # a member row written after this moment may be missing from the figures: readers
    # re-count its organisation (the build's start, earlier for transactions still open
    # then, minus a margin for clock skew)
    clean_before = models.DateTimeField("此前的修改已计入")
    finished_at = models.DateTimeField("生成完毕")
    # what was counted: a hash of every condition (key and SQL meaning); a change of code
    # or of the registered sections makes the run unusable
    signature = models.CharField("口径校验", max_length=64)
    members = models.PositiveIntegerField("计入党员数")
    organisations = models.PositiveIntegerField("组织数")

    class Meta:
        verbose_name = verbose_name_plural = "统计快照"

    def __str__(self):
        return f"统计快照 {self.day}"


class OrgFigures(models.Model):
    """An organisation's figures in a run: `direct` for the counted members directly in it
    (non-zero figures only), `subtree` for its whole subtree (only organisations whose
    subtree holds at least DANGJIAN_STATS_SNAPSHOT_MIN_MEMBERS counted members; a smaller
    subtree is counted live)."""

    run = models.ForeignKey(SnapshotRun, on_delete=models.CASCADE, related_name="figures")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="stats_figures")
    direct_count = models.PositiveIntegerField("直属计入党员数", default=0)
    direct = models.JSONField("直属党员统计", default=dict)
    subtree = models.JSONField("下辖党员统计", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织统计快照"
        constraints = [models.UniqueConstraint(fields=["run", "organisation"], name="stats_figures_one_per_run")]

    def __str__(self):
        return f"{self.run_id}:{self.organisation_id}"
