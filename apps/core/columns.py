"""Small column helpers for list exports (apps/<app>/exports.py)."""


def date(value, fmt="%Y-%m-%d"):
    return value.strftime(fmt) if value else ""


def month(value):
    return date(value, "%Y-%m")


def display(field):
    """The Chinese label of a choice field: display("status") → obj.get_status_display()."""
    return lambda obj: getattr(obj, f"get_{field}_display")()
