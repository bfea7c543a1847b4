"""Re-encrypt personal data with the first key of DANGJIAN_FIELD_KEYS (docs/security.md).

    1. put the new key first:  DANGJIAN_FIELD_KEYS=<new>,<old>
    2. manage.py rotate_field_keys
    3. remove the old key:     DANGJIAN_FIELD_KEYS=<new>

Every model that declares ENCRYPTED_FIELDS ({ciphertext field: blind-index field}) is
re-encrypted — the member registry and the development files alike; no list of tables
is kept here. --rehash recomputes the blind indexes with the current
DANGJIAN_BLIND_INDEX_KEY from the decrypted values: run it after changing that key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core import crypto
from apps.core.actors import system_actor
from apps.core.context import acting_as


def encrypted_models() -> list[tuple[type, dict]]:
    return [(m, m.ENCRYPTED_FIELDS) for m in apps.get_models() if getattr(m, "ENCRYPTED_FIELDS", None)]


class Command(BaseCommand):
    help = "用第一个加密密钥重新加密身份证号与联系电话（所有声明了加密字段的表；分批、每批一个事务）；--rehash 同时重算盲索引"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--rehash", action="store_true", help="用当前 DANGJIAN_BLIND_INDEX_KEY 重算身份证号/电话的盲索引")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args, batch_size, rehash, dry_run, **opts):
        batch_size = max(1, batch_size)
        verb = "将处理" if dry_run else "已重新加密"
        with acting_as(system_actor("cli"), source="cli"):
            for model, fields in encrypted_models():
                done = self.rotate(model, fields, batch_size=batch_size, rehash=rehash, dry_run=dry_run)
                label = model._meta.verbose_name
                self.stdout.write(self.style.SUCCESS(f"{label}：{verb} {done} 条{'（含盲索引重算）' if rehash and not dry_run else ''}"))

    def rotate(self, model, fields: dict, *, batch_size: int, rehash: bool, dry_run: bool) -> int:
        last_id = 0
        done = 0
        columns = list(fields) + (list(fields.values()) if rehash else [])
        while True:
            ids = list(model._base_manager.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return done
            last_id = ids[-1]
            if not dry_run:
                with transaction.atomic():
                    changed = []
                    for obj in model._base_manager.select_for_update().filter(pk__in=ids).only("pk", *fields, *fields.values()):
                        for enc, index in fields.items():
                            setattr(obj, enc, crypto.rotate(getattr(obj, enc)))
                            if rehash:
                                setattr(obj, index, crypto.blind_index(crypto.decrypt(getattr(obj, enc))))
                        changed.append(obj)
                    model._base_manager.bulk_update(changed, columns, batch_size=batch_size)
            done += len(ids)
            self.stdout.write(f"{model._meta.verbose_name}：已处理 {done} 条")
