"""PostgreSQL only: finer statistics on the two name search keys, so that the planner
estimates a prefix search ("bb%") near its real size. With the default statistics target
(100) it estimated 8,433 rows for 223 at 1M members and planned two parallel workers
whose start-up cost 7 of the query's 8 ms; with 1,000 it estimates 471 and runs in 2 ms
without workers (docs/performance.md, "Pinyin search"). SQLite: nothing."""

from django.db import migrations

COLUMNS = ("name_initials", "name_pinyin")


def _set(target):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in COLUMNS:
            schema_editor.execute(f"ALTER TABLE members_member ALTER COLUMN {column} SET STATISTICS {target}")
        if target > 0:
            schema_editor.execute(f"ANALYZE members_member ({', '.join(COLUMNS)})")

    return run


class Migration(migrations.Migration):
    dependencies = [("members", "0010_byte_order_paths")]

    operations = [migrations.RunPython(_set(1000), _set(-1), elidable=False)]
