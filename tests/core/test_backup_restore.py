"""Issue 12 item 8: the restore procedure of docs/deployment.md, tested.

backup → restore into a fresh database → migrate → start: the member count and a
checksum of the decrypted ID numbers match, and an archive whose key fingerprints are
not those of the configured keys is refused. SQLite always; PostgreSQL when the suite
runs on it (pg_dump / pg_restore installed)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from apps.core import backup, crypto
from apps.members.models import Member
from tests.factories import make_member, make_tree
from tests.recruitment.helpers import new_file

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = "j56K1TKIMdUsa5U16k6F339-6VoG80w_JgHgxMqxIf0="
TEST_BLIND = "test-blind-index-key"

SUMMARY = (
    "import hashlib, json; from apps.members.models import Member; from apps.recruitment.models import DevelopmentFile; "
    "ids = sorted(m.reveal_id_number() for m in Member.objects.all()); "
    "print(json.dumps({'members': len(ids), 'files': DevelopmentFile.objects.count(), "
    "'checksum': hashlib.sha256('\\n'.join(ids).encode()).hexdigest()}))"
)


def _summary():
    ids = sorted(m.reveal_id_number() for m in Member.objects.all())
    from apps.recruitment.models import DevelopmentFile

    return {"members": len(ids), "files": DevelopmentFile.objects.count(), "checksum": hashlib.sha256("\n".join(ids).encode()).hexdigest()}


def _env(database_url, tmp_path, settings_module="dangjian.settings.test", **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DANGJIAN_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, DATABASE_URL=database_url, DANGJIAN_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def _manage(env, *args, check=True):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _county():
    tree = make_tree()
    for i, branch in enumerate([b for group in tree["branches"] for b in group]):
        for _ in range(3 + i):
            make_member(branch)
    new_file(tree["branches"][0][0])
    return tree


def _restore_and_compare(archive, database_url, tmp_path, expected):
    env = _env(database_url, tmp_path)
    restored = _manage(env, "restore", str(archive))
    assert "与备份一致" in restored.stdout
    _manage(env, "migrate", "--noinput")  # the next step of docs/deployment.md
    _manage(env, "check", "--database", "default")
    got = json.loads(_manage(env, "shell", "-c", SUMMARY).stdout.strip().splitlines()[-1])
    assert got == expected
    # The application starts on the restored database (runserver and gunicorn load
    # dangjian.wsgi) with the keys of the backup, and refuses other keys.
    keys = {"DJANGO_SECRET_KEY": "x" * 50, "DANGJIAN_BLIND_INDEX_KEY": TEST_BLIND}
    ok = subprocess.run(
        [sys.executable, "-c", "import dangjian.wsgi"],
        cwd=ROOT,
        env=_env(database_url, tmp_path, "dangjian.settings.dev", DANGJIAN_FIELD_KEYS=TEST_KEY, **keys),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    wrong = subprocess.run(
        [sys.executable, "-c", "import dangjian.wsgi"],
        cwd=ROOT,
        env=_env(database_url, tmp_path, "dangjian.settings.dev", DANGJIAN_FIELD_KEYS=Fernet.generate_key().decode(), **keys),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode != 0
    assert "加密密钥与数据库不匹配" in wrong.stderr and "do not match the database" in wrong.stderr


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restore_round_trip(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite procedure; the PostgreSQL one is below")
    _county()
    expected = _summary()
    archive = tmp_path / "backup.tar"
    out = StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "已备份" in out.getvalue()
    metadata = backup.read_metadata(archive)
    assert metadata["engine"] == "sqlite"
    assert metadata["key_fingerprints"]["field"] == [crypto.key_fingerprint(TEST_KEY)]
    assert metadata["tables"][Member._meta.db_table] == expected["members"]
    with tarfile.open(archive) as tar:
        text = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    assert TEST_KEY.encode() not in text and TEST_BLIND.encode() not in text  # fingerprints, never keys
    _restore_and_compare(archive, f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path, expected)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restore_round_trip(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore not installed")
    _county()
    expected = _summary()
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive), stdout=StringIO())
    metadata = backup.read_metadata(archive)
    assert metadata["engine"] == "postgresql"
    assert metadata["tables"][Member._meta.db_table] == expected["members"]
    s = connection.settings_dict
    name = f"{s['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        url = f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"
        _restore_and_compare(archive, url, tmp_path, expected)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def archive(transactional_db, tmp_path):
    _county()
    path = tmp_path / "backup.tar"
    call_command("backup", str(path), stdout=StringIO())
    return path


@pytest.mark.parametrize("which", ["field", "blind"])
def test_restore_refuses_an_archive_made_with_other_keys(archive, settings, which):
    before = Member.objects.count()
    try:
        if which == "field":
            settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
            fragment = "DANGJIAN_FIELD_KEYS"
        else:
            settings.BLIND_INDEX_KEY = "another-blind-index-key"
            fragment = "DANGJIAN_BLIND_INDEX_KEY"
        with pytest.raises(CommandError, match="拒绝恢复") as exc:
            call_command("restore", str(archive))
        assert fragment in str(exc.value) and "wrong keys" in str(exc.value)
        assert Member.objects.count() == before
    finally:
        # The flush after a transactional test records the keys configured then
        # (post_migrate), and the settings fixture is undone only after it.
        settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY = [TEST_KEY], TEST_BLIND


def test_restore_refuses_a_database_that_is_not_empty(archive):
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(archive))


def test_restore_refuses_what_is_not_a_backup(db, tmp_path):
    bogus = tmp_path / "bogus.tar"
    bogus.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        call_command("restore", str(bogus))
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar"))


def test_backup_refuses_keys_that_cannot_read_the_data(tree, settings, tmp_path):
    make_member(tree["branches"][0][0])
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="拒绝备份"):
        call_command("backup", str(tmp_path / "b.tar"))
    assert not (tmp_path / "b.tar").exists()
