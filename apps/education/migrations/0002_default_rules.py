from django.db import migrations

DEFAULTS = {
    "ordinary_hours": 32,
    "cadre_hours": 56,
    "cadre_courses": 1,
    "new_secretary_months": 6,
    "probation_after_months": 12,
    "full_day_hours": 8,
    "half_day_hours": 4,
    "approval_hours": 8,
    "max_entry_hours": 80,
    "completion_percent": 80,
}


def seed(apps, schema_editor):
    Version = apps.get_model("education", "StudyRuleVersion")
    if not Version.objects.exists():
        Version.objects.create(values=DEFAULTS, note="默认规则（2019–2023年全国党员教育培训工作规划）")


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
