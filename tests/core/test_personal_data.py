from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from apps.core import crypto
from apps.core.actors import system_actor
from apps.core.audit import history_for
from apps.core.context import acting_as
from apps.core.models import AccessLog, ChangeLog
from apps.members import services as member_services
from apps.members.models import Member
from tests.factories import make_member, make_user

OLD_KEY = "j56K1TKIMdUsa5U16k6F339-6VoG80w_JgHgxMqxIf0="


def _raw(member_id):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number_enc, phone_enc, id_number_masked, phone_masked FROM {Member._meta.db_table} WHERE id = %s", [member_id]
        )
        return cursor.fetchone()


def test_masking_rules():
    assert crypto.mask_id_number("11010519491231002X") == "110105********002X"
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_phone("0591-1234567") == "059*****4567"
    assert crypto.mask_id_number("") == "" and crypto.mask_phone("") == ""


def test_encrypted_columns_do_not_hold_plain_values(tree):
    m = make_member(tree["branches"][0][0], phone="13912345678")
    number = m.reveal_id_number()
    id_enc, phone_enc, id_masked, phone_masked = _raw(m.pk)
    assert number not in id_enc and number[6:14] not in id_enc
    assert "13912345678" not in phone_enc
    assert id_masked == crypto.mask_id_number(number) and "*" in id_masked
    assert phone_masked == "139****5678"
    assert crypto.decrypt(id_enc) == number


def test_blind_index_lookup(tree):
    m = make_member(tree["branches"][0][0])
    number = m.reveal_id_number()
    assert Member.objects.by_id_number(number).get() == m
    assert m.id_number_hash == crypto.blind_index(number) and number not in m.id_number_hash
    assert not Member.objects.by_id_number(number[:-1] + ("0" if number[-1] != "0" else "1")).exists()


def test_history_masks_personal_data(tree):
    m = make_member(tree["branches"][0][0], phone="13912345678")
    member_services.update_member(m, {"phone": "13700001111", "address": "幸福路1号"}, actor=system_actor("cli"))
    entries = list(history_for(m))
    create = next(e for e in entries if e.action == "create")
    update = next(e for e in entries if e.action == "update")
    for e in entries:
        text = str(e.before) + str(e.after)
        assert "13912345678" not in text and "13700001111" not in text and m.reveal_id_number() not in text
        assert "id_number_enc" not in text and "phone_hash" not in text
    assert create.before is None and create.after["name"] == m.name
    assert update.before["phone_masked"] == "139****5678" and update.after["phone_masked"] == "137****1111"
    assert update.before["address"] == "" and update.after["address"] == "幸福路1号"


def test_audit_entries_for_create_update_delete(tree):
    from apps.orgs import services as org_services

    admin = make_user("county_admin", tree["county"])
    with acting_as(admin, ip="10.2.3.4", source="web", request_id="rid-1"):
        org = org_services.create_organisation(
            {"name": "审计测试党支部", "code": "AUD001", "org_type": "branch", "unit_type": "other"},
            parent=tree["committees"][0],
            actor=system_actor("cli"),
        )
        org_services.update_organisation(org, {"name": "审计测试第二党支部"}, actor=system_actor("cli"))
        org_services.dissolve_organisation(org, actor=system_actor("cli"))
    entries = list(ChangeLog.objects.filter(object_type="orgs.organisation", object_id=str(org.pk)).order_by("id"))
    assert [e.action for e in entries][:2] == ["create", "update"]
    create, update = entries[0], entries[1]
    assert create.after["name"] == "审计测试党支部" and create.before is None
    assert update.before["name"] == "审计测试党支部" and update.after["name"] == "审计测试第二党支部"
    assert all(e.username == admin.username and e.ip == "10.2.3.4" and e.request_id == "rid-1" for e in entries)
    assert entries[-1].org_path == org.path
    assert [(f, b, a) for f, b, a in update.changed_fields if f == "name"] == [("name", "审计测试党支部", "审计测试第二党支部")]


