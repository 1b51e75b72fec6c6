"""Notices (文书) as PDF: one per `Notice.Kind`, from the facts of the application, its sub-case
or the record that caused it (a supplement request, a special procedure, an extension).

For each notice this module
- gathers the facts the document states (`notice_content`), masking what a reader of a lost or
  shown copy may not see: the ID number is printed as `4418**********1234`, never whole;
- derives the verification code from them: `digest` is the SHA-256 of the canonical JSON of the
  content; its first 16 hex digits are printed as `1A2B-3C4D-5E6F-7A8B` with the URL of the public
  verification page (`workflow.verification`), which finds the notice by them;
- renders `templates/workflow/notices/<kind>.html` with WeasyPrint (Chinese as real text in the
  embedded Noto Serif CJK SC) and stores the PDF with its file SHA-256.

A notice has a key; generating it again returns the stored one. Keys:
`{application}:{kind}` for the application's notices, `{application}:{kind}:{subcase}` for a
sub-case's, plus `:{suffix}` for the repeatable ones (the supplement request's id; the special
procedure's or extension's id as `context_extra["key_suffix"]`).

Speed (bench/bench_notice.py): every text is set in one face (regular; the title is set apart by
size, not weight), because each face costs a HarfBuzz subset of a 65 535-glyph CJK font and its
compression; the QR code is a one-pixel-per-module PNG drawn without smoothing instead of an SVG
path of hundreds of sub-paths; tables have a fixed layout; the WeasyPrint font configuration is
made once per thread, not once per document (fonts installed later need a worker restart).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.districts import district_full_name, district_name
from accounts.identity import mask, mask_enterprise, mask_name
from accounts.models import Hall, Region
from core.digests import CODE_LENGTH, content_digest, format_code
from core.pdf import qr_png_data_uri, render_template_pdf
from exchange import licence_signing

from . import hooks
from .calendar_store import load_calendar
from .models import Application, CaseLog, Notice, SubCase, SubCaseExtension, SubCasePause, SupplementRequest

logger = logging.getLogger(__name__)

K = Notice.Kind
SUBCASE_KINDS = frozenset({K.SPECIAL_PROCEDURE, K.EXTENSION, K.APPROVAL, K.DENIAL})
REQUIRED_EXTRA = {
    K.SPECIAL_PROCEDURE: ("procedure", "reason", "started_on"),
    K.EXTENSION: ("days", "reason", "new_deadline"),
}
# 补正期限: SupplementRequest has no due date of its own; unless the caller gives one
# (context_extra["deadline"]) the notice asks for the materials within this many working days.
SUPPLEMENT_DAYS = 10


# --- masking and codes ---------------------------------------------------------------------------


def notice_for_code(code: str) -> Notice | None:
    """The notice whose digest starts with a normalised code (16 lower-case hex digits)."""
    if len(code) != CODE_LENGTH:
        return None
    return (
        Notice.objects.filter(digest__startswith=code)
        .select_related("application__applicant", "application__enterprise", "subcase__department")
        .order_by("created_at", "pk")
        .first()
    )


def progress_url(application: Application) -> str:
    return f"{settings.SITE_URL}{reverse('portal:progress')}?number={application.number}"


def verify_url(code: str) -> str:
    return f"{settings.SITE_URL}{reverse('portal:verify')}?code={code}"


# --- who issues it, who may seek review --------------------------------------------------------


def _clerk_hall(clerk, day) -> Hall | None:
    desk = hooks.desk_for(clerk, day) if clerk is not None else None
    return Hall.objects.filter(pk=desk.hall_id).first() if desk is not None else None


def _window_hall(application: Application, kind: str, supplement: SupplementRequest | None) -> Hall | None:
    """The hall that issues a window document: where the clerk who acted sat that day (refusal,
    supplement), else where it was accepted or received."""
    hall = None
    if kind == K.SUPPLEMENT and supplement is not None:
        hall = _clerk_hall(supplement.requested_by, timezone.localdate(supplement.requested_at))
    elif kind == K.REFUSAL:
        entry = (CaseLog.objects.filter(application=application, action="workflow.application.refused")
                 .select_related("actor").order_by("-pk").first())
        if entry is not None:
            hall = _clerk_hall(entry.actor, timezone.localdate(entry.created_at))
    return hall or application.accepted_hall or application.received_hall


def issuer(application: Application, kind: str, subcase: SubCase | None = None,
           supplement: SupplementRequest | None = None) -> tuple:
    """(department, hall) that issues the notice: the decisions by the sub-case's department, the
    window documents by the hall (neither: the service centre itself). Its key signs the notice."""
    if kind in SUBCASE_KINDS:
        return subcase.department, None
    return None, _window_hall(application, kind, supplement)


def application_district(application: Application) -> str:
    """The application's district: its (first) matter's department's, as in its number."""
    region = _application_region(application)
    return region.district_code if region is not None else ""


