from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


RESULT_LABELS = {
    "pass": "通过/合格",
    "fail": "不通过/不合格",
    "approve": "批准",
    "reject": "不批准",
    "convert": "按期转正",
    "extend": "延长预备期",
    "cancel": "取消预备党员资格",
}


@register.filter
def step_outcome(data) -> str:
    """The decision recorded in a step's data, in Chinese (result / conclusion / outcome)."""
    if not data:
        return ""
    for key in ("result", "conclusion", "outcome"):
        if data.get(key):
            return RESULT_LABELS.get(data[key], data[key])
    return ""
