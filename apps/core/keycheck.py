"""Do the configured keys belong to this database? (docs/security.md, docs/deployment.md)

A database restored without its keys, or started with a newly generated key file, looks
healthy until someone reveals an ID number (no row decrypts) or adds a member whose ID
number is already on the roll (a wrong blind-index key finds no duplicate). So:

- the database records the fingerprint (crypto.key_fingerprint, never the key) of every
  field key that encrypted its rows and of the blind-index key (core.KeyFingerprint);
- a few encrypted rows of every registered model (crypto.register_encrypted) are
  decrypted and their blind index recomputed, which also catches a database that has
  data but no fingerprints yet (an upgrade, an old backup);
- migrate (a system check), runserver and gunicorn (dangjian/wsgi.py) refuse to start
  with a message in Chinese and English when either disagrees.

A fresh database records the configured keys after migrate (post_migrate), so the test
suite's fixed keys need nothing special.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

from . import crypto

FIELD = "field"
BLIND_INDEX = "blind_index"
SAMPLE_ROWS = 3  # encrypted values tried per column at start-up

HELP = (
    "请配置属于该数据库的密钥（恢复备份时须同时恢复备份时使用的 DANGJIAN_FIELD_KEYS 与 "
    "DANGJIAN_BLIND_INDEX_KEY，开发环境为 var/dev-keys.json），见 docs/deployment.md《恢复备份》。"
    " / Configure the keys that belong to this database (a restored backup needs the "
    "DANGJIAN_FIELD_KEYS and DANGJIAN_BLIND_INDEX_KEY it was made with; on a development "
    "machine var/dev-keys.json): see docs/deployment.md, 'Restoring a backup'."
)


def short(fp: str) -> str:
    return fp[:12]


def configured() -> dict[str, list[str]]:
    """Fingerprints of the configured keys; the first field key is the one that encrypts."""
    return {
        FIELD: [crypto.key_fingerprint(k) for k in settings.FIELD_ENCRYPTION_KEYS],
        BLIND_INDEX: [crypto.key_fingerprint(settings.BLIND_INDEX_KEY)],
    }


def _tables(using: str) -> set[str]:
    with connections[using].cursor() as cursor:
        return set(connections[using].introspection.table_names(cursor))


def _model():
    from .models import KeyFingerprint

    return KeyFingerprint


def stored(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The fingerprints recorded in the database ({} lists before the table exists)."""
    out: dict[str, list[str]] = {FIELD: [], BLIND_INDEX: []}
    model = _model()
    if model._meta.db_table not in _tables(using):
        return out
    for kind, fp in model.objects.using(using).order_by("recorded_at", "id").values_list("kind", "fingerprint"):
        out.setdefault(kind, []).append(fp)
    return out


def _field_message(missing: list[str]) -> str:
    fps = "、".join(short(fp) for fp in missing) or "?"
    return (
        f"加密密钥与数据库不匹配：数据库中的身份证号和电话是用指纹为 {fps} 的字段加密密钥加密的，"
        "而 DANGJIAN_FIELD_KEYS 中没有这把密钥，任何身份证号都无法解密。"
        f" / The field encryption keys do not match the database: its ID and phone numbers were "
        f"encrypted with the key whose fingerprint is {fps}, which is not in DANGJIAN_FIELD_KEYS, "
        "so no ID number can be decrypted. " + HELP
    )


def _blind_message(expected: list[str]) -> str:
    fps = "、".join(short(fp) for fp in expected) or "?"
    return (
        f"盲索引密钥与数据库不匹配：数据库的身份证号索引是用指纹为 {fps} 的盲索引密钥计算的，"
        "当前 DANGJIAN_BLIND_INDEX_KEY 不同，按身份证号查找和重复身份证号检查将失效。"
        "若是有意更换盲索引密钥，请先运行 manage.py rotate_field_keys --rehash（docs/security.md）。"
        f" / The blind-index key does not match the database: its ID-number index was computed with "
        f"the key whose fingerprint is {fps}; with the configured DANGJIAN_BLIND_INDEX_KEY, lookups by "
        "ID number and the duplicate-ID check would silently fail. If the key was changed on purpose, "
        "run manage.py rotate_field_keys --rehash first (docs/security.md). " + HELP
    )


