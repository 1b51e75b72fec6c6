"""What a department's own system receives about one sub-case (docs/exchange-protocol.md): the
matter, the applicant (ID number masked), only the form fields its matter needs, the materials
by name, source and digest, and the clock."""

from accounts.identity import mask
from matters.oneform import fields_for_matter


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
            {"name": m.name, "source": m.source, "sha256": m.sha256, "reference": m.reference}
            for m in application.materials.all()
            if m.replaced_by_id is None and (m.requirement_id is None or m.requirement.matter_id == subcase.matter_id)
        ],
        "accepted_on": subcase.started_on.isoformat(),
        "deadline": subcase.deadline.isoformat(),
        "promised_days": subcase.promised_days,
    }
