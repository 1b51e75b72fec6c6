"""What a department's own system receives about one sub-case (docs/exchange-protocol.md): the
matter, the applicant (ID number masked), only the form fields its matter needs, the materials
by name, source and digest (with a file: its size and the signed download path), and the clock."""

from django.urls import reverse

from accounts.identity import mask
from matters.oneform import fields_for_matter


def material_entry(material) -> dict:
    """One material as a pushed message names it: a material with a file carries the path the
    department system fetches it from (signed GET, docs/exchange-protocol.md) and its size; the
    `sha256` is what the fetched bytes must hash to."""
    entry = {"name": material.name, "source": material.source, "sha256": material.sha256,
             "reference": material.reference}
    if material.file:
        entry.update(size=material.size, download=reverse("api-exchange-material-file", args=[material.pk]))
    return entry


def subcase_payload(application, subcase) -> dict:
    if application.enterprise_id:
        applicant = {"name": application.enterprise.name, "id_masked": mask(application.enterprise.credit_code),
                     "kind": "legal"}
    else:
        person = application.applicant
        applicant = {"name": person.real_name, "id_masked": mask(person.id_number or ""), "kind": "natural"}
    return {
        "application": application.number,
        "matter": {"code": subcase.matter.code, "name": subcase.matter.name},
        "applicant": applicant,
        "form": {field.key: value for field, value in fields_for_matter(subcase.matter, application.form_data)},
        "materials": [
            material_entry(m)
            for m in application.materials.all()
            if m.replaced_by_id is None and (m.requirement_id is None or m.requirement.matter_id == subcase.matter_id)
        ],
        "accepted_on": subcase.started_on.isoformat(),
        "deadline": subcase.deadline.isoformat(),
        "promised_days": subcase.promised_days,
    }
