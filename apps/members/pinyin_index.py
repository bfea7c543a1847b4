"""Recompute the stored pinyin keys of members' names (apps.core.pinyin.name_keys):
after the surname table changed, from the data migration and `manage.py reindex_pinyin`."""

from apps.core.pinyin import name_keys

KEY_FIELDS = ("name_pinyin", "name_initials", "name_pinyin_alt", "name_initials_alt")


def reindex(model, *, batch_size: int = 2000, dry_run: bool = False, progress=None) -> tuple[int, int]:
    """Walk the members in primary-key batches; write only rows whose keys change.
    Returns (rows checked, rows changed). `model` is Member or a migration's historical
    model."""
    checked = changed = 0
    last = 0
    while True:
        rows = list(model._base_manager.filter(pk__gt=last).order_by("pk").only("pk", "name", *KEY_FIELDS)[:batch_size])
        if not rows:
            return checked, changed
        last = rows[-1].pk
        stale = []
        for row in rows:
            keys = tuple(name_keys(row.name))
            if tuple(getattr(row, f) for f in KEY_FIELDS) != keys:
                for field, value in zip(KEY_FIELDS, keys, strict=True):
                    setattr(row, field, value)
                stale.append(row)
        if stale and not dry_run:
            model._base_manager.bulk_update(stale, KEY_FIELDS, batch_size=batch_size)
        checked += len(rows)
        changed += len(stale)
        if progress:
            progress(checked, changed)
