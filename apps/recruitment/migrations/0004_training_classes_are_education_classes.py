"""Recruitment's 积极分子培训班 become education training classes of the kinds
入党积极分子培训班 / 发展对象培训班 (issue 15: one class mechanism, not two).

Each old class is copied to education.TrainingClass (level from the organising
organisation's type, kind from its name), its days become sessions of the class (one a day
from the opening date, the old hours shared between them), and a class that ended before
the migration is recorded as completed (结业) so its trainees keep the credit step 11 gave
them. Training records then point to the new class and the old table is dropped. The
reverse copies the classes back."""

import datetime
from decimal import ROUND_DOWN, Decimal

from django.db import migrations, models
from django.db.models import Count, Sum

LEVEL_BY_ORG_TYPE = {"county_committee": "county", "committee": "township"}


def _sessions(new, days, hours):
    """(date, hours) of the sessions standing for an old class of `days` days, `hours` hours."""
    if days <= 0:
        return [(new.start_date, Decimal(hours))] if hours > 0 else []
    total = Decimal(hours) if hours > 0 else Decimal(8 * days)
    each = (total / days).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    out = [(new.start_date + datetime.timedelta(days=i), each) for i in range(days)]
    out[-1] = (out[-1][0], total - each * (days - 1))
    return [(d, h) for d, h in out if h > 0]


def forward(apps, schema_editor):
    Old = apps.get_model("recruitment", "TrainingClass")
    New = apps.get_model("education", "TrainingClass")
    Session = apps.get_model("education", "ClassSession")
    Record = apps.get_model("recruitment", "TrainingRecord")
    today = datetime.date.today()
    for old in Old.objects.select_related("organisation").order_by("id"):
        org = old.organisation
        finished = old.end_date < today
        new = New.objects.create(
            organisation=org,
            org_path=org.path,
            title=old.name[:120],
            level=LEVEL_BY_ORG_TYPE.get(org.org_type, "branch"),
            kind="development" if "发展对象" in old.name else "activist",
            start_date=old.start_date,
            end_date=max(old.end_date, old.start_date),
            plan=f"由发展党员“积极分子培训班”迁移：原登记{old.days}天、{old.hours}学时。",
            status="finished" if finished else "open",
            finished_on=old.end_date if finished else None,
        )
        Session.objects.bulk_create(
            [
                Session(
                    training_class=new,
                    date=d,
                    topic=f"{old.name}（第{i}天）" if old.days > 0 else old.name,
                    lecturer=org.name[:60],
                    duration="actual",
                    hours=h,
                    attendance_taken=finished,
                )
                for i, (d, h) in enumerate(_sessions(new, old.days, old.hours), start=1)
            ]
        )
        Record.objects.filter(training_class_id=old.pk).update(edu_class=new, days=0, hours=0)


def backward(apps, schema_editor):
    Old = apps.get_model("recruitment", "TrainingClass")
    New = apps.get_model("education", "TrainingClass")
    Record = apps.get_model("recruitment", "TrainingRecord")
    used = Record.objects.filter(edu_class__isnull=False).values_list("edu_class_id", flat=True).distinct()
    rows = New.objects.filter(pk__in=list(used)).annotate(n_days=Count("sessions__date", distinct=True), n_hours=Sum("sessions__hours"))
    for new in rows:
        old = Old.objects.create(
            organisation_id=new.organisation_id,
            name=new.title,
            start_date=new.start_date,
            end_date=new.end_date,
            days=new.n_days or 0,
            hours=int(new.n_hours or 0),
        )
        Record.objects.filter(edu_class=new).update(training_class=old, days=old.days, hours=old.hours)


def constraints_now(apps, schema_editor):
    """PostgreSQL: check the deferred foreign keys of the rows just copied now, so the
    schema changes that follow in this transaction may ALTER those tables ("cannot ALTER
    TABLE … because it has pending trigger events"). Run on both sides of the data step so
    that the reverse is covered too."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0007_recruitment_class_kinds"),
        ("recruitment", "0003_one_active_file_per_person"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingrecord",
            name="edu_class",
            field=models.ForeignKey(
                null=True, blank=True, on_delete=models.deletion.PROTECT, related_name="+", to="education.trainingclass"
            ),
        ),
        migrations.RunPython(constraints_now, constraints_now),
        migrations.RunPython(forward, backward),
        migrations.RunPython(constraints_now, constraints_now),
        migrations.RemoveConstraint(model_name="trainingrecord", name="training_once_per_class"),
        migrations.RemoveField(model_name="trainingrecord", name="training_class"),
        migrations.RenameField(model_name="trainingrecord", old_name="edu_class", new_name="training_class"),
        migrations.AlterField(
            model_name="trainingrecord",
            name="training_class",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="recruitment_trainees",
                to="education.trainingclass",
                verbose_name="培训班",
            ),
        ),
        migrations.AddConstraint(
            model_name="trainingrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("training_class__isnull", False)), fields=("file", "training_class"), name="training_once_per_class"
            ),
        ),
        migrations.DeleteModel(name="TrainingClass"),
    ]
