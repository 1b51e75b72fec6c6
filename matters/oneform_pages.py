"""The one form (一表式) on pages, shared by the online apply page (workflow) and the walk-in page
(windows): `OneFormPost` (a Django form) parses the posted values of exactly the form's fields, `oneform_rows`
pairs each field with its value and errors for `matters/_oneform.html`, and `material_rows` does
the same for the material requirements. Validation stays in matters.oneform and the services."""

from django import forms

from .models import FormField, MaterialRequirement

FIELD_PREFIX = "field_"  # posted names of the one form's fields: field_<key>, never clashing with ours


class OneFormPost(forms.Form):
    """The one form's fields as posted (`field_<key>`), as they were typed: what each field must
    hold is checked by matters.oneform.clean_form_data in the services, with its Chinese messages.
    Pages add their own fields by subclassing (windows.forms.WalkInForm)."""

    def __init__(self, data, *, oneform_fields):
        super().__init__(data)
        self.oneform_fields = list(oneform_fields)
        for field in self.oneform_fields:
            self.fields[FIELD_PREFIX + field.key] = forms.CharField(required=False, strip=False)

    def value(self, name):
        return self.cleaned_data.get(name, "") if hasattr(self, "cleaned_data") else ""

    @property
    def oneform_values(self) -> dict:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return {field.key: self.value(FIELD_PREFIX + field.key) or "" for field in self.oneform_fields}


def oneform_rows(fields, values: dict, errors: dict, *, prefilled=None) -> list[dict]:
    """`prefilled`: 免填 values by field key (exchange.exemptions: `.value`, `.label`): the field
    says where its value came from and whether the applicant changed it."""
    rows = []
    prefilled = prefilled or {}
    for field in fields:
        rows.append({
            "field": field,
            "name": FIELD_PREFIX + field.key,
            "id": f"id_{FIELD_PREFIX}{field.key}",
            "value": values.get(field.key, ""),
            "errors": errors.get(field.key, []),
            "choices": field.choices if field.type == FormField.Type.CHOICE else [],
            "prefilled": prefilled.get(field.key),
            "corrected": field.key in prefilled
            and str(values.get(field.key, "")).strip() != prefilled[field.key].value.strip(),
        })
    return rows


def material_label(requirement, duplicated: set) -> str:
    """A material's name, with its matter's when two matters of one theme ask for the same name."""
    if requirement.name in duplicated:
        return f"{requirement.name}({requirement.matter.name})"
    return requirement.name


def duplicated_names(requirements) -> set:
    seen, twice = set(), set()
    for requirement in requirements:
        (twice if requirement.name in seen else seen).add(requirement.name)
    return twice


def material_rows(requirements, errors: dict, *, checked=(), kept=None, exempt=None) -> dict:
    """{"bring": [...], "shared": [...]}: what the applicant hands in, and what is 免提交.
    `kept`: files already chosen on an earlier post of the form, by field (workflow.pending),
    shown as "已选择:name" with a box to remove them. `exempt`: outcomes of the 免提交 look-ups by
    requirement id (exchange.exemptions: `.obtained`, `.label`, `.reference`, `.message`): an
    obtained one is shown as 已获取 with its source, one that failed is an upload with the reason."""
    twice = duplicated_names(requirements)
    bring, shared = [], []
    exempt = exempt or {}
    for requirement in requirements:
        outcome = exempt.get(requirement.pk)
        row = {
            "requirement": requirement,
            "label": material_label(requirement, twice),
            "name": f"material_{requirement.pk}",
            "errors": errors.get(f"material_{requirement.pk}", []),
            "checked": requirement.pk in checked,
            "kept": (kept or {}).get(f"material_{requirement.pk}"),
            "exempt": outcome,
        }
        if outcome is not None:
            (shared if outcome.obtained else bring).append(row)
        else:
            (bring if requirement.source == MaterialRequirement.Source.APPLICANT else shared).append(row)
    return {"bring": bring, "shared": shared}

