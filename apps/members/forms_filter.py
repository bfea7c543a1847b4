"""The roster's filter form as HTML without Django's template widget renderer.

Django renders a `<select>` by building a context dict per option and rendering two
templates per option (the option and its attrs); the roster's filter form has 13 controls
and ≈ 140 options (56 ethnicities, 11 statuses …), which cost ≈ 10 ms of CPU per page
(docs/performance.md, "Roster web page"). Here each select's options are escaped once per
process and language (`_options`, keyed by the caller's `owner` — the filter set class;
not the form's class, which django-filter creates anew for every filter set — field name
and language: the filter set's choices are constants from apps.members.codes, never per
request) and a page only joins them, marking the chosen values `selected`.

The markup is the one Django's widgets produce — same names, ids, values, labels and ARIA
attributes (`aria-invalid`, `aria-describedby`, built by Django's own
BoundField.build_widget_attrs) — with two fixes the old include lacked: the targets of
`aria-describedby` exist (the help text as a hidden element, the errors' container), and
a select's empty choice is one "全部" option (django-filter's "---------" came back next
to it). A widget this module does not know (a model choice, a widget with option groups)
is rendered by Django as before."""

from dataclasses import dataclass, field

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

EMPTY_LABEL = "全部"
MULTIPLE_SIZE = 4  # visible rows of a multi-select (compact on a phone)

_INPUTS = (forms.TextInput, forms.NumberInput, forms.DateInput, forms.EmailInput, forms.HiddenInput)

# (owner, field name, language) → ((value, "<option value=…", ">label</option>"), …)
_OPTION_CACHE: dict[tuple, tuple[tuple[str, str, str], ...]] = {}


@dataclass
class FilterField:
    """One control of the filter form with its label, hidden help text and errors; `{{ field }}`
    in a template gives the whole `<div class="field">` (built here: as a template include
    per field it cost ≈ 1 ms of the page)."""

    name: str
    id: str
    label: str
    control: SafeString
    help_text: str = ""
    help_id: str = ""
    errors: list = field(default_factory=list)
    error_id: str = ""

    def __html__(self) -> str:
        help_html = f'<span id="{escape(self.help_id)}" hidden>{escape(self.help_text)}</span>' if self.help_id else ""
        errors = ""
        if self.errors:
            items = "".join(f'<div class="error" role="alert">{escape(e)}</div>' for e in self.errors)
            errors = f'\n  <div id="{escape(self.error_id)}">{items}</div>'
        return (
            f'<div class="field{" has-error" if self.errors else ""}">\n'
            f'  <label for="{escape(self.id)}">{escape(self.label)}</label>{self.control}{help_html}{errors}\n'
            "</div>\n"
        )

    def __str__(self) -> SafeString:
        return mark_safe(self.__html__())  # every value above is escaped


def filter_fields(form, owner) -> dict[str, FilterField]:
    """The form's visible fields in declaration order, by name. `owner`: what the option
    lists are cached under, a class whose forms always offer the same choices (the filter
    set class)."""
    return {bf.name: _field(bf, owner) for bf in form.visible_fields()}


def _field(bf, owner) -> FilterField:
    widget = bf.field.widget
    auto_id = bf.auto_id or ""
    errors = list(bf.errors) if bf.form.is_bound else []
    return FilterField(
        name=bf.name,
        id=auto_id,
        label=str(bf.label),
        control=_control(bf, widget, owner),
        help_text=str(bf.help_text or ""),
        help_id=f"{auto_id}_helptext" if auto_id and bf.help_text else "",
        errors=[str(e) for e in errors],
        error_id=f"{auto_id}_error" if auto_id else "",
    )


def _attrs(bf, widget, extra=None) -> dict:
    attrs = bf.build_widget_attrs(extra or {}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    return widget.build_attrs(widget.attrs, attrs)


def _control(bf, widget, owner) -> SafeString:
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        options = _options(bf, owner)
        if options is not None:
            return _select(bf, widget, options)
    elif isinstance(widget, _INPUTS):
        value = widget.format_value(bf.value())
        value_attr = "" if value is None else f' value="{escape(value)}"'
        attrs = flatatt(_attrs(bf, widget))
        return mark_safe(f'<input type="{widget.input_type}" name="{escape(bf.html_name)}"{value_attr}{attrs}>')
    return SafeString(str(bf))  # Django's own rendering


def _select(bf, widget, options) -> SafeString:
    multiple = widget.allow_multiple_selected
    extra = {"size": MULTIPLE_SIZE} if multiple and "size" not in widget.attrs else {}
    attrs = _attrs(bf, widget, extra)
    if multiple:
        attrs["multiple"] = True
    chosen = set(widget.format_value(bf.value()))
    parts = [f'<select name="{escape(bf.html_name)}"{flatatt(attrs)}>']
    found = False
    for value, head, tail in options:
        if value in chosen and (multiple or not found):
            parts.append(f"{head} selected{tail}")
            found = True
        else:
            parts.append(head + tail)
    parts.append("</select>")
    return mark_safe("\n".join(parts))


def _options(bf, owner) -> tuple[tuple[str, str, str], ...] | None:
    """The escaped options of a select built from constant choices (None: let Django
    render it — a model choice field, or choices with option groups)."""
    form_field = bf.field
    if isinstance(form_field, forms.ModelChoiceField):
        return None
    key = (owner, bf.name, get_language())
    cached = _OPTION_CACHE.get(key)
    if cached is None:
        built = []
        for i, (value, label) in enumerate(form_field.choices):
            if isinstance(label, (list, tuple)):
                return None  # an option group
            value = "" if value is None else str(value)
            label = str(label)
            if i == 0 and value == "" and label.startswith("---"):
                label = EMPTY_LABEL
            built.append((value, f'<option value="{escape(value)}"', f">{conditional_escape(label)}</option>"))
        cached = _OPTION_CACHE[key] = tuple(built)
    return cached
