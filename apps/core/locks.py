"""Serialising writes that must not interleave (tree moves, counters)."""

import zlib

from django.db import connection


def advisory_lock(name: str) -> None:
    """Take a transaction-scoped lock. PostgreSQL: pg_advisory_xact_lock; SQLite: the
    IMMEDIATE transaction mode already serialises writers. Call inside atomic()."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
