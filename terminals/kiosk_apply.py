"""办 at the kiosk (issue 13): applying for a matter marked 可在自助终端办理, and the 补正 a resident
owes, without a keyboard.

The rules are the online application's: the form is the one form (`matters.oneform`), filled from
the account the way the apply page fills it and from the data sources (免填, the apply page's
`exemption_preview`, each query logged); the materials are those the government holds (免提交, the
e-licence store); the resident only chooses among a choice field's options on big buttons. The
submission is `workflow.services.application_submit` with a `Submission`, like the apply page's: a
matter whose form needs typing, or a material only the applicant can hand in, is not offered to
submit here, and the page says why and where to go instead."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from matters.models import FormField, MaterialRequirement, Matter, Target
from matters.oneform import form_fields, material_requirements
from workflow import services as workflow
from workflow.models import Application
from workflow.prefill import account_values  # the apply page's own rule for what the account fills

from .models import CardSession


@dataclass
class Plan:
    """What the kiosk can do for one matter and one person."""

    matter: Matter
    known: list[tuple[FormField, str]] = field(default_factory=list)  # filled from the account or 免填
    choose: list[FormField] = field(default_factory=list)  # choice fields: big buttons
    missing: list[str] = field(default_factory=list)  # required fields that need typing
    materials: list[tuple[str, str]] = field(default_factory=list)  # (name, where it comes from)
    unmet: list[tuple[str, str]] = field(default_factory=list)  # (name, why): only the applicant has it
    values: dict = field(default_factory=dict)

    @property
    def possible(self) -> bool:
        return not self.missing and not self.unmet


def self_service_matters():
    return Matter.objects.filter(self_service=True, is_active=True, target=Target.NATURAL).order_by("name")


def access_matter(code: str) -> Matter | None:
    return self_service_matters().filter(code=code).select_related("department").first()


def plan_for(person, matter: Matter) -> Plan:
    """The form and materials of `matter` for `person`, as the apply page would fill them now."""
    fields = form_fields([matter])
    requirements = material_requirements([matter])
    exempt = workflow.exemption_preview(applicant=person, asked_by=person, enterprise=None, matters=[matter],
                                        requirements=requirements)
    values = account_values(fields, person, [])
    values.update({key: outcome.value for key, outcome in exempt.fields.items() if outcome.value})
    plan = Plan(matter=matter, values=values)
    for f in fields:
        if f.key in values:
            plan.known.append((f, values[f.key]))
        elif f.type == FormField.Type.CHOICE and f.choices:
            plan.choose.append(f)
        elif f.required:
            plan.missing.append(f.label)
    for requirement in requirements:
        outcome = exempt.materials.get(requirement.pk)
        if outcome is not None and outcome.obtained:
            plan.materials.append((requirement.name, outcome.label))
        elif outcome is None and requirement.source != MaterialRequirement.Source.APPLICANT:
            plan.materials.append((requirement.name, requirement.get_source_display()))
        elif requirement.required:
            plan.unmet.append((requirement.name, outcome.message if outcome is not None and outcome.message
                               else _("需本人提交")))
    return plan


def apply(session: CardSession, plan: Plan, chosen: dict) -> Application:
    """Submit `plan` with the resident's choices, as an online application of the card holder
    (the service checks the form and the materials again; the same session and matter submit once)."""
    values = dict(plan.values)
    for f in plan.choose:
        values[f.key] = str(chosen.get(f.key, ""))
    return workflow.application_submit(
        submission=workflow.Submission(
            applicant=session.person,
            matters=[plan.matter],
            form_data=values,
            files={},
            idempotency_key=f"kiosk-{session.pk}-{plan.matter.pk}",
        )
    )


def supplements_owed(person):
    """The resident's applications waiting for their 补正, each with its open notice."""
    rows = []
    applications = (
        Application.objects.filter(applicant=person, state=Application.State.SUPPLEMENT_REQUESTED)
        .prefetch_related("matters", "supplement_requests")
        .order_by("-submitted_at")[:10]
    )
    for application in applications:
        notice = next((r for r in application.supplement_requests.all() if r.resolved_at is None), None)
        rows.append((application, notice))
    return rows