def centre_name(district_code: str) -> str:
    """The district's service centre, which issues what no hall or department does (a deemed
    acceptance): 清远市清城区综合政务服务中心."""
    return f"{district_full_name(district_code)}综合政务服务中心"


def issuing_district(application: Application, kind: str, subcase: SubCase | None = None,
                     supplement: SupplementRequest | None = None) -> str:
    """The district of the issuer (department or hall; the centre: the application's district)."""
    department, hall = issuer(application, kind, subcase, supplement)
    issuer_region = department.region if department is not None else hall.region if hall is not None else None
    return issuer_region.district_code if issuer_region is not None else application_district(application)


def issuing_body(application: Application, kind: str, subcase: SubCase | None = None,
                 supplement: SupplementRequest | None = None) -> str:
    """The window documents are issued by the hall, the decisions by the department (full name),
    what neither issues by the application's district's service centre."""
    department, hall = issuer(application, kind, subcase, supplement)
    if department is not None:
        return department.name
    return hall.name if hall is not None else centre_name(application_district(application))


def review_authority(region: Region | None) -> str:
    """The people's government that hears an administrative review (行政复议) of a decision of a
    department in `region`: the county-level government (行政复议法 2023, art. 24)."""
    while region is not None and region.level in (Region.Level.TOWN, Region.Level.VILLAGE):
        region = region.parent
    if region is None:
        return "本级人民政府"
    parent = region.parent.name if region.level == Region.Level.DISTRICT and region.parent_id else ""
    return f"{parent}{region.name}人民政府"


def _application_region(application: Application) -> Region | None:
    matter = application.matters.select_related("department__region__parent").order_by("code").first()
    return matter.department.region if matter is not None else None


# --- the content of each kind --------------------------------------------------------------------


@dataclass
class Draft:
    key: str
    content: dict  # what the digest covers
    context: dict  # what the template prints


def _party(application: Application) -> dict:
    if application.enterprise_id:
        enterprise = application.enterprise
        return {"name": enterprise.name, "masked_name": mask_enterprise(enterprise.name),
                "id": mask(enterprise.credit_code)}
    person = application.applicant
    name = person.real_name or person.username
    return {"name": name, "masked_name": mask_name(name), "id": mask(person.id_number or "")}


def _as_date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"context_extra[{field!r}] is not a date: {value!r}") from None


def _subcase_row(s: SubCase) -> dict:
    return {"number": s.number, "matter": s.matter.name, "department": s.department.name,
            "promised_days": s.promised_days, "deadline": s.deadline,
            "deadline_provisional": s.deadline_provisional}


def _facts_acceptance(application, subcase, extra, supplement):
    subcases = application.subcases.select_related("matter", "department").order_by("number")
    return {"accepted_on": application.accepted_on, "deemed": application.deemed_accepted,
            "subcases": [_subcase_row(s) for s in subcases]}


def _facts_refusal(application, subcase, extra, supplement):
    return {"reason": application.refusal_reason, "review_authority": review_authority(_application_region(application))}


