"""Re-encrypt personal data with the first key of DANGJIAN_FIELD_KEYS (docs/security.md).

    1. put the new key first:  DANGJIAN_FIELD_KEYS=<new>,<old>
    2. manage.py rotate_field_keys
    3. remove the old key:     DANGJIAN_FIELD_KEYS=<new>

Every encrypted column that an app registered (crypto.register_encrypted: members,
development files) is rotated. When the run completes, the database records that only
the first key is needed any more (apps.core.keycheck), so step 3 starts cleanly.

--rehash recomputes the blind indexes (身份证号/phone hashes) with the current
DANGJIAN_BLIND_INDEX_KEY from the decrypted values: run it after changing that key.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core import crypto, keycheck
from apps.core.actors import system_actor
from apps.core.context import acting_as


class Command(BaseCommand):
    help = "用第一个加密密钥重新加密党员与发展档案的身份证号与联系电话（分批、每批一个事务）；--rehash 同时重算盲索引"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--rehash", action="store_true", help="用当前 DANGJIAN_BLIND_INDEX_KEY 重算身份证号/电话的盲索引")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args, batch_size, rehash, dry_run, **opts):
        batch_size = max(1, batch_size)
        verb = "将处理" if dry_run else "已重新加密"
        with acting_as(system_actor("cli"), source="cli"):
            for entry in crypto.encrypted_columns():
                done = self.rotate_model(entry, batch_size=batch_size, rehash=rehash, dry_run=dry_run)
                label = entry.model._meta.verbose_name
                self.stdout.write(
                    self.style.SUCCESS(f"{verb} {done} 条{label}记录的个人信息{'（含盲索引重算）' if rehash and not dry_run else ''}")
                )
            if not dry_run:
                keycheck.rotated(rehashed=rehash)

    def rotate_model(self, entry, *, batch_size, rehash, dry_run) -> int:
        model = entry.model
        encrypted = [enc for enc, _ in entry.pairs]
        hashes = [h for _, h in entry.pairs]
        last_id = 0
        done = 0
        while True:
            ids = list(model._base_manager.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return done
            last_id = ids[-1]
            if not dry_run:
                with transaction.atomic():
                    rows = model._base_manager.select_for_update().filter(pk__in=ids).only("pk", *encrypted, *hashes)
                    changed = []
                    for row in rows:
                        for enc, hsh in entry.pairs:
                            setattr(row, enc, crypto.rotate(getattr(row, enc)))
                            if rehash:
                                setattr(row, hsh, crypto.blind_index(crypto.decrypt(getattr(row, enc))))
                        changed.append(row)
                    model._base_manager.bulk_update(changed, encrypted + (hashes if rehash else []), batch_size=batch_size)
            done += len(ids)
            self.stdout.write(f"{model._meta.verbose_name}：已处理 {done} 条")
