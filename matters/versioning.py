"""Versions of a matter's standard (办事指南版本).

A version freezes the standard as JSON: the matter's own fields, its materials and its form fields
(`snapshot`). Editing a published matter through the admin or the XLSX import calls
`publish_if_changed` after the matter and its rows are saved: when the standard differs from the
latest version, a new version is made and the matter's `version` and `published_on` move on;
when nothing changed, nothing happens. Before an edit, `freeze_current` makes sure the standard
as it stood has a version of its own (matters loaded before versioning existed have none yet).

Applications bind to the versions they were submitted under (`current_versions`), and each
sub-case keeps its matter's version, so a later edit changes neither the guide the applicant
read nor the promised limit their case runs on.

Left out of the snapshot: the database id, the version number and date themselves, whether the
matter is in use (`is_active`: withdrawing a matter is not a new standard) and the search keys
(made from the name).
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import IntegrityError, transaction
from django.db.models import FileField
from django.utils import timezone

from .models import FormField, MaterialRequirement, Matter, MatterVersion, catalog_changed

NOT_IN_SNAPSHOT = {"id", "version", "published_on", "is_active", "search_initials", "search_pinyin", "search_text"}
MATERIAL_SKIP = {"id", "matter"}
FIELD_SKIP = {"id", "matter"}


def _value(instance, f):
    value = f.value_from_object(instance)
    if isinstance(f, FileField):
        return value.name if value else ""
    return value


def _row(instance, skip) -> dict:
    return {f.attname if f.is_relation else f.name: _value(instance, f)
            for f in instance._meta.concrete_fields if f.name not in skip}


def snapshot(matter: Matter, materials=None, fields=None) -> dict:
    """The standard as plain JSON. `materials` / `fields`: the rows as they stand in memory
    (the XLSX import has them before it writes); by default read from the database."""
    if materials is None:
        materials = MaterialRequirement.objects.filter(matter_id=matter.pk).order_by("order", "pk")
    if fields is None:
        fields = FormField.objects.filter(matter_id=matter.pk).order_by("order", "pk")
    data = _row(matter, NOT_IN_SNAPSHOT)
    department = matter.department
    data["department"] = {"code": department.code, "name": department.name}
    data.pop("department_id", None)
    materials = sorted(materials, key=lambda m: (m.order, m.pk or 0))
    fields = sorted(fields, key=lambda f: (f.order, f.pk or 0))
    result = {
        "matter": data,
        "materials": [_row(m, MATERIAL_SKIP) for m in materials],
        "fields": [_row(f, FIELD_SKIP) for f in fields],
    }
    return json.loads(json.dumps(result, ensure_ascii=False, default=_json_default))  # what a JSONField gives back


def _json_default(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable in a snapshot: {type(value).__name__}")


def latest_version(matter: Matter) -> MatterVersion | None:
    return MatterVersion.objects.filter(matter_id=matter.pk).order_by("-number").first()


def _create(matter: Matter, *, number: int, published_on, data: dict, by=None) -> MatterVersion:
    try:
        with transaction.atomic():
            return MatterVersion.objects.create(matter_id=matter.pk, number=number, published_on=published_on,
                                                snapshot=data, published_by=by)
    except IntegrityError:  # made meanwhile by a concurrent submission or edit
        return MatterVersion.objects.get(matter_id=matter.pk, number=number)


def freeze_current(matter: Matter, *, data: dict | None = None, by=None) -> MatterVersion:
    """The version of the matter's current number, made from its standard as it stands now (or
    `data`, a snapshot taken before an edit) when it has none yet."""
    version = MatterVersion.objects.filter(matter_id=matter.pk, number=matter.version).first()
    if version is not None:
        return version
    published_on = matter.published_on or timezone.localdate()
    if matter.published_on is None:
        Matter.objects.filter(pk=matter.pk).update(published_on=published_on)
        matter.published_on = published_on
    return _create(matter, number=matter.version, published_on=published_on,
                   data=data if data is not None else snapshot(matter), by=by)


@transaction.atomic
def publish_if_changed(*, matter: Matter, by=None, day: dt.date | None = None) -> MatterVersion | None:
    """After an edit is saved: a new version when the standard differs from the latest one, else None.
    A matter without any version gets its first from what it is now (and None is returned)."""
    matter = Matter.objects.select_for_update().select_related("department").get(pk=matter.pk)
    latest = latest_version(matter)
    if latest is None:
        freeze_current(matter, by=by)
        return None
    data = snapshot(matter)
    if data == latest.snapshot:
        return None
    number = max(latest.number, matter.version) + 1
    day = day or timezone.localdate()
    Matter.objects.filter(pk=matter.pk).update(version=number, published_on=day)
    catalog_changed()
    return _create(matter, number=number, published_on=day, data=data, by=by)


def publish_imported(*, matter: Matter, standing: dict | None, by=None) -> MatterVersion | None:
    """The XLSX import changed this matter's row or rows: `standing` is the standard before
    (None for a matter the file created)."""
    if standing is not None:
        freeze_current(matter, data=standing, by=by)
    return publish_if_changed(matter=matter, by=by)


def current_versions(matters) -> list[MatterVersion]:
    """The version each matter's guide shows now (made when missing), for binding an application."""
    matters = list(matters)
    found = {(v.matter_id, v.number): v
             for v in MatterVersion.objects.filter(matter__in=[m.pk for m in matters]).only("id", "matter_id", "number",
                                                                                            "published_on", "snapshot")}
    return [found.get((m.pk, m.version)) or freeze_current(m) for m in matters]


def version_of(matter: Matter, number: int) -> MatterVersion | None:
    if number == matter.version:
        return freeze_current(matter)
    return MatterVersion.objects.filter(matter_id=matter.pk, number=number).first()


# --- a version as unsaved model instances, so that pages and the PDF read old and current alike ---


def as_instances(version: MatterVersion, *, department=None) -> tuple[Matter, list, list]:
    """(matter, materials, fields) built from a version's snapshot, unsaved: the guide template
    and the PDF take them like the live rows. File fields keep their stored names."""
    data = dict(version.snapshot["matter"])
    data.pop("department", None)  # the page shows the department as it is now
    names = {f.name for f in Matter._meta.concrete_fields}
    matter = Matter(**{k: v for k, v in data.items() if k in names or k.endswith("_id")})
    matter.pk = version.matter_id
    matter.version = version.number
    matter.published_on = version.published_on
    if department is not None:
        matter.department = department
    material_names = {f.attname for f in MaterialRequirement._meta.concrete_fields}
    materials = [MaterialRequirement(matter=matter, **{k: v for k, v in row.items() if k in material_names})
                 for row in version.snapshot.get("materials", [])]
    field_names = {f.attname for f in FormField._meta.concrete_fields}
    fields = [FormField(matter=matter, **{k: v for k, v in row.items() if k in field_names})
              for row in version.snapshot.get("fields", [])]
    return matter, materials, fields
