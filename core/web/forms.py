"""Django forms on the HTML pages: a form parses and checks what was posted, the service keeps the
rules of the domain (the API reaches the same services through its serializers).

`checked(form)` turns a form's errors into the `Invalid` a service would raise, so that a page
handles a bad post and a service's refusal the same way: the Chinese message on top, the errors
beside their fields, the form re-rendered with what was typed, nothing changed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import Invalid
from core.numbers import is_small_int, small_int


class IdListField(forms.Field):
    """Several ids posted under one name (check boxes): a list of ints, in the order posted,
    without repeats. Anything that is not an id refuses the whole post (a forged form)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("所选项目无效,请刷新页面后重新选择。")}

    def __init__(self, *, required=False, **kwargs):
        super().__init__(required=required, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        if not all(is_small_int(str(v)) for v in values):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return list(dict.fromkeys(int(v) for v in values))


def form_errors(form) -> dict[str, list[str]]:
    """The form's errors by field as the pages and `DomainError.fields` carry them."""
    return {name: [str(e) for e in errors] for name, errors in form.errors.items() if name != NON_FIELD_ERRORS}


def checked(form, *, message=None) -> dict:
    """The cleaned data of a valid form; otherwise raise `Invalid` with the form's first error (or
    `message`) and its errors by field."""
    if form.is_valid():
        return form.cleaned_data
    fields = form_errors(form)
    first = [str(e) for e in form.non_field_errors()] + [e for errors in fields.values() for e in errors]
    raise Invalid(
        message or (first[0] if first else _("提交的内容有误,请检查后重新提交。")), code="invalid_form", fields=fields
    )


def posted_ids(form, name) -> list[int | None]:
    """The ids posted under `name` as typed (None for one that is not an id), to tick the same
    boxes again on the page shown after a refusal."""
    return [small_int(v) for v in form.data.getlist(name)]
