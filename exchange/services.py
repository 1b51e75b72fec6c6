"""Writes of the exchange platform. Every message is logged once per case and kind, so a task
that runs twice does not send or record twice. The electronic-licence store (电子证照) issues one
licence per sub-case, renders it as a PDF with its verification code, and answers who holds a
valid licence of a kind (免提交 materials)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.districts import district_name
from accounts.identity import mask, mask_name
from core.digests import content_digest, format_code
from core.errors import Conflict, Forbidden, Invalid
from core.pdf import qr_png_data_uri, render_template_pdf

from . import licence_data, licence_identifier, licence_signing
from .departments import active_system, enqueue
from .departments import licence_data as department_licence_data  # noqa: F401 - for workflow
from .models import DepartmentSystem, ElectronicLicence, ExchangeMessage, LicenceSequence

logger = logging.getLogger(__name__)

def record_dispatch(*, department, case_ref: str, payload: dict) -> ExchangeMessage:
    """Dispatch a sub-case to its department, once per sub-case. A department that decides in its
    own system (an active `DepartmentSystem`) gets it pushed: an outbox row written in the
    caller's transaction, delivered by the relay. Otherwise it decides in this portal's back
    office, and the logged hand-over is the dispatch itself."""
    system = active_system(department.pk)
    channel = ExchangeMessage.Channel.DEPARTMENT_SYSTEM if system else ExchangeMessage.Channel.BACK_OFFICE
    message, created = ExchangeMessage.objects.get_or_create(
        kind=ExchangeMessage.Kind.DISPATCH, case_ref=case_ref,
        defaults={"department": department, "payload": payload, "channel": channel},
    )
    if created and system is not None:
        enqueue(department=department, kind="subcase.dispatch", case_ref=case_ref,
                body={"subcase": {"number": case_ref, **payload}, "sent_at": timezone.now().isoformat()})
    return message


def record_withdrawal(*, department, case_ref: str, reason: str) -> None:
    """Tell a department system that a sub-case it holds was withdrawn (in the caller's
    transaction); back-office departments see the state change itself."""
    if decides_elsewhere(case_ref) and active_system(department.pk) is not None:
        enqueue(department=department, kind="subcase.withdrawn", case_ref=case_ref,
                body={"subcase": {"number": case_ref}, "reason": reason, "sent_at": timezone.now().isoformat()})


def record_material(*, department, case_ref: str, material: dict) -> None:
    """Tell a department system that a material of a sub-case it holds was handed in after the
    dispatch (a 容缺 material provided), in the caller's transaction: `material` is
    `{"name", "source", "sha256"}` as in the dispatch. Back-office reviewers see it on the case."""
    if decides_elsewhere(case_ref) and active_system(department.pk) is not None:
        enqueue(department=department, kind="subcase.material", case_ref=case_ref,
                body={"subcase": {"number": case_ref}, "material": material, "sent_at": timezone.now().isoformat()})


def is_system_account(user) -> bool:
    """Whether `user` is the account a department system's decisions are recorded under."""
    return DepartmentSystem.objects.filter(account_id=getattr(user, "pk", None)).exists()


def decides_elsewhere(case_ref: str) -> bool:
    """Whether the sub-case was pushed to its department's own system (decided there)."""
    return ExchangeMessage.objects.filter(kind=ExchangeMessage.Kind.DISPATCH, case_ref=case_ref,
                                          channel=ExchangeMessage.Channel.DEPARTMENT_SYSTEM).exists()


# --- the electronic-licence store ---------------------------------------------------------------


def next_licence_number(*, district_code: str, day: dt.date) -> str:
    """`DZZZ-441803-2026-000123`: 电子证照, the issuing department's district, year, a sequence
    per (district, year) drawn from a locked row (a gap after a rolled-back issue is acceptable,
    a duplicate impossible)."""
    with transaction.atomic():
        LicenceSequence.objects.get_or_create(district=district_code, year=day.year)
        LicenceSequence.objects.filter(district=district_code, year=day.year).update(last=F("last") + 1)
        last = LicenceSequence.objects.select_for_update().get(district=district_code, year=day.year).last
    return f"DZZZ-{district_code}-{day.year}-{last:06d}"


def licence_verify_url(number: str, code: str) -> str:
    return f"{settings.SITE_URL}{reverse('portal:licence_verify')}?number={number}&code={code}"


def render_licence_pdf(context: dict) -> bytes:
    return render_template_pdf("exchange/licence_pdf.html", context)