def _facts_supplement(application, subcase, extra, supplement):
    requested_on = timezone.localdate(supplement.requested_at)
    deadline = (_as_date(extra["deadline"], "deadline") if extra.get("deadline")
                else load_calendar().add_workdays(requested_on, SUPPLEMENT_DAYS))
    return {
        "items": [{"material": i.get("material", ""), "reason": i.get("reason", "")} for i in supplement.items],
        "note": supplement.note, "requested_on": requested_on, "deadline": deadline,
        "online_url": f"{settings.SITE_URL}{reverse('portal:application', args=[application.number])}",
    }


def _facts_special_procedure(application, subcase, extra, supplement):
    facts = {"matter": subcase.matter.name, "accepted_on": subcase.started_on, "procedure": str(extra["procedure"]),
             "reason": str(extra["reason"]), "started_on": _as_date(extra["started_on"], "started_on")}
    if extra.get("remaining_days") is not None:
        facts["remaining_days"] = int(extra["remaining_days"])
    return facts


def _facts_extension(application, subcase, extra, supplement):
    facts = {"matter": subcase.matter.name, "accepted_on": subcase.started_on, "days": int(extra["days"]),
             "reason": str(extra["reason"]), "new_deadline": _as_date(extra["new_deadline"], "new_deadline")}
    if extra.get("old_deadline"):
        facts["old_deadline"] = _as_date(extra["old_deadline"], "old_deadline")
    return facts


def _facts_decision(application, subcase, extra, supplement):
    matter = subcase.matter
    decided_on = subcase.decided_on or (timezone.localdate(subcase.decided_at) if subcase.decided_at else None)
    facts = {"matter": matter.name, "accepted_on": subcase.started_on, "decided_on": decided_on,
             "reason": subcase.decision_reason, "legal_basis": matter.legal_basis.strip()}
    if subcase.state == SubCase.State.DENIED:
        facts["review_authority"] = review_authority(subcase.department.region)
    elif matter.issues_licence:
        facts["result_name"] = matter.result_name or matter.name
        facts["licence_due"] = subcase.licence_due
        facts["licence_due_provisional"] = subcase.licence_due_provisional
    return facts


def _facts_conclusion(application, subcase, extra, supplement):
    subcases = list(application.subcases.select_related("matter", "department__region__parent").order_by("number"))
    facts = {
        "concluded_on": timezone.localdate(application.concluded_at) if application.concluded_at else None,
        "subcases": [{"number": s.number, "matter": s.matter.name, "department": s.department.name,
                      "result": s.get_state_display(), "reason": s.decision_reason} for s in subcases],
    }
    denied = [s for s in subcases if s.state == SubCase.State.DENIED]
    if denied:
        facts["review_authority"] = review_authority(denied[0].department.region)
    return facts


FACTS = {
    K.ACCEPTANCE: _facts_acceptance,
    K.REFUSAL: _facts_refusal,
    K.SUPPLEMENT: _facts_supplement,
    K.SPECIAL_PROCEDURE: _facts_special_procedure,
    K.EXTENSION: _facts_extension,
    K.APPROVAL: _facts_decision,
    K.DENIAL: _facts_decision,
    K.CONCLUSION: _facts_conclusion,
}


def notice_key(application_id: int, kind: str, subcase_id: int | None = None, suffix: str = "") -> str:
    if suffix and not re.fullmatch(r"[0-9A-Za-z_-]{1,24}", suffix):
        raise ValueError(f"key suffix must be 1-24 letters, digits, _ or -: {suffix!r}")
    key = f"{application_id}:{kind}" + (f":{subcase_id}" if subcase_id is not None else "") + (f":{suffix}" if suffix else "")
    if len(key) > Notice._meta.get_field("key").max_length:
        raise ValueError(f"notice key too long: {key!r}")
    return key