def _has_columns(using: str, model, *fields: str) -> bool:
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        present = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
    return all(model._meta.get_field(f).column in present for f in fields)


def _probe(using: str, tables: set[str]) -> tuple[bool, bool]:
    """(field keys decrypt the sampled rows, blind index matches them)."""
    decrypts, hashes = True, True
    for entry in crypto.encrypted_columns():
        if entry.model._meta.db_table not in tables:
            continue
        for enc, hsh in entry.pairs:
            if not _has_columns(using, entry.model, enc, hsh):  # added by a migration not yet run
                continue
            rows = entry.model._base_manager.using(using).exclude(**{enc: ""}).order_by("pk").values_list(enc, hsh)[:SAMPLE_ROWS]
            for token, index in rows:
                try:
                    plain = crypto.decrypt(token)
                except ValueError:
                    decrypts = False
                    break
                if crypto.blind_index(plain) != index:
                    hashes = False
    return decrypts, hashes


def problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Messages (Chinese / English) for every way the configured keys disagree with the
    database; empty when they agree or the database holds nothing yet."""
    return [message for _code, message in _problems(using)]


def _problems(using: str) -> list[tuple[str, str]]:
    tables = _tables(using)
    conf = configured()
    have = stored(using) if _model()._meta.db_table in tables else {FIELD: [], BLIND_INDEX: []}
    out = []
    missing = [fp for fp in have[FIELD] if fp not in conf[FIELD]]
    blind_wrong = bool(have[BLIND_INDEX]) and conf[BLIND_INDEX][0] not in have[BLIND_INDEX]
    decrypts, hashes = _probe(using, tables)
    if missing or not decrypts:
        out.append(("core.E010", _field_message(missing)))
    if blind_wrong or (decrypts and not hashes):
        out.append(("core.E011", _blind_message(have[BLIND_INDEX])))
    return out


def record(using: str = DEFAULT_DB_ALIAS) -> None:
    """Record the encrypting field key and, if none is recorded, the blind-index key.
    Call only when problems() is empty."""
    model = _model()
    conf = configured()
    have = stored(using)
    rows = []
    if conf[FIELD][0] not in have[FIELD]:
        rows.append(model(kind=FIELD, fingerprint=conf[FIELD][0]))
    if not have[BLIND_INDEX]:
        rows.append(model(kind=BLIND_INDEX, fingerprint=conf[BLIND_INDEX][0]))
    if rows:
        model.objects.using(using).bulk_create(rows, ignore_conflicts=True)


def rotated(*, rehashed: bool, using: str = DEFAULT_DB_ALIAS) -> None:
    """After rotate_field_keys re-encrypted every row with the first key, only that key
    is needed; after --rehash every index uses the configured blind-index key."""
    model = _model()
    conf = configured()
    model.objects.using(using).filter(kind=FIELD).exclude(fingerprint=conf[FIELD][0]).delete()
    if rehashed:
        model.objects.using(using).filter(kind=BLIND_INDEX).delete()
    record(using)


def verify_or_refuse(using: str = DEFAULT_DB_ALIAS) -> None:
    """At start-up (dangjian/wsgi.py: runserver, gunicorn): refuse to serve a database
    whose personal data the configured keys cannot read; otherwise record the keys."""
    found = problems(using)
    if found:
        raise ImproperlyConfigured("\n".join(found))
    if _model()._meta.db_table in _tables(using):
        record(using)


@checks.register(checks.Tags.database)
def check_keys(app_configs=None, databases=None, **kwargs):
    """core.E010/E011 (migrate, `check --database default`): the configured keys must
    be the database's."""
    if not databases or DEFAULT_DB_ALIAS not in databases:
        return []
    return [checks.Error(message, id=code) for code, message in _problems(DEFAULT_DB_ALIAS)]


def record_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate: a fresh database records the configured keys (a database whose
    keys disagree is left alone: migrate's system check has already said why)."""
    if not problems(using):
        record(using)
