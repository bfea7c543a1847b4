"""Re-encrypt personal data with the first key of DANGJIAN_FIELD_KEYS (docs/security.md).

    1. put the new key first:  DANGJIAN_FIELD_KEYS=<new>,<old>
    2. manage.py rotate_field_keys
    3. remove the old key:     DANGJIAN_FIELD_KEYS=<new>

--rehash recomputes the blind indexes (身份证号/phone hashes) with the current
DANGJIAN_BLIND_INDEX_KEY from the decrypted values: run it after changing that key.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core import crypto
from apps.core.context import acting_as


class Command(BaseCommand):
    help = "用第一个加密密钥重新加密党员身份证号与联系电话（分批、每批一个事务）；--rehash 同时重算盲索引"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--rehash", action="store_true", help="用当前 DANGJIAN_BLIND_INDEX_KEY 重算身份证号/电话的盲索引")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args, batch_size, rehash, dry_run, **opts):
        from apps.members.models import Member

        batch_size = max(1, batch_size)
        last_id = 0
        done = 0
        with acting_as(None, source="cli"):
            while True:
                ids = list(Member.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
                if not ids:
                    break
                last_id = ids[-1]
                if dry_run:
                    done += len(ids)
                    continue
                with transaction.atomic():
                    rows = (
                        Member.objects.select_for_update()
                        .filter(pk__in=ids)
                        .only("pk", "id_number_enc", "id_number_hash", "phone_enc", "phone_hash")
                    )
                    changed = []
                    for m in rows:
                        m.id_number_enc = crypto.rotate(m.id_number_enc)
                        m.phone_enc = crypto.rotate(m.phone_enc)
                        if rehash:
                            m.id_number_hash = crypto.blind_index(crypto.decrypt(m.id_number_enc))
                            m.phone_hash = crypto.blind_index(crypto.decrypt(m.phone_enc))
                        changed.append(m)
                    fields = ["id_number_enc", "phone_enc"] + (["id_number_hash", "phone_hash"] if rehash else [])
                    Member.objects.bulk_update(changed, fields, batch_size=batch_size)
                done += len(ids)
                self.stdout.write(f"已处理 {done} 条")
        verb = "将处理" if dry_run else "已重新加密"
        self.stdout.write(self.style.SUCCESS(f"{verb} {done} 名党员的个人信息{'（含盲索引重算）' if rehash and not dry_run else ''}"))
