"""The kit's form side: forms only parse input, services own the rules and refuse with
ValidationError({field: [Chinese message]}) (or a ScopeError); these put the refusal back
on the form, or into a flash message, the same way on every page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

from .scoping import OutOfScope, ScopeError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceForm(forms.Form):
    """Fields are all optional at form level: the service names missing required values
    itself, so the messages are the same on web, API and import. `required_names` marks
    the labels with an asterisk."""

    required_names: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if getattr(field, "max_length", None):  # the product's wording, naming the field
                field.error_messages["max_length"] = f"{field.label}不能超过%(limit_value)d个字（现为%(show_value)d个字）"

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


def error_messages(exc: Exception) -> list[str]:
    """The Chinese messages of a service's refusal, in order."""
    if isinstance(exc, ScopeError):
        return [exc.message]
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [getattr(exc, "message", None) or str(exc)]


def error_text(exc: Exception) -> str:
    """The refusal as one line (flash messages, API details)."""
    return "；".join(error_messages(exc))


def form_error_text(form: forms.Form) -> str:
    """An invalid form's errors as one line, each named by its field's label
    ("述职日期：请输入一个有效的日期；…"), for a button whose form has no page of its own."""
    return "；".join(
        f"{form.fields[f].label if f in form.fields else ''}：{e}".lstrip("：") for f, errs in form.errors.items() for e in errs
    )


def apply_service_errors(form: forms.Form, exc: Exception, *, scope_field: str | None = None) -> None:
    """Put a service's refusal on the form: messages for fields the form shows go inline,
    the rest at the top (a refused organisation on `scope_field` when given). An object
    outside the user's scope is a 404, as everywhere."""
    if isinstance(exc, OutOfScope):
        raise Http404(exc.message)
    if isinstance(exc, ScopeError) and scope_field in form.fields:
        form.add_error(scope_field, exc.message)
        return
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, field_messages in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in field_messages:
                form.add_error(target, message)
        return
    for message in error_messages(exc):
        form.add_error(None, message)


def flash_errors(request, exc: Exception) -> None:
    """A refusal of an action without a form (a button): one error message on the next page."""
    if isinstance(exc, OutOfScope):
        raise Http404(exc.message)
    messages.error(request, error_text(exc))
