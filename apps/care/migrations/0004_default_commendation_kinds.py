from django.db import migrations

from apps.care.rules import DEFAULT_COMMENDATION_KINDS


def seed(apps, schema_editor):
    Kind = apps.get_model("care", "CommendationKind")
    for code, name, nominee, level, order in DEFAULT_COMMENDATION_KINDS:
        Kind.objects.get_or_create(code=code, defaults={"name": name, "nominee": nominee, "level": level, "order": order})


class Migration(migrations.Migration):
    dependencies = [("care", "0003_commendations")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
