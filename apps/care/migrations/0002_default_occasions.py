"""The default care occasions (domain-rules §13) and this and next year's subsidy rates.
A county administrator edits them afterwards (关怀事由设置 / 生活补助标准)."""

import datetime

from django.db import migrations

from apps.care.rules import DEFAULT_OCCASIONS, DEFAULT_SUBSIDIES


def seed(apps, schema_editor):
    CareOccasion = apps.get_model("care", "CareOccasion")
    SubsidyRate = apps.get_model("care", "SubsidyRate")
    for code, name, kind, month, targets, order in DEFAULT_OCCASIONS:
        CareOccasion.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "month": month, "targets": targets, "order": order})
    this_year = datetime.date.today().year
    for year in (this_year - 1, this_year):
        for t in DEFAULT_SUBSIDIES:
            SubsidyRate.objects.get_or_create(
                year=year, category=t.category, defaults={"amount": t.amount, "min_age": t.min_age, "min_party_years": t.min_party_years}
            )


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