def _check(application: Application, kind: str, subcase: SubCase | None, extra: dict) -> None:
    if kind in SUBCASE_KINDS:
        if subcase is None or subcase.application_id != application.pk:
            raise ValueError(f"a {kind} notice is issued on a sub-case of application {application.pk}")
    elif subcase is not None:
        raise ValueError(f"a {kind} notice is issued on the application, not on a sub-case")
    if kind == K.APPROVAL and subcase.state != SubCase.State.APPROVED:
        raise ValueError(f"sub-case {subcase.number} is not approved")
    if kind == K.DENIAL and subcase.state != SubCase.State.DENIED:
        raise ValueError(f"sub-case {subcase.number} is not denied")
    missing = [field for field in REQUIRED_EXTRA.get(kind, ()) if extra.get(field) in (None, "")]
    if missing:
        raise ValueError(f"a {kind} notice needs context_extra {missing}")


def _supplement_request(application: Application, extra: dict) -> SupplementRequest:
    requests = SupplementRequest.objects.filter(application=application).select_related("requested_by")
    request_id = extra.get("supplement_request_id")
    request = requests.filter(pk=request_id).first() if request_id else requests.order_by("-requested_at", "-pk").first()
    if request is None:
        raise ValueError(f"application {application.pk} has no supplement request {request_id or ''}".strip())
    return request


@dataclass
class _Target:
    kind: K
    key: str
    suffix: str
    extra: dict
    supplement: SupplementRequest | None


def _resolve(application, kind, subcase, context_extra) -> _Target:
    kind = K(kind)  # ValueError for an unknown kind
    extra = dict(context_extra or {})
    _check(application, kind, subcase, extra)
    supplement = _supplement_request(application, extra) if kind == K.SUPPLEMENT else None
    suffix = str(supplement.pk) if supplement is not None else str(extra.get("key_suffix") or "")
    key = notice_key(application.pk, kind, subcase.pk if subcase is not None else None, suffix)
    return _Target(kind=kind, key=key, suffix=suffix, extra=extra, supplement=supplement)


def _build(application: Application, subcase: SubCase | None, target: _Target, issued_on: dt.date) -> Draft:
    kind = target.kind
    party = _party(application)
    body = issuing_body(application, kind, subcase, target.supplement)
    facts = FACTS[kind](application, subcase, target.extra, target.supplement)
    content = {
        "kind": kind.value,
        "application": application.number,
        "subcase": subcase.number if subcase is not None else "",
        "applicant": {"name": party["masked_name"], "id": party["id"]},
        "issued_on": issued_on,
        "issuing_body": body,
        "facts": facts,
    }
    digest = content_digest(content)
    code = format_code(digest)
    context = {
        "kind": kind.value,
        "kind_label": kind.label,
        "application": application,
        "subcase": subcase,
        "applicant_name": party["name"],
        "applicant_id": party["id"],
        "issuing_body": body,
        "issued_on": issued_on,
        "facts": facts,
        "progress_url": progress_url(application),
        "qr_png": qr_png_data_uri(progress_url(application)),
        "code": code,
        "verify_url": verify_url(code),
        "digest": digest,
        "area_name": district_name(issuing_district(application, kind, subcase, target.supplement)),
    }
    return Draft(key=target.key, content=content, context=context)


def build_notice(*, application: Application, kind: str, subcase: SubCase | None = None,
                 context_extra: dict | None = None, issued_on: dt.date | None = None) -> Draft:
    """Everything a notice states, its digest and its template context; nothing is stored."""
    target = _resolve(application, kind, subcase, context_extra)
    return _build(application, subcase, target, issued_on or timezone.localdate())


# --- rendering and storing -----------------------------------------------------------------------

def render_pdf(context: dict) -> bytes:
    return render_template_pdf(f"workflow/notices/{context['kind']}.html", context)


def render_notice_pdf(application: Application, kind: str, *, subcase: SubCase | None = None,
                      context_extra: dict | None = None) -> bytes:
    """The PDF of a notice as it would be issued today, not stored (bench, previews)."""
    return render_pdf(build_notice(application=application, kind=kind, subcase=subcase,
                                   context_extra=context_extra).context)


