"""County rule tables kept as rows (kinds, categories, time limits a county administrator
edits): the part every such editor repeats, written once. Only the configure right
edits them; every save is a history entry (who, when, before → after), and the table's
page shows that history, so each earlier state of a row can be read back. General: the
domain's service says which fields a row has and how they are checked."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from .audit import object_type, record_change, snapshot
from .formviews import form_page, require_action, submitted
from .models import ChangeLog
from .scoping import has_action
from .uniqueness import unique_messages

CODE_RULE = "代码须为32位以内的英文字母、数字或下划线，如 retired_visit"


def _fail(field: str, message: str):
    raise ValidationError({field: [message]})


def require_configure(actor, what: str) -> None:
    if not has_action(actor, "configure"):
        _fail("name", f"只有县委组织部管理员可以设置{what}")


def clean_code(value) -> str:
    code = (value or "").strip().lower()
    if not code or not code.isascii() or not code.replace("_", "").isalnum() or len(code) > 32:
        _fail("code", CODE_RULE)
    return code


def clean_int(value, field: str, label: str, *, low: int, high: int, default: int | None = None) -> int:
    if value in (None, "") and default is not None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        _fail(field, f"{label}须为整数（现为“{value}”）")
    if not low <= number <= high:
        _fail(field, f"{label}须在{low}到{high}之间（现为{number}）")
    return number


def clean_name(value, label: str = "名称", max_length: int = 40) -> str:
    name = (value or "").strip()
    if not name:
        _fail("name", f"{label}不能为空")
    if len(name) > max_length:
        _fail("name", f"{label}最多{max_length}个字（现{len(name)}字）")
    return name


@transaction.atomic
def save_row(model, row, data: dict, fill: Callable[[object, dict], None], *, what: str, actor):
    """Add (row None) or edit one row of a rule table: `fill(obj, data)` sets and checks
    the editable fields (a field records refer to is set only while `obj.pk` is None). Code and name are unique: the same Chinese message whether
    the duplicate is sequential or concurrent."""
    require_configure(actor, what)
    if row is None:
        obj = model(code=clean_code(data.get("code")))
        before = None
    else:
        obj = model.objects.select_for_update().get(pk=row.pk)
        before = snapshot(obj)
    fill(obj, data)
    obj.order = clean_int(data.get("order"), "order", "排序", low=0, high=999, default=obj.order or 100)
    rules = {"code": ("code", f"代码“{obj.code}”已被使用"), "name": ("name", f"名称“{obj.name}”已被使用")}
    if model.objects.filter(name=obj.name).exclude(pk=obj.pk).exists():
        _fail(*rules["name"])
    if before is None and model.objects.filter(code=obj.code).exists():
        _fail(*rules["code"])
    with unique_messages(model, rules):
        obj.save()
    record_change(obj, ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE, before=before)
    return obj


def history(model, limit: int = 30):
    """The table's change history, newest first (every row's adds and edits)."""
    return list(ChangeLog.objects.filter(object_type=object_type(model)).order_by("-at", "-id")[:limit])


# ── the editor pages (list with history; add/edit form) ──────────────────────────────
class RuleRowForm(forms.Form):
    """Base of a rule-table row form: the row edited (hidden; none = a new row) and its
    code, asked only when the row is added (ONLY_NEW: fields records refer to)."""

    ONLY_NEW: tuple = ("code",)
    row = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label="代码", max_length=32, help_text="英文字母、数字或下划线，保存后不能修改")

    def __init__(self, *args, row=None, **kwargs):
        super().__init__(*args, **kwargs)
        if row is not None:
            for name in self.ONLY_NEW:
                del self.fields[name]
        self.order_fields(["row", *[f for f in self.fields if f not in ("active", "order")], "active", "order"])


def table_page(request, model, *, what: str, intro: str, edit_url: str, columns: list[tuple[str, Callable]]):
    """The table with a 修改 link per row and the table's change history."""
    require_action(request.user, "configure", f"只有县委组织部管理员可以设置{what}")
    rows = [([(label, cell(r)) for label, cell in columns], f"{edit_url}?row={r.pk}") for r in model.objects.order_by("order", "id")]
    context = {
        "title": f"{what}设置",
        "intro": intro,
        "headers": [label for label, _cell in columns],
        "rows": rows,
        "new_url": edit_url,
        "history": history(model),
    }
    return render(request, "includes/rule_table.html", context)


def edit_page(request, model, form_class, save, *, what: str, back: str, intro: str = ""):
    """Add a row, or ?row=<id> (also the form's hidden field) to edit one. A county-wide
    table: no organisation in the URL, only the configure right (others: 404)."""
    require_action(request.user, "configure", f"只有县委组织部管理员可以设置{what}")
    raw = str(request.POST.get("row") or request.GET.get("row") or "")
    row = get_object_or_404(model, pk=raw) if raw.isdigit() else None
    if row is None:
        initial = {"active": True, "order": 100}
    else:
        initial = {name: getattr(row, name) for name in form_class.base_fields if hasattr(row, name)} | {"row": row.pk}
    form = form_class(request.POST or None, row=row, initial=initial)
    ok, saved = submitted(request, form, lambda data: save(row, data, actor=request.user))
    if ok:
        messages.success(request, f"已保存{what}：{saved.name}")
        return redirect(back)
    title = f"修改{what}：{row.name}" if row else f"新增{what}"
    return form_page(request, form, title, back, intro=intro)
