"""Encryption at rest and the blind index for personal data (身份证号, phone).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). settings.FIELD_ENCRYPTION_KEYS
lists keys: the first encrypts, every key decrypts, so a key can be rotated by putting a
new key first and running `manage.py rotate_field_keys` (docs/security.md).
Exact lookup and uniqueness use a keyed HMAC-SHA256 of the normalised value.

Domain apps register their encrypted columns (register_encrypted, in AppConfig.ready) so
that key rotation and the start-up key check (apps.core.keycheck) cover every one of them
without core importing a domain app.
"""

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    if not value:
        return ""
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # pragma: no cover - a wrong key is an operator error
        raise ValueError("无法解密：加密密钥与数据不匹配（请检查 DANGJIAN_FIELD_KEYS）") from exc


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode() if token else ""


@lru_cache(maxsize=4)
def _blind_hmac(key: str):
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def blind_index(value: str) -> str:
    if not value:
        return ""
    # A copy of the keyed HMAC state: the key's pads are hashed once, not per value.
    h = _blind_hmac(settings.BLIND_INDEX_KEY).copy()
    h.update(value.encode())
    return h.hexdigest()


def key_fingerprint(key: str) -> str:
    """A fingerprint that identifies a key without revealing it: HMAC-SHA256 keyed with
    the key over a fixed label. Stored in the database and in backups (apps.core.keycheck)."""
    return hmac.new(key.encode(), b"dangjian:key-fingerprint:v1", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class EncryptedColumns:
    """A model's encrypted personal-data columns: (ciphertext field, blind-index field)."""

    model: type
    pairs: tuple[tuple[str, str], ...]


_ENCRYPTED: dict[str, EncryptedColumns] = {}


def register_encrypted(model, *pairs: tuple[str, str]) -> None:
    _ENCRYPTED[model._meta.label] = EncryptedColumns(model, tuple(pairs))


def encrypted_columns() -> list[EncryptedColumns]:
    return list(_ENCRYPTED.values())


def mask_id_number(value: str) -> str:
    """110105********002X: area code and the last four characters stay visible."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * (len(value) - 2)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep the area code and last four digits."""
    if not value:
        return ""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)
