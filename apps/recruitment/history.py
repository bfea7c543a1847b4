"""How development records read in the change history (apps.core.history): a file's
下一步 by the step's name, a step's record (its JSON data) as “label：value” with the
choice labels of the step table and the names of the members it names."""

from apps.core.history import register_field_choices, register_value_display, related_name

from . import rules

EXTRA_LABELS = {
    "late_reason": "逾期办理原因",
    "performer_name": "经办人",
    "performer_role": "经办人身份",
    "extension_reason": "延长审批时间的原因",
}


def _fields() -> dict:
    by_name = {}
    for step in rules.STEPS:
        for f in step.fields:
            by_name.setdefault(f.name, f)
    return by_name


def _member_model():
    from apps.members.models import Member

    return Member


def _related(value):
    if not isinstance(value, dict):
        return []
    fields = _fields()
    member = _member_model()
    return [(member, pk) for name, v in value.items() if getattr(fields.get(name), "kind", "") == "members" for pk in (v or [])]


def step_record(value, context, names) -> str:
    if not isinstance(value, dict):
        return str(value)
    fields = _fields()
    member = _member_model()
    parts = []
    for name, v in value.items():
        f = fields.get(name)
        label = f.label if f else EXTRA_LABELS.get(name, name)
        if v in (None, "", []):
            continue
        if f is not None and f.kind == "choice":
            v = dict(f.choices).get(v, v)
        elif f is not None and f.kind == "members":
            v = "、".join(related_name(names, member, pk) for pk in v)
        elif isinstance(v, bool):
            v = "是" if v else "否"
        parts.append(f"{label}：{v}")
    return "；".join(parts) or "—"


def register_labels() -> None:
    register_field_choices("recruitment.developmentfile", "next_step", [*rules.STEP_CHOICES, ("assessment", "半年考察测评")])
    register_value_display("recruitment.developmentstep", "data", step_record, related=_related)
