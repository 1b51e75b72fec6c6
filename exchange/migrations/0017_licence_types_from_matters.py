"""Licence types as records: every matter that issues licences (or has issued some) points at a
type named as its licences are (the result name), carrying the matter's validity and holder;
every stored licence points at its type; each reminder setting (keyed by licence name until now)
is folded into the type of that name. Reversible: going back restores the matter's columns and
the reminder rows from the types. No licence is changed but for its new type link."""

from django.db import migrations

DEFAULT_DAYS = 30
OLD_KEYS = ("licence_valid_months", "licence_holder", "licence_holder_fields")


def _holder_kind(matter):
    if getattr(matter, "licence_holder", "applicant") == "form_person":
        return "form_person"
    return "enterprise" if matter.target == "legal" else "person"


def forward(apps, schema_editor):
    Matter = apps.get_model("matters", "Matter")
    LicenceType = apps.get_model("exchange", "LicenceType")
    Licence = apps.get_model("exchange", "ElectronicLicence")
    Policy = apps.get_model("exchange", "LicenceReminderPolicy")
    types = {t.name: t for t in LicenceType.objects.all()}
    counter = [LicenceType.objects.count()]

    def make(name, **settings):
        counter[0] += 1
        code = f"LOCAL-{counter[0]:04d}"
        while LicenceType.objects.filter(code=code).exists():
            counter[0] += 1
            code = f"LOCAL-{counter[0]:04d}"
        types[name] = LicenceType.objects.create(name=name[:128], code=code, **settings)
        return types[name]

    def settings_of(matter):
        return {"valid_months": matter.licence_valid_months, "holder_kind": _holder_kind(matter),
                "holder_fields": matter.licence_holder_fields or {}}

    def same(kind, settings):
        return all(getattr(kind, k) == v for k, v in settings.items())

    issuing = set(Licence.objects.values_list("matter_id", flat=True))
    for matter in Matter.objects.order_by("code"):
        if not (matter.issues_licence or matter.pk in issuing):
            continue
        name, settings = (matter.result_name or matter.name).strip(), settings_of(matter)
        kind = types.get(name)
        if kind is None:
            kind = make(name, **settings)
        elif not same(kind, settings):  # two matters, one name, different terms: keep each matter's own
            alt = f"{name}({matter.code})"
            kind = types.get(alt) or make(alt, **settings)
        matter.licence_type = kind
        matter.save(update_fields=["licence_type"])
    by_matter = {m.pk: m for m in Matter.objects.filter(pk__in=issuing).select_related("licence_type")}
    for licence in Licence.objects.filter(licence_type__isnull=True).order_by("pk"):
        matter = by_matter.get(licence.matter_id)
        if matter is not None and matter.licence_type_id and matter.licence_type.name == licence.name:
            kind = matter.licence_type
        else:  # a name the department's system gave: a type of that name, with the matter's terms
            kind = types.get(licence.name) or make(licence.name, **settings_of(matter))
        Licence.objects.filter(pk=licence.pk).update(licence_type=kind)
    # The current version's frozen standard takes the new shape (the type instead of the three
    # columns), so that saving a matter unchanged does not publish a new version.
    Version = apps.get_model("matters", "MatterVersion")
    for matter in Matter.objects.all().only("pk", "version", "licence_type"):
        for version in Version.objects.filter(matter_id=matter.pk, number=matter.version):
            data = version.snapshot.get("matter", {})
            if "licence_type_id" in data and not any(k in data for k in OLD_KEYS):
                continue
            for key in OLD_KEYS:
                data.pop(key, None)
            data["licence_type_id"] = matter.licence_type_id
            Version.objects.filter(pk=version.pk).update(snapshot=version.snapshot)
    for policy in Policy.objects.all():
        kind = types.get(policy.licence_name) or make(policy.licence_name, valid_months=None, holder_kind="person",
                                                       holder_fields={})
        kind.days_ahead, kind.renewal_matter_id, kind.number_field = (
            policy.days_ahead, policy.renewal_matter_id, policy.number_field)
        kind.save(update_fields=["days_ahead", "renewal_matter", "number_field"])


def backward(apps, schema_editor):
    Matter = apps.get_model("matters", "Matter")
    LicenceType = apps.get_model("exchange", "LicenceType")
    Policy = apps.get_model("exchange", "LicenceReminderPolicy")
    for matter in Matter.objects.filter(licence_type__isnull=False).select_related("licence_type"):
        kind = matter.licence_type
        matter.licence_valid_months = kind.valid_months
        matter.licence_holder = "form_person" if kind.holder_kind == "form_person" else "applicant"
        matter.licence_holder_fields = kind.holder_fields or {}
        matter.save(update_fields=["licence_valid_months", "licence_holder", "licence_holder_fields"])
    Version = apps.get_model("matters", "MatterVersion")
    for matter in Matter.objects.all():
        for version in Version.objects.filter(matter_id=matter.pk, number=matter.version):
            data = version.snapshot.get("matter", {})
            if "licence_type_id" not in data:
                continue
            data.pop("licence_type_id")
            data.update(licence_valid_months=matter.licence_valid_months, licence_holder=matter.licence_holder,
                        licence_holder_fields=matter.licence_holder_fields)
            Version.objects.filter(pk=version.pk).update(snapshot=version.snapshot)
    for kind in LicenceType.objects.all():
        if kind.days_ahead != DEFAULT_DAYS or kind.renewal_matter_id or kind.number_field:
            Policy.objects.update_or_create(licence_name=kind.name, defaults={
                "days_ahead": kind.days_ahead, "renewal_matter_id": kind.renewal_matter_id,
                "number_field": kind.number_field})


class Migration(migrations.Migration):

    dependencies = [
        ("exchange", "0016_licence_types"),
        ("matters", "0013_matter_licence_type"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
