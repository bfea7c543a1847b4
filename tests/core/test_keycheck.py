"""Issue 12 item 8: the application refuses to start on keys that do not belong to the
database (a backup restored without its keys), instead of failing silently."""

import importlib
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from apps.core import crypto, keycheck
from apps.core.models import KeyFingerprint
from apps.members.models import Member
from tests.factories import make_member

TEST_KEY = "j56K1TKIMdUsa5U16k6F339-6VoG80w_JgHgxMqxIf0="


def _stored():
    return {kind: set(fps) for kind, fps in keycheck.stored().items()}


def test_a_fresh_database_records_the_configured_keys_not_the_keys(db, settings):
    stored = _stored()
    assert stored[keycheck.FIELD] == {crypto.key_fingerprint(TEST_KEY)}
    assert stored[keycheck.BLIND_INDEX] == {crypto.key_fingerprint(settings.BLIND_INDEX_KEY)}
    values = list(KeyFingerprint.objects.values_list("fingerprint", flat=True))
    assert TEST_KEY not in values and settings.BLIND_INDEX_KEY not in values
    assert keycheck.problems() == []
    assert keycheck.check_keys(databases=["default"]) == []


def test_new_field_key_is_refused_in_chinese_and_english(tree, settings):
    make_member(tree["branches"][0][0])
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    errors = keycheck.check_keys(databases=["default"])
    assert [e.id for e in errors] == ["core.E010"]
    message = errors[0].msg
    assert "加密密钥与数据库不匹配" in message and "do not match the database" in message
    assert crypto.key_fingerprint(TEST_KEY)[:12] in message
    assert "docs/deployment.md" in message
    with pytest.raises(ImproperlyConfigured, match="无法解密"):
        keycheck.verify_or_refuse()


def test_wrong_blind_index_key_is_refused(tree, settings):
    make_member(tree["branches"][0][0])
    settings.BLIND_INDEX_KEY = "another-blind-index-key"
    errors = keycheck.check_keys(databases=["default"])
    assert [e.id for e in errors] == ["core.E011"]
    assert "盲索引密钥与数据库不匹配" in errors[0].msg and "rotate_field_keys --rehash" in errors[0].msg


def test_even_an_empty_database_with_recorded_keys_refuses_other_keys(db, settings):
    settings.BLIND_INDEX_KEY = "another-blind-index-key"
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert {e.id for e in keycheck.check_keys(databases=["default"])} == {"core.E010", "core.E011"}


@pytest.mark.parametrize("which", ["field", "blind"])
def test_data_without_fingerprints_is_still_checked_by_decrypting_it(tree, settings, which):
    """An upgraded database or an old backup has rows but no fingerprints yet."""
    make_member(tree["branches"][0][0])
    KeyFingerprint.objects.all().delete()
    if which == "field":
        settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    else:
        settings.BLIND_INDEX_KEY = "another-blind-index-key"
    errors = keycheck.check_keys(databases=["default"])
    assert [e.id for e in errors] == (["core.E010"] if which == "field" else ["core.E011"])
    with pytest.raises(ImproperlyConfigured):
        keycheck.verify_or_refuse()
    assert not KeyFingerprint.objects.exists()  # wrong keys are never recorded


def test_correct_keys_are_recorded_at_start_up_when_missing(tree):
    make_member(tree["branches"][0][0])
    KeyFingerprint.objects.all().delete()
    keycheck.verify_or_refuse()
    assert _stored()[keycheck.FIELD] == {crypto.key_fingerprint(TEST_KEY)}


def test_migrate_and_check_refuse_wrong_keys(tree, settings):
    make_member(tree["branches"][0][0])
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SystemCheckError, match=r"core\.E010"):
        call_command("check", "--database", "default", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(SystemCheckError, match=r"core\.E010"):
        call_command("migrate", skip_checks=False, stdout=StringIO(), stderr=StringIO())
    # Checks without a database (makemigrations, `check --deploy`) do not touch it.
    call_command("check", stdout=StringIO())


def test_runserver_and_gunicorn_refuse_through_the_wsgi_module(tree, settings):
    import dangjian.wsgi

    make_member(tree["branches"][0][0])
    importlib.reload(dangjian.wsgi)  # the right keys: starts
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="DANGJIAN_FIELD_KEYS"):
        importlib.reload(dangjian.wsgi)


def test_key_rotation_keeps_starting_and_ends_needing_only_the_new_key(tree, settings):
    member = make_member(tree["branches"][0][0])
    number = member.reveal_id_number()
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert keycheck.problems()  # the old key removed too early
    settings.FIELD_ENCRYPTION_KEYS = [new_key, TEST_KEY]  # step 1 of docs/security.md
    keycheck.verify_or_refuse()
    assert _stored()[keycheck.FIELD] == {crypto.key_fingerprint(TEST_KEY), crypto.key_fingerprint(new_key)}
    call_command("rotate_field_keys", stdout=StringIO())  # step 2
    assert _stored()[keycheck.FIELD] == {crypto.key_fingerprint(new_key)}
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # step 3
    assert keycheck.problems() == []
    assert Member.objects.get(pk=member.pk).reveal_id_number() == number


def test_interrupted_or_dry_run_rotation_keeps_needing_the_old_key(tree, settings):
    make_member(tree["branches"][0][0])
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, TEST_KEY]
    keycheck.verify_or_refuse()
    call_command("rotate_field_keys", "--dry-run", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert keycheck.problems()


def test_rotation_covers_development_files_too(tree, settings):
    from tests.recruitment.helpers import new_file

    file = new_file(tree["branches"][0][0])
    number = file.reveal_id_number()
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, TEST_KEY]
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "发展档案" in out.getvalue() or "已重新加密 1 条" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    file.refresh_from_db()
    assert Fernet(new_key.encode()).decrypt(file.id_number_enc.encode()).decode() == number


def test_blind_index_change_with_rehash(tree, settings):
    member = make_member(tree["branches"][0][0])
    settings.BLIND_INDEX_KEY = "a-new-blind-index-key"
    assert [code for code, _ in keycheck._problems("default")] == ["core.E011"]
    call_command("rotate_field_keys", "--rehash", stdout=StringIO())
    assert keycheck.problems() == []
    assert Member.objects.by_id_number(member.reveal_id_number()).exists()
