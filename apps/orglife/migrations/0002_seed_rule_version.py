from django.db import migrations


def seed(apps, schema_editor):
    from apps.orglife import rules

    RuleVersion = apps.get_model("orglife", "RuleVersion")
    if not RuleVersion.objects.exists():
        RuleVersion.objects.create(values=rules.defaults(), note="初始版本（《中国共产党支部工作条例（试行）》默认值）")


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
