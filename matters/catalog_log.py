"""Catalog edits made in the admin, logged on the audit chain (`CatalogLog`).

An administrator edits themes (with their matters and situation questions), situation questions
and options (with the materials each answer includes or leaves out), conditional materials, a
matter's fee items (with its materials and form fields; the standard's own versions stay in
`MatterVersion`), and — from `exchange` — the data-source policies (数据共享授权), material sources
(免提交) and field sources (免填). Each add, change and delete goes through
`catalog_admin_save` / `catalog_admin_delete`: administrators only, one transaction, and one log
row with the object and its inline rows as they were (`before`) and as they are (`after`); a save
that changed nothing writes nothing.

Imports point down: `exchange.admin` uses this module, never the other way round."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Forbidden

from .models import CatalogLog

# The inline rows that belong to an object's record (accessor names of reverse relations),
# by model label; each child is recorded with its own children in turn.
CHILDREN = {
    "matters.Matter": ["materials", "fields", "fee_items"],
    "matters.Theme": ["links", "situationquestion_set"],
    "matters.SituationQuestion": ["situationoption_set"],
    "matters.SituationOption": ["optionmaterial_set"],
}
SKIP = {"search_initials", "search_pinyin", "search_text"}  # derived from the name


def is_administrator(user) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "role", None) == User.Role.ADMINISTRATOR or getattr(user, "is_superuser", False))
    )


def _check_administrator(by):
    if not is_administrator(by):
        raise Forbidden(_("只有系统管理员可以修改事项目录。"), code="not_an_administrator")


def _value(instance, f):
    value = f.value_from_object(instance)
    if isinstance(f, models.FileField):
        return value.name if value else ""
    return value


def snapshot(instance) -> dict:
    """The object as plain JSON: its own columns, its many-to-many ids, its inline rows."""
    data = {f.attname: _value(instance, f) for f in instance._meta.concrete_fields if f.name not in SKIP}
    for m2m in instance._meta.many_to_many:
        if m2m.remote_field.through._meta.auto_created:
            data[m2m.name] = sorted(getattr(instance, m2m.name).values_list("pk", flat=True))
    for accessor in CHILDREN.get(instance._meta.label, ()):
        data[accessor] = [snapshot(child) for child in getattr(instance, accessor).order_by("pk")]
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def _log(*, by, instance, verb: str, before, after) -> CatalogLog:
    meta = instance._meta
    return CatalogLog.objects.create(
        actor=by,
        action=f"{meta.app_label}.{meta.model_name}.{verb}",
        table=meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        data={"before": before, "after": after, "via": "admin"},
    )


@transaction.atomic
def catalog_admin_save(*, instance, by, write: Callable[[], None]) -> CatalogLog | None:
    """`write()` saves `instance` and its inline rows (the admin's form and formsets); the log row
    gets the record as it was in the database before and as it is after, in the same transaction."""
    _check_administrator(by)
    model = type(instance)
    before = None
    if instance.pk is not None:
        old = model._base_manager.select_for_update().filter(pk=instance.pk).first()
        before = snapshot(old) if old is not None else None
    write()
    after = snapshot(model._base_manager.get(pk=instance.pk))
    if after == before:
        return None
    return _log(by=by, instance=instance, verb="edited" if before is not None else "added", before=before, after=after)


@transaction.atomic
def catalog_admin_delete(*, instance, by) -> CatalogLog:
    _check_administrator(by)
    old = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
    entry = _log(by=by, instance=old, verb="deleted", before=snapshot(old), after=None)
    old.delete()
    return entry
