"""manage.py restore IN — restore a `manage.py backup` archive into an empty database,
refusing an archive whose key fingerprints are not those of the configured keys
(apps.core.backup; procedure in docs/deployment.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from apps.core import backup


class Command(BaseCommand):
    help = "把 manage.py backup 生成的备份恢复到一个空数据库；密钥指纹与当前配置不符时拒绝恢复"
    # The target is empty until this command fills it: nothing to check before.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="manage.py backup 生成的备份文件")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, archive, database, **opts):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"找不到备份文件 / no such file: {path}")
        try:
            metadata = backup.restore(path, using=database)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(metadata["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {metadata['created_at']} 的备份：{len(metadata['tables'])} 张表、{rows} 行与备份一致，当前密钥可以解密数据。"
                "下一步：manage.py migrate（升级到当前版本），再启动应用。"
            )
        )