def test_delete_entry_keeps_before(tree):
    from apps.core.audit import record_change, snapshot

    m = make_member(tree["branches"][0][0])
    before = snapshot(m)
    entry = record_change(m, ChangeLog.Action.DELETE, before=before)
    assert entry.after is None and entry.before["name"] == m.name
    assert [f for f, b, a in entry.changed_fields if f == "name"] == ["name"]


def test_reveal_and_export_records(tree):
    user = make_user("branch_secretary", tree["branches"][0][0])
    m = make_member(tree["branches"][0][0])
    with acting_as(user, ip="10.9.9.9", source="web"):
        AccessLog.record(AccessLog.Kind.REVEAL_ID, target=str(m), org_path=m.org_path, member_id=m.pk)
        AccessLog.record(AccessLog.Kind.EXPORT_FULL, target="党员名册", org_path=m.org_path, rows=1)
    reveal = AccessLog.objects.get(kind=AccessLog.Kind.REVEAL_ID)
    assert reveal.user == user and reveal.ip == "10.9.9.9" and reveal.detail == {"member_id": m.pk}
    assert AccessLog.objects.get(kind=AccessLog.Kind.EXPORT_FULL).detail == {"rows": 1}


@pytest.fixture
def two_keys(settings):
    new_key = Fernet.generate_key().decode()
    return settings, new_key


def test_rotate_field_keys_reencrypts_with_first_key(tree, two_keys):
    settings, new_key = two_keys
    members = [make_member(tree["branches"][0][0]) for _ in range(3)]
    plain = {m.pk: (m.reveal_id_number(), m.reveal_phone()) for m in members}
    settings.FIELD_ENCRYPTION_KEYS = [new_key, OLD_KEY]
    out = StringIO()
    call_command("rotate_field_keys", "--batch-size", "2", stdout=out)
    assert "已重新加密 3 条党员记录" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key removed
    for m in Member.objects.all():
        assert (m.reveal_id_number(), m.reveal_phone()) == plain[m.pk]
        assert Fernet(new_key.encode()).decrypt(m.id_number_enc.encode()).decode() == plain[m.pk][0]


def test_rotate_field_keys_covers_every_table_with_encrypted_fields(tree, two_keys):
    """Development files hold ID numbers too: found from ENCRYPTED_FIELDS, not a list."""
    from apps.recruitment.models import DevelopmentFile
    from tests.recruitment.helpers import new_file

    settings, new_key = two_keys
    f = new_file(tree["branches"][0][0])
    plain = f.reveal_id_number()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, OLD_KEY]
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "已重新加密 1 条发展档案记录" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert DevelopmentFile.objects.get(pk=f.pk).reveal_id_number() == plain


def test_rotate_dry_run_writes_nothing(tree, two_keys):
    settings, new_key = two_keys
    m = make_member(tree["branches"][0][0])
    enc = m.id_number_enc
    settings.FIELD_ENCRYPTION_KEYS = [new_key, OLD_KEY]
    call_command("rotate_field_keys", "--dry-run", stdout=StringIO())
    m.refresh_from_db()
    assert m.id_number_enc == enc


def test_rehash_recomputes_blind_index(tree, settings):
    m = make_member(tree["branches"][0][0])
    number = m.reveal_id_number()
    settings.BLIND_INDEX_KEY = "a-new-blind-index-key"
    assert not Member.objects.by_id_number(number).exists()
    call_command("rotate_field_keys", "--rehash", stdout=StringIO())
    assert Member.objects.by_id_number(number).get() == m


def test_blind_index_is_hmac_sha256_under_the_current_key(settings):
    # blind_index reuses one keyed HMAC state per key (issue 13): the stored value must stay
    # the plain HMAC-SHA256 hex digest, and follow a change of key at once.
    import hashlib
    import hmac

    for key in ("first-blind-key", "second-blind-key", "first-blind-key"):
        settings.BLIND_INDEX_KEY = key
        for value in ("350105197001011238", "13912345678", "身份证"):
            assert crypto.blind_index(value) == hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()
    assert crypto.blind_index("") == ""
