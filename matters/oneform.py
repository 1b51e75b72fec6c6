"""The one form (一表式): the union of the fields its matters need, validated in one place.

Pages, the API and the window all build and check the form here, and each department later
sees only `fields_for_matter(...)` of what was filled in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from accounts.identity import IdentityError, validate_credit_code, validate_id_number, validate_phone
from core.errors import Invalid

from .models import FormField, MaterialRequirement


def form_fields(matters) -> list[FormField]:
    """One field per key, in the order of the matters and then of their fields; the first matter
    that declares a key sets its label, and the field is required if any matter requires it."""
    by_key: dict[str, FormField] = {}
    for matter in matters:
        for field in matter.fields.all():
            if field.key not in by_key:
                by_key[field.key] = field
            elif field.required and not by_key[field.key].required:
                by_key[field.key].required = True
    return list(by_key.values())


def material_requirements(matters) -> list[MaterialRequirement]:
    return [requirement for matter in matters for requirement in matter.materials.all()]


def _clean_value(field: FormField, raw):
    value = raw.strip() if isinstance(raw, str) else raw
    if value in (None, ""):
        if field.required:
            raise ValueError(_("此项为必填项。"))
        return ""
    match field.type:
        case FormField.Type.NUMBER:
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ValueError(_("请输入数字。")) from None
            if not number.is_finite():
                raise ValueError(_("请输入数字。"))
            return str(number)
        case FormField.Type.DATE:
            try:
                return dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise ValueError(_("请输入有效日期,格式为 YYYY-MM-DD。")) from None
        case FormField.Type.CHOICE:
            if value not in field.choices:
                raise ValueError(_("请从给定选项中选择。"))
            return value
        case FormField.Type.PHONE:
            try:
                return validate_phone(str(value))
            except IdentityError as exc:
                raise ValueError(str(exc)) from None
        case FormField.Type.ID_NUMBER:
            try:
                return validate_id_number(str(value))
            except IdentityError as exc:
                raise ValueError(str(exc)) from None
        case FormField.Type.CREDIT_CODE:
            try:
                return validate_credit_code(str(value))
            except IdentityError as exc:
                raise ValueError(str(exc)) from None
        case _:
            text = str(value)
            limit = 2000 if field.type == FormField.Type.TEXTAREA else 200
            if len(text) > limit:
                raise ValueError(_("内容过长,最多 %(n)s 个字。") % {"n": limit})
            return text


def clean_form_data(fields: list[FormField], data: dict) -> dict:
    """Return the cleaned values of exactly these fields, or raise Invalid listing every problem."""
    cleaned, errors = {}, {}
    for field in fields:
        try:
            cleaned[field.key] = _clean_value(field, (data or {}).get(field.key, ""))
        except ValueError as exc:
            errors[field.key] = [str(exc)]
    if errors:
        raise Invalid(_("表单有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_form", fields=errors)
    return cleaned


def fields_for_matter(matter, form_data: dict) -> list[tuple[FormField, str]]:
    """The part of a filled-in form that one matter's department may see."""
    return [(field, form_data.get(field.key, "")) for field in matter.fields.all()]
