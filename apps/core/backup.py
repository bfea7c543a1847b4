"""Backups that know their keys (manage.py backup / restore; docs/deployment.md).

A backup is one tar file holding `metadata.json` and the database:

- SQLite: `database.sqlite3`, a consistent copy made with SQLite's online backup API
  (the application may keep running);
- PostgreSQL: `database.pgdump`, `pg_dump --format=custom` of the same snapshot that the
  row counts were taken from.

metadata.json records the engine, the time, the latest migration of every app, the row
count of every table and the fingerprints (never the keys) of the keys the data needs
(apps.core.keycheck). A restore refuses an archive whose fingerprints are not those of
the configured keys, refuses a target database that is not empty, and after restoring
compares the row counts and decrypts a sample of every encrypted column.
"""

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from . import keycheck

FORMAT = "dangjian-backup"
VERSION = 1
METADATA = "metadata.json"
FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A refusal or failure, with a message for the operator (Chinese / English)."""


def engine_of(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in FILES:
        raise BackupError(f"不支持的数据库类型：{vendor} / unsupported database engine: {vendor}")
    return vendor


def _count_tables(cursor, quote, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # table names come from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    conn = connections[using]
    with conn.cursor() as cursor:
        return _count_tables(cursor, conn.ops.quote_name, conn.introspection.table_names(cursor))


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        cur = db.cursor()
        tables = [r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return _count_tables(cur, lambda t: '"' + t.replace('"', '""') + '"', tables)
    finally:
        db.close()


def _migrations(using: str) -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[using]).migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def pg_env(using: str) -> dict[str, str]:
    """libpq environment for pg_dump / pg_restore (no password on the command line)."""
    s = connections[using].settings_dict
    env = dict(os.environ)
    for var, value in (
        ("PGDATABASE", s.get("NAME")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGSSLMODE", (s.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[var] = str(value)
    return env


def _run(args: list[str], env: dict) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"找不到 {args[0]}：请安装 PostgreSQL 客户端工具 / {args[0]} not found: install the PostgreSQL client tools")
    result = subprocess.run([tool, *args[1:]], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 失败 / failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _key_fingerprints(using: str) -> dict[str, list[str]]:
    found = keycheck.problems(using)
    if found:
        raise BackupError("拒绝备份 / backup refused:\n" + "\n".join(found))
    keycheck.record(using)
    return keycheck.stored(using)


def make_backup(out: Path, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the archive to `out` (through a temporary file, renamed when complete) and
    return its metadata."""
    engine = engine_of(using)
    fingerprints = _key_fingerprints(using)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        dump = Path(tmp) / FILES[engine]
        if engine == "sqlite":
            conn = connections[using]
            conn.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                conn.connection.backup(target)
            finally:
                target.close()
            counts = _sqlite_counts(dump)
        else:
            # The counts and pg_dump read one snapshot, so the metadata describes the dump.
            with transaction.atomic(using=using), connections[using].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = table_counts(using)
                _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"], pg_env(using))
        metadata = {
            "format": FORMAT,
            "version": VERSION,
            "engine": engine,
            "created_at": timezone.now().isoformat(),
            "migrations": _migrations(using),
            "tables": counts,
            "key_fingerprints": fingerprints,
        }
        partial = Path(tmp) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(metadata, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(METADATA)
            info.size, info.mtime, info.mode = len(data), int(datetime.datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=FILES[engine])
        os.chmod(partial, 0o600)  # personal data, even if encrypted
        partial.replace(out)
    return metadata


def read_metadata(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r") as tar:
            member = tar.getmember(METADATA)
            metadata = json.loads(tar.extractfile(member).read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"不是有效的备份文件 / not a dangjian backup: {archive} ({exc})") from exc
    if metadata.get("format") != FORMAT or metadata.get("version") != VERSION:
        raise BackupError(f"不是有效的备份文件 / not a dangjian backup (format {metadata.get('format')!r} {metadata.get('version')!r})")
    return metadata


def fingerprint_mismatch(metadata: dict) -> list[str]:
    """Why the configured keys cannot read the archive's data (empty: they can)."""
    conf = keycheck.configured()
    wanted = metadata.get("key_fingerprints") or {}
    out = []
    missing = [fp for fp in wanted.get(keycheck.FIELD, []) if fp not in conf[keycheck.FIELD]]
    if missing or not wanted.get(keycheck.FIELD):
        out.append(
            "备份中的数据需要指纹为 {0} 的字段加密密钥，当前 DANGJIAN_FIELD_KEYS 中没有。"
            " / The backup's data needs the field key(s) with fingerprint {0}, which DANGJIAN_FIELD_KEYS "
            "does not contain.".format("、".join(keycheck.short(fp) for fp in missing) or "?")
        )
    blind = wanted.get(keycheck.BLIND_INDEX, [])
    if not blind or conf[keycheck.BLIND_INDEX][0] not in blind:
        out.append(
            "备份的身份证号索引使用指纹为 {0} 的盲索引密钥，与当前 DANGJIAN_BLIND_INDEX_KEY 不同。"
            " / The backup's ID index uses the blind-index key with fingerprint {0}, not the configured "
            "DANGJIAN_BLIND_INDEX_KEY.".format("、".join(keycheck.short(fp) for fp in blind) or "?")
        )
    return out


def restore(archive: Path, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Restore `archive` into the (empty) database `using`; return the metadata."""
    archive = Path(archive)
    metadata = read_metadata(archive)
    engine = engine_of(using)
    if metadata["engine"] != engine:
        raise BackupError(
            f"备份来自 {metadata['engine']}，目标数据库是 {engine}，不能直接恢复。"
            f" / The backup is of a {metadata['engine']} database; the target is {engine}."
        )
    mismatch = fingerprint_mismatch(metadata)
    if mismatch:
        raise BackupError("拒绝恢复：密钥不匹配 / restore refused: wrong keys\n" + "\n".join(mismatch) + "\n" + keycheck.HELP)
    conn = connections[using]
    with conn.cursor() as cursor:
        existing = conn.introspection.table_names(cursor)
    if existing:
        raise BackupError(
            f"拒绝恢复：目标数据库不是空库（已有 {len(existing)} 张表）。请新建一个空数据库（SQLite：移走原数据库文件）后再恢复。"
            f" / Restore refused: the target database is not empty ({len(existing)} tables). Create an empty "
            "database (SQLite: move the old file away) and restore into it."
        )
    with tempfile.TemporaryDirectory(prefix="dangjian-restore-") as tmp:
        dump = Path(tmp) / FILES[engine]
        with tarfile.open(archive, "r") as tar:
            member = tar.getmember(FILES[engine])
            with tar.extractfile(member) as src, open(dump, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        if engine == "sqlite":
            conn.ensure_connection()
            source = sqlite3.connect(dump)
            try:
                source.backup(conn.connection)
            finally:
                source.close()
        else:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={conn.settings_dict['NAME']}",
                    str(dump),
                ],
                pg_env(using),
            )
    conn.close()
    counts = table_counts(using)
    different = {t: (n, counts.get(t)) for t, n in metadata["tables"].items() if counts.get(t) != n}
    if different:
        shown = "、".join(f"{t}: {a}→{b}" for t, (a, b) in list(different.items())[:10])
        raise BackupError(f"恢复后的行数与备份不一致 / row counts differ after restore: {shown}")
    found = keycheck.problems(using)
    if found:
        raise BackupError("恢复后无法用当前密钥读取数据 / the restored data cannot be read with the configured keys:\n" + "\n".join(found))
    return metadata