def licence_issue(
    *, case_ref: str, application_number: str, matter, department, name: str, holder_name: str, holder_id_number: str,
    holder_user=None, holder_enterprise=None, issued_on: dt.date | None = None, valid_until: dt.date | None = None,
    holder_birth_date: dt.date | None = None, guardian_user=None, guardian_name: str = "",
    guardian_id_number: str = "", licence_type=None, data: dict | None = None, form_data: dict | None = None,
) -> tuple[ElectronicLicence, bool]:
    """Put the licence of one approved sub-case into the store, once: a second call (a task run
    twice, two workers at once) returns the stored licence and False. Renders the PDF.
    A holder without an ID number (a newborn) is named with a birth date and a guardian.
    `licence_type` (default: the matter's) checks `data` (the department's licence data) and the
    form's values against its data items — `Invalid` before anything is written — and gives the
    GB/T 36904 identifier when its codes fit."""
    existing = ElectronicLicence.objects.filter(case_ref=case_ref).first()
    if existing is not None:
        return existing, False
    issued_on = issued_on or timezone.localdate()
    if valid_until is not None and valid_until < issued_on:
        raise Invalid(_("证照有效期不能早于发证日期。"), code="invalid_validity")
    if licence_type is None and getattr(matter, "licence_type_id", None):
        licence_type = matter.licence_type
    items = licence_data.licence_data(licence_type, data, form_data) if licence_type is not None else {}
    number = next_licence_number(district_code=department.region.district_code, day=issued_on)
    identifier = ""
    if licence_type is not None and licence_identifier.fits(licence_type.code, licence_type.issuer_code):
        identifier = licence_identifier.make(type_code=licence_type.code, issuer_code=licence_type.issuer_code,
                                             serial=licence_identifier.serial_of(number))
    masked = mask(holder_id_number or "")
    content = {
        "number": number, "name": name, "holder": holder_name, "holder_id": masked, "department": department.name,
        "matter": matter.code, "case": case_ref, "application": application_number, "issued_on": issued_on,
        "valid_from": issued_on, "valid_until": valid_until,
    }
    if holder_birth_date is not None or guardian_name:  # only then, so other licences' content is unchanged
        content.update(holder_birth_date=holder_birth_date, guardian=mask_name(guardian_name))
    if identifier:  # likewise: licences without an identifier or data keep their content as it was
        content["identifier"] = identifier
    if items:
        content["data"] = items
    digest = content_digest(content)
    code = format_code(digest)
    verify_url = licence_verify_url(number, code)
    pdf = render_licence_pdf({
        **content, "code": code, "verify_url": verify_url, "qr_png": qr_png_data_uri(verify_url),
        "legal_basis": (matter.legal_basis or "").strip(), "matter_name": matter.name,
        "data_rows": licence_data.labelled(licence_type, items),
        "area_name": district_name(department.region.district_code),
    })
    licence = ElectronicLicence(
        number=number, case_ref=case_ref, application_number=application_number, name=name, matter=matter,
        department=department, holder_name=holder_name, holder_id_number=holder_id_number or "",
        holder_id_masked=masked, holder_user=holder_user, holder_enterprise=holder_enterprise, issued_on=issued_on,
        valid_from=issued_on, valid_until=valid_until, sha256=hashlib.sha256(pdf).hexdigest(), digest=digest,
        holder_birth_date=holder_birth_date, guardian_user=guardian_user, guardian_name=guardian_name or "",
        guardian_id_number=guardian_id_number or "", licence_type=licence_type, identifier=identifier, data=items,
    )
    licence.file.save(f"{number}.pdf", ContentFile(pdf), save=False)
    signed = licence_signing.sign(department=department, digest=digest)  # the issuer's Ed25519 signature
    licence.signature, licence.signing_key = signed.signature, signed.key
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError:  # issued meanwhile by another worker: keep theirs
        licence.file.delete(save=False)
        return ElectronicLicence.objects.get(case_ref=case_ref), False
    logger.info("licence %s issued for %s (%d bytes, code %s)", number, case_ref, len(pdf), code)
    return licence, True


def licences_for_cases(case_refs) -> dict[str, ElectronicLicence]:
    return {lic.case_ref: lic for lic in ElectronicLicence.objects.filter(case_ref__in=list(case_refs))}


@transaction.atomic
def licence_revoke(*, licence: ElectronicLicence, reason: str, by=None) -> ElectronicLicence:
    """Revoke (注销/撤销) a licence: it stays in the store and the verification page says so.
    `by`: who revoked it (a reviewer of the issuing department, on its 本部门证照 page)."""
    if by is not None and not (by.is_reviewer and by.department_id == licence.department_id):
        raise Forbidden(_("只有发证部门的审批人员可以注销该证照。"), code="not_issuing_department")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("请填写注销原因。"), code="reason_required", fields={"reason": [_("请填写注销原因。")]})
    licence = ElectronicLicence.objects.select_for_update().get(pk=licence.pk)
    if licence.revoked_at is not None:
        raise Conflict(_("该证照已注销。"), code="already_revoked")
    licence.revoked_at = timezone.now()
    licence.revocation_reason = reason[:255]
    licence.revoked_by = by
    licence.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    logger.info("licence %s revoked: %s", licence.number, reason)
    return licence


def valid_licence_for(*, holder_id_number: str, name: str, day: dt.date | None = None) -> ElectronicLicence | None:
    """The newest licence named `name` that the holder (ID number or credit code) holds, or holds
    as the guardian of its holder (a newborn's 出生医学证明), and that is valid on `day`: not
    revoked, not expired. For 免提交 materials."""
    if not holder_id_number or not name:
        return None
    day = day or timezone.localdate()
    return (
        ElectronicLicence.objects.filter(ElectronicLicence.held_by(holder_id_number), name=name, revoked_at__isnull=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .order_by("-issued_on", "-pk").first()
    )
