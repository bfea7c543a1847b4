from django.db import migrations


def seed(apps, schema_editor):
    from apps.mobility import rules

    Version = apps.get_model("mobility", "MobilityRuleVersion")
    if not Version.objects.exists():
        Version.objects.create(values=dict(rules.DEFAULTS), note=rules.DEFAULT_NOTE)


class Migration(migrations.Migration):
    dependencies = [("mobility", "0003_rules_expiry_host_reports")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
