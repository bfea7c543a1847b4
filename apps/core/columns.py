"""Small column helpers for list exports (apps/<app>/exports.py)."""


def date(value, fmt="%Y-%m-%d"):
    return value.strftime(fmt) if value else ""


def month(value):
    return date(value, "%Y-%m")


def display(field):
    """The Chinese label of a choice field: display("status") → obj.get_status_display()."""
    return lambda obj: getattr(obj, f"get_{field}_display")()


def money(path):
    """A money column (yuan): the value at `path` (attribute/key path, or a callable) as
    apps.core.xlsx.Money — written as a number with two decimals, exactly — or blank."""
    from apps.core.xlsx import Money

    def value(obj):
        v = path(obj) if callable(path) else _at(obj, path)
        return "" if v is None or v == "" else Money(v)

    value.is_money = True
    return value


def _at(obj, path: str):
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def fields(model, *specs) -> list[tuple]:
    """Export columns from the model's own declarations, so a list's columns read as the
    field names it shows: fields(Visit, "visited_on", "member.name", "amount", ...).
    A spec "a.b" follows relations; the header is the first field's verbose name (what
    the forms and pages call it), the value is written as that kind of field is written
    everywhere: a date as YYYY-MM-DD, a choice as its label, a yes/no as 是/blank, a
    money amount (a DecimalField named in 元) exactly, a related object as its name.
    A tuple (header, path or callable[, width]) is passed through unchanged."""
    return [spec if isinstance(spec, tuple) else _column(model, spec) for spec in specs]


def _column(model, spec: str) -> tuple:
    from django.db import models

    names = spec.split(".")
    first = model._meta.get_field(names[0])
    field, owner = first, model
    for name in names[1:]:
        owner = field.related_model
        field = owner._meta.get_field(name)
    header = str(first.verbose_name)
    if len(names) > 1 and names[-1] != "name":  # a property of the related row: its own label
        header = str(field.verbose_name)
    if isinstance(field, models.DecimalField):
        return (header, money(spec), 12)
    if isinstance(field, models.DateField):
        return (header, lambda obj: date(_at(obj, spec)), 12)
    if isinstance(field, models.BooleanField):
        return (header, lambda obj: {True: "是", False: ""}.get(_at(obj, spec), ""), 6)
    if field.choices:
        parent = ".".join(names[:-1])
        return (header, lambda obj: _display(_at(obj, parent) if parent else obj, names[-1]), 10)
    if field.is_relation:
        return (header, lambda obj: str(_at(obj, spec) or ""), 30)
    if isinstance(field, (models.IntegerField, models.PositiveSmallIntegerField)):
        return (header, spec, 8)
    length = getattr(field, "max_length", None) or 2000
    return (header, spec, 12 if length <= 40 else 30 if length <= 300 else 40)


def _display(obj, name: str) -> str:
    return "" if obj is None else getattr(obj, f"get_{name}_display")()
