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
