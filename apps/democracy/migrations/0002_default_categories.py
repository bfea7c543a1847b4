from django.db import migrations

from apps.democracy.rules import DEFAULT_FEEDBACK_CATEGORIES, DEFAULT_NOTICE_CATEGORIES


def seed(apps, schema_editor):
    FeedbackCategory = apps.get_model("democracy", "FeedbackCategory")
    NoticeCategory = apps.get_model("democracy", "NoticeCategory")
    for code, name, days, order in DEFAULT_FEEDBACK_CATEGORIES:
        FeedbackCategory.objects.get_or_create(code=code, defaults={"name": name, "answer_days": days, "order": order})
    for code, name, order in DEFAULT_NOTICE_CATEGORIES:
        NoticeCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("democracy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
