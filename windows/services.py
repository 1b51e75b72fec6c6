"""The window drives workflow services: a walk-in is registered and, in the same transaction,
accepted on the spot when complete (行政许可法 art. 32), given the one-time notice listing
everything missing (一次性告知), or refused with reasons. Consultations (首问责任) live in
windows.consultations."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.identity import IdentityError, validate_id_number
from accounts.models import User
from accounts.services import applicant_find_or_register
from core.errors import Invalid
from matters.models import MaterialRequirement
from matters.oneform import form_fields, material_requirements
from workflow import services as workflow_services
from workflow.models import Application, Channel

# Keys of the one form that the applicant's identity answers; the walk-in screen does not ask
# them again and fills them from the person found or registered (asked once).
APPLICANT_KEYS = {
    "applicant_name": "real_name", "real_name": "real_name", "name": "real_name",
    "id_number": "id_number", "applicant_id_number": "id_number",
    "contact_phone": "phone", "phone": "phone", "applicant_phone": "phone",
}


class Decision:
    ACCEPT = "accept"  # accept on the spot; refused (nothing saved) while anything is missing
    SUPPLEMENT = "supplement"  # register and issue the one-time notice of everything missing
    REFUSE = "refuse"  # register and refuse to accept, with reasons
    ACCEPT_IF_COMPLETE = "accept_if_complete"  # the API's `accept: true`: accept, or register only
    REGISTER = "register"  # register only (the API's `accept: false`)

    SCREEN = (ACCEPT, SUPPLEMENT, REFUSE)


def missing_requirements(requirements, *, provided, required_ids=frozenset()) -> list[MaterialRequirement]:
    """Pure: the required materials the applicant must bring that are not in `provided` (ids of
    requirements uploaded, checked at the window or deferred)."""
    return [
        r for r in requirements
        if (r.required or r.pk in required_ids) and r.source == MaterialRequirement.Source.APPLICANT
        and r.pk not in provided
    ]


def walk_in_person(*, real_name="", id_number="", phone="") -> User:
    """The applicant by ID number; a person already registered needs no name typed (the clerk
    holds the ID card), a typed name must match. Unknown: registered (name required)."""
    try:
        number = validate_id_number(id_number)
    except IdentityError:
        number = None
    if number and not (real_name or "").strip():
        person = User.objects.filter(id_number=number).first()
        if person is not None:
            return person
    return applicant_find_or_register(real_name=real_name, id_number=id_number, phone=phone)


def fill_applicant_keys(fields, values: dict, person) -> dict:
    """The one form's values with the applicant's own keys (name, ID number, phone) filled from
    the person where the screen left them empty."""
    filled = dict(values)
    for field in fields:
        attr = APPLICANT_KEYS.get(field.key)
        if attr and not str(filled.get(field.key, "")).strip():
            filled[field.key] = getattr(person, attr) or ""
    return filled


@transaction.atomic
def walk_in_register(
    *, clerk, applicant: dict, matters, form_data: dict, theme=None, enterprise=None, files=None,
    received=(), accept_now=True, idempotency_key="", decision=None, deferred=(), deferred_until=None,
    requirements=None, required_ids=(), situation=None, supplement_note="", refusal_reason="", labels=None,
) -> Application:
    """Register a walk-in and decide on it in one transaction.

    `applicant`: {"real_name", "id_number", "phone"} (name optional for a person already
    registered); `received`: requirement ids whose originals the clerk checked; `deferred`:
    deferrable requirement ids accepted with the material to follow by `deferred_until` (容缺).
    `decision` (Decision.*): accept (Invalid, nothing saved, while a required material is
    missing), supplement (the one-time notice lists every missing material, `labels` maps
    requirement id → the label the clerk saw), refuse (`refusal_reason`). Without `decision`,
    `accept_now` keeps the API's meaning: accept when complete, else register only.
    Replaying the same `idempotency_key` returns the first application unchanged.
    """
    from matters.views import duplicated_names, material_label  # labels as the screens show them

    decision = decision or (Decision.ACCEPT_IF_COMPLETE if accept_now else Decision.REGISTER)
    matters = list(matters)
    desk = workflow_services.clerk_desk(clerk, category=matters[0].target if matters else None)
    if decision == Decision.REFUSE and not (refusal_reason or "").strip():
        raise Invalid(_("不予受理须说明理由。"), code="reason_required", fields={"reason": [_("请填写不予受理的理由。")]})
    person = walk_in_person(**applicant)
    if idempotency_key:
        existing = Application.objects.filter(applicant=person, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing  # a second click or a retry: the first answer stands
    requirements = list(requirements) if requirements is not None else material_requirements(matters)
    deferred = set(deferred)
    uploaded = {r.pk for r in requirements if f"material_{r.pk}" in (files or {})}
    provided = uploaded | set(received) | deferred
    missing = missing_requirements(requirements, provided=provided, required_ids=frozenset(required_ids))
    if decision == Decision.ACCEPT and missing:
        twice = duplicated_names(requirements)
        names = "、".join(material_label(r, twice) for r in missing)
        raise Invalid(
            _("材料不齐全,不能当场受理。尚缺 %(n)s 项:%(names)s。请补齐,或出具一次性补正告知。") % {"n": len(missing), "names": names},
            code="materials_missing", fields={f"material_{r.pk}": [_("未收取")] for r in missing},
        )
    if decision == Decision.SUPPLEMENT and not missing and not (supplement_note or "").strip():
        raise Invalid(_("材料已齐全,无需补正,请直接受理。"), code="nothing_missing")
    application = workflow_services.application_submit(
        applicant=person, matters=matters, theme=theme, enterprise=enterprise,
        form_data=fill_applicant_keys(form_fields(matters), form_data, person), files=files,
        channel=Channel.WINDOW, created_by=clerk, hall_id=desk.hall_id,
        received_at_window=sorted(set(received) - uploaded), idempotency_key=idempotency_key,
        requirements=requirements, required_ids=required_ids, situation=situation,
    )
    if decision in (Decision.ACCEPT, Decision.ACCEPT_IF_COMPLETE) and not missing:
        return workflow_services.application_accept(
            application=application, clerk=clerk, deferred=sorted(deferred - uploaded - set(received)),
            deferred_until=deferred_until,
        )
    if decision == Decision.SUPPLEMENT:
        twice = duplicated_names(requirements)
        labels = labels or {}
        items = [{"material": labels.get(r.pk) or material_label(r, twice), "reason": _("未提交")} for r in missing]
        if supplement_note.strip() and not items:
            items = [{"material": supplement_note.strip()[:128], "reason": ""}]
        workflow_services.application_request_supplement(
            application=application, clerk=clerk, items=items, note=supplement_note.strip(),
        )
        return Application.objects.get(pk=application.pk)
    if decision == Decision.REFUSE:
        return workflow_services.application_refuse(application=application, clerk=clerk, reason=refusal_reason)
    return application