def issue_notice(*, application: Application, kind: str, subcase: SubCase | None = None,
                 context_extra: dict | None = None) -> tuple[Notice, bool]:
    """`generate_notice`, also saying whether this call made the notice (False: it existed)."""
    target = _resolve(application, kind, subcase, context_extra)
    existing = Notice.objects.filter(key=target.key).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    draft = _build(application, subcase, target, timezone.localdate(now))
    # The issuer's Ed25519 signature over the content digest (exchange.licence_signing), printed
    # with its key id and kept with the notice; the verification page checks it.
    department, hall = issuer(application, target.kind, subcase, target.supplement)
    signed = licence_signing.sign(digest=draft.context["digest"], department=department, hall=hall)
    pdf = render_pdf({**draft.context, "signing_key_id": signed.key.key_id})
    notice = Notice(key=target.key, application=application, subcase=subcase, kind=target.kind,
                    sha256=hashlib.sha256(pdf).hexdigest(), digest=draft.context["digest"],
                    signature=signed.signature, signing_key=signed.key)
    parts = [application.number, target.kind.value, subcase.number[-2:] if subcase else "", target.suffix]
    notice.file.save("-".join(p for p in parts if p) + ".pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:  # made meanwhile by another worker: keep theirs
        notice.file.delete(save=False)
        return Notice.objects.get(key=target.key), False
    # The printed date is the date of `now`; keep created_at (shown on the verification page) on it.
    Notice.objects.filter(pk=notice.pk).update(created_at=now)
    notice.created_at = now
    logger.info("notice %s generated for %s (%d bytes, code %s)", target.key, application.number, len(pdf),
                draft.context["code"])
    return notice, True


def generate_notice(*, application: Application, kind: str, subcase: SubCase | None = None,
                    context_extra: dict | None = None) -> Notice:
    """Issue the notice of `kind` once: render, store and return it; later calls with the same key
    return the stored one.

    `context_extra`: `key_suffix` (repeatable notices); supplement: `supplement_request_id`
    (default: the latest request), `deadline`; special_procedure: `procedure` (its name, e.g.
    专家评审), `reason`, `started_on`, optional `remaining_days`; extension: `days`, `reason`,
    `new_deadline`, optional `old_deadline`. Dates may be ISO strings.
    """
    return issue_notice(application=application, kind=kind, subcase=subcase, context_extra=context_extra)[0]


# --- context from the records that cause sub-case notices ---------------------------------------


def special_procedure_extra(pause: SubCasePause) -> dict:
    return {"procedure": pause.get_kind_display(), "reason": pause.reason, "started_on": pause.started_on,
            "remaining_days": pause.remaining_days, "key_suffix": str(pause.pk)}


def extension_extra(extension: SubCaseExtension) -> dict:
    return {"days": extension.days, "reason": extension.reason, "new_deadline": extension.new_deadline,
            "old_deadline": extension.old_deadline, "key_suffix": str(extension.pk)}


# --- what the verification page shows -----------------------------------------------------------


def verified_facts(notice: Notice) -> dict:
    """The facts of a genuine notice that the public verification page may show."""
    application = notice.application
    supplement = None
    if notice.kind == K.SUPPLEMENT:
        request_id = notice.key.rsplit(":", 1)[-1]
        supplement = SupplementRequest.objects.filter(pk=request_id, application=application).first()
    return {
        "kind": K(notice.kind).label,
        "application_number": application.number,
        "subcase_number": notice.subcase.number if notice.subcase_id else "",
        "issued_on": timezone.localdate(notice.created_at),
        "issuing_body": issuing_body(application, notice.kind, notice.subcase, supplement),
        "applicant": _party(application)["masked_name"],
        "area": district_name(issuing_district(application, notice.kind, notice.subcase, supplement)),
    }
