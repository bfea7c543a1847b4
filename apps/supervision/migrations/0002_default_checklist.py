"""Seed version 1 of the 十规范 checklist from rules.DEFAULT_CHECKLIST (domain-rules §12)."""

from django.db import migrations


def seed(apps, schema_editor):
    from apps.supervision import rules

    Version = apps.get_model("supervision", "ChecklistVersion")
    Item = apps.get_model("supervision", "ChecklistItem")
    if Version.objects.exists():
        return
    version = Version.objects.create(number=1, note="默认十规范（domain-rules §12）", created_by="系统（数据迁移）")
    Item.objects.bulk_create(
        Item(version=version, area=d.area, code=d.code, title=d.title, evidence=d.evidence, max_score=d.max_score, metric=d.metric, order=i)
        for i, d in enumerate(rules.DEFAULT_CHECKLIST)
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "ChecklistVersion").objects.filter(number=1, inspections__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
