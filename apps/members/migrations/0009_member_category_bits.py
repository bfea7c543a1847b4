from django.db import migrations, models

# Fixed here (codes.CATEGORY_BITS at the time of this migration): a later change to the
# codes must not change what this migration writes.
BITS = {
    "rural": 1,
    "retired": 2,
    "mobile": 4,
    "non_public": 8,
    "unemployed": 16,
    "student": 32,
    "hardship": 64,
    "pre_1949": 128,
    "no_post": 256,
}


def fill(apps, schema_editor):
    """One UPDATE … FROM over the category rows (PostgreSQL and SQLite ≥ 3.33 alike): only
    members holding a category are written (the new column's default is 0)."""
    bits = " ".join(f"WHEN '{code}' THEN {bit}" for code, bit in BITS.items())
    schema_editor.execute(
        "UPDATE members_member SET category_bits = s.bits FROM "
        f"(SELECT member_id, SUM(CASE code {bits} ELSE 0 END) AS bits FROM members_membercategory GROUP BY member_id) AS s "
        "WHERE members_member.id = s.member_id"
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0008_index_diet")]

    operations = [
        migrations.AddField(model_name="member", name="category_bits", field=models.PositiveIntegerField(default=0, editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
