"""manage.py backup OUT — one archive with the database and the fingerprints of its keys
(apps.core.backup; restore procedure in docs/deployment.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from apps.core import backup


class Command(BaseCommand):
    help = "备份数据库（SQLite：在线备份；PostgreSQL：pg_dump 自定义格式），并在备份中记录所需密钥的指纹"

    def add_arguments(self, parser):
        parser.add_argument("out", help="备份文件路径，例如 /srv/backup/dangjian-2026-12-03.tar")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, out, database, **opts):
        try:
            metadata = backup.make_backup(Path(out), using=database)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(metadata["tables"].values())
        fps = ", ".join(fp[:12] for fps in metadata["key_fingerprints"].values() for fp in fps)
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {out}（{metadata['engine']}，{len(metadata['tables'])} 张表，{rows} 行；密钥指纹 {fps}）。"
                "请另行妥善保存密钥：没有密钥，备份中的身份证号和电话无法读取。"
            )
        )
