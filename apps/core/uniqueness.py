"""Uniqueness rules held by the database, answered in Chinese.

A service checks a uniqueness rule first (a clear message for the usual, sequential
case) and the database holds it for the concurrent case (a `UniqueConstraint`, partial
where needed). When two requests race, the loser's INSERT/UPDATE raises IntegrityError;
wrap the write in `unique_messages` so the loser gets the same ValidationError as the
sequential check, never a 500. The write runs in a savepoint, so the caller's
transaction survives and nothing of the failed write is kept:

    with unique_messages(DevelopmentFile, {"devfile_one_active_per_person": ("id_number", "该身份证号已有进行中的发展档案")}):
        file.save()

Keys are constraint names (`UniqueConstraint(name=...)`) or field names of `unique=True`
fields. The violated rule is found from the error: PostgreSQL names the constraint
(and lists its columns); SQLite lists the columns ("UNIQUE constraint failed: t.a, t.b").
An IntegrityError that matches none of the given rules is raised unchanged.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

_SQLITE = re.compile(r"UNIQUE constraint failed: (.+)$")
_PG_DETAIL = re.compile(r"Key \((.+?)\)=")


def _columns_of(model, key: str) -> frozenset[str] | None:
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.name == key and constraint.fields:
            return frozenset(model._meta.get_field(f).column for f in constraint.fields)
    try:
        field = model._meta.get_field(key)
    except Exception:
        return None
    return frozenset([field.column]) if getattr(field, "unique", False) else None


def violated(exc: IntegrityError) -> tuple[str | None, frozenset[str]]:
    """(constraint name if the database gives it, columns of the violated unique rule)."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None)
    text = str(cause or exc)
    columns: frozenset[str] = frozenset()
    m = _SQLITE.search(text.splitlines()[0] if text else "")
    if m:
        columns = frozenset(part.strip().split(".")[-1] for part in m.group(1).split(","))
    else:
        m = _PG_DETAIL.search(text)
        if m:
            columns = frozenset(part.strip().strip('"') for part in m.group(1).split(","))
    return name, columns


def match(model, rules: dict[str, tuple[str, str]], exc: IntegrityError) -> tuple[str, str] | None:
    """The (field, message) of the rule the error violated, or None."""
    name, columns = violated(exc)
    if name and name in rules:
        return rules[name]
    for key, answer in rules.items():
        wanted = _columns_of(model, key)
        if wanted is None:
            continue
        if name and name == key:
            return answer
        if columns and columns == wanted:
            return answer
    return None


@contextmanager
def unique_messages(model, rules: dict[str, tuple[str, str]]):
    """Run the block in a savepoint; an IntegrityError from one of `rules` (constraint or
    unique field name → (form field, Chinese message)) becomes ValidationError."""
    for key in rules:
        if _columns_of(model, key) is None:  # a typo would silently never match
            raise LookupError(f"{model._meta.label} has no unique constraint or unique field “{key}”")
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        answer = match(model, rules, exc)
        if answer is None:
            raise
        field, message = answer
        raise ValidationError({field: [message]}) from exc
