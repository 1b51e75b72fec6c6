"""Every write on applications and sub-cases: one function per use case, keyword-only, atomic.

Each transition locks the row (`select_for_update`, so two clerks acting at once queue up and
the second finds the state changed), runs the django-fsm transition (guards only), saves, writes
one append-only CaseLog row, and queues Celery work on commit with ids.

Work queued on commit is `robust`: when the broker is down the acceptance still stands (it is
committed) and `recover_stalled` re-queues what did not run.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, has_transition_perm

from accounts.identity import IdentityError, validate_phone
from accounts.models import EnterpriseMembership, Hall
from accounts.selectors import authorisation_covering
from core.clock import law
from core.clock.law import LICENCE_DAYS, MAX_EXTENSION_DAYS, PRE_REVIEW_DAYS  # noqa: F401  (re-exported)
from core.errors import Conflict, Forbidden, Invalid
from core.numbers import is_small_int
from core.uploads import StreamedFiles
from exchange import exemptions
from exchange import services as exchange_services
from exchange.models import LicenceType
from matters.models import MaterialRequirement, Matter, Target
from matters.oneform import clean_form_data, form_fields, material_requirements
from matters.versioning import current_versions

from . import enqueue, hooks, rules
from .calendar_store import load_calendar
from .exchange_payload import material_entry, subcase_payload
from .models import (
    Application,
    CaseLog,
    Channel,
    DeliveryMethod,
    Material,
    NumberSequence,
    Source,
    SubCase,
    SubCaseExtension,
    SubCasePause,
    SupplementRepeatPermit,
    SupplementRequest,
)
from .uploads import inspect_upload

logger = logging.getLogger(__name__)

DEFERRED_DAYS = 5  # 容缺受理: the default working days for a minor material to follow


def _today():
    """Beijing date of now (tests move the clock with time-machine)."""
    return timezone.localdate()


def log_case(application, *, actor, action, from_state="", to_state="", note="", subcase=None, data=None):
    return CaseLog.objects.create(
        application=application, subcase=subcase, actor=actor, action=action,
        from_state=from_state, to_state=to_state, note=note, data=data or {},
    )


@transaction.atomic
def application_looked_up(*, application, clerk, kind: str, outside_lists: bool = False) -> CaseLog:
    """A clerk opened an application found by the workbench search, or read a case outside her
    lists by its number (`outside_lists`, from `selectors.access_application`): logged on the
    case, so the applicant and supervisors can see who read it and how it was found."""
    how = {"number": _("按办件编号"), "id_number": _("按证件号码"), "name": _("按姓名或名称")}.get(kind, "")
    if outside_lists:
        note = _("窗口人员查阅本人清单以外的办件(%(how)s)") % {"how": how or _("按办件编号")}
    else:
        note = _("窗口工作台检索后查阅(%(how)s)") % {"how": how} if how else _("窗口工作台检索后查阅")
    return log_case(application, actor=clerk, action="workflow.application.looked_up", note=note,
                    data={"kind": kind, "outside_lists": outside_lists})


def _transition(obj, method_name: str, *, by=None):
    """Run an fsm transition. `by`: the person taking it, checked against the transition's
    `permission=` (rules.py) first — who may not is told why (Forbidden) — then the state: 'not
    allowed from this state' becomes a Conflict for people. No `by`: a step of the system (art.
    32's deemed acceptance, dispatch, conclusion, electronic delivery)."""
    method = getattr(obj, method_name)
    if by is not None and not has_transition_perm(method, by):
        refused = rules.refusal(method, by)
        if refused is not None:
            raise refused
    try:
        method()
    except TransitionNotAllowed:
        raise Conflict(
            _("当前状态为“%(state)s”,不能执行该操作。请刷新页面查看最新状态。") % {"state": obj.get_state_display()},
            code="state_conflict",
        ) from None


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# --- numbers ---------------------------------------------------------------------------------


def next_application_number(*, type_code: str, district_code: str, day=None) -> str:
    """`441803-2026-XK-000123`: district, year, matter type, a sequence per (district, year, type).
    The district is the (first) matter's department's (docs/decisions.md, issue 15).

    Concurrent submissions never get the same number; a rolled-back submission leaves a gap,
    which is acceptable. On PostgreSQL the number comes from a database sequence per prefix
    (`nextval`, no row lock held until the submission commits), created on first use; elsewhere
    (SQLite, whose writers are one at a time anyway) from the prefix's counter row, raised and
    read in one statement."""
    day = day or _today()
    prefix = f"{district_code}-{day.year}-{type_code}"
    return f"{prefix}-{_draw_number(prefix):06d}"


def _sequence_name(prefix: str) -> str:
    return "workflow_number_" + re.sub(r"[^0-9a-z]+", "_", prefix.lower())


def _draw_number(prefix: str) -> int:
    from django.db import connection

    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {NumberSequence._meta.db_table} (prefix, last) VALUES (%s, 1) "
                "ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last", [prefix])
            return cursor.fetchone()[0]
    name = _sequence_name(prefix)
    with connection.cursor() as cursor:
        # the cast at run time, not when the statement is parsed: a missing sequence gives NULL
        cursor.execute("SELECT CASE WHEN to_regclass(%s::text) IS NULL THEN NULL ELSE nextval(%s::text::regclass) END",
                       [name, name])
        number = cursor.fetchone()[0]
        if number is None:
            number = _create_sequence(cursor, prefix, name)
    return number


def _create_sequence(cursor, prefix: str, name: str) -> int:
    """The first number of a (year, type) on PostgreSQL: create its sequence, starting after the
    numbers the counter row (the scheme before sequences) already gave. Creators of the same
    sequence wait for each other on an advisory lock held by the first until it commits."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
    cursor.execute("SELECT last FROM " + NumberSequence._meta.db_table + " WHERE prefix = %s", [prefix])
    row = cursor.fetchone()
    start = (row[0] if row else 0) + 1
    cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH {int(start)}')
    cursor.execute("SELECT nextval(%s)", [name])
    return cursor.fetchone()[0]


# --- submission ------------------------------------------------------------------------------


def _check_agent(*, agent, applicant, enterprise, matters, day):
    """委托代办: the agent must hold, on `day`, an authorisation from this principal (person or
    enterprise) naming every matter applied for. The form only offers such principals; this is
    the check that counts."""
    authorisation = authorisation_covering(agent=agent, principal=applicant, enterprise=enterprise,
                                           matter_ids={m.pk for m in matters}, day=day)
    if authorisation is None:
        raise Forbidden(
            _("%(agent)s 没有 %(principal)s 对所选事项的有效委托(委托须在有效期内、未撤销,并包含全部所选事项),不能代为申请。")
            % {"agent": agent.real_name, "principal": enterprise.name if enterprise is not None else applicant.real_name},
            code="agent_not_authorised",
        )
    return authorisation


def behalf_note(application, actor) -> str:
    """"代办人 张三 代 李四" when `actor` is the application's agent, else ""."""
    if actor is None or not application.agent_id or actor.pk != application.agent_id:
        return ""
    principal = application.enterprise.name if application.enterprise_id else application.applicant.real_name
    return _("代办人 %(agent)s 代 %(principal)s") % {"agent": actor.real_name, "principal": principal}


def _behalf_data(application, actor) -> dict:
    if not behalf_note(application, actor):
        return {}
    return {"agent": actor.pk, "on_behalf_of": application.applicant_id,
            "authorisation": application.agent_authorisation_id}


def _join(*parts) -> str:
    return ";".join(p for p in parts if p)


def _check_applicant(*, applicant, enterprise, category, channel, establishes_entity=False):
    if category == Target.LEGAL:
        if enterprise is None and establishes_entity:
            return  # the company is being set up by this very application
        if enterprise is None:
            raise Invalid(_("法人事项须以企业名义申请,请选择办事企业。"), code="enterprise_required")
        # Online only registered staff act for an enterprise; at the window the clerk checks the
        # power of attorney (授权委托书) on paper, and the log says so.
        if channel == Channel.ONLINE and not EnterpriseMembership.objects.filter(enterprise=enterprise, user=applicant).exists():
            raise Forbidden(_("您不是该企业的经办人,不能以其名义申请。"), code="not_enterprise_member")
    elif enterprise is not None:
        raise Invalid(_("个人事项不能以企业名义申请。"), code="enterprise_not_allowed")


def chosen_reports(*, applicant, enterprise, requirements, reports) -> tuple[dict, dict]:
    """The delivered intermediary reports the applicant chose (`reports`: {requirement id: contract
    id}) checked against what the market offers the applicant's side for these requirements (one
    look-up for them all, none when nothing was chosen): ({requirement id: ReportOffer}, errors).
    A report of another owner, not delivered, or of a service the matter does not need is refused."""
    picks = {int(k): v for k, v in (reports or {}).items() if str(v).strip() not in ("", "0")}
    if not picks:
        return {}, {}
    offers = hooks.report_offers(applicant=applicant, enterprise=enterprise, requirements=requirements)
    chosen, errors = {}, {}
    for requirement_id, contract_id in picks.items():
        offer = next((o for o in offers.get(requirement_id, []) if str(o.contract_id) == str(contract_id)), None)
        if offer is None:
            errors[f"material_{requirement_id}"] = [
                _("所选中介服务成果不能用于该材料:只能使用本人或本单位作为项目业主、已交付的需要该项服务的成果。")]
        else:
            chosen[requirement_id] = offer
    return chosen, errors


def _plan_materials(*, requirements, files, received_at_window=(), require_all, required_ids=frozenset(),
                    exempt=None, reports=None):
    """Check the files for the requirements and decide each material's source; returns
    (plan, errors) so that a form's and its materials' problems are reported together.
    `exempt`: `exchange.exemptions` outcomes by requirement id (免提交): an obtained one is
    recorded from its source, one that was not is handed in like any other, with the reason.
    `reports`: the intermediary reports chosen by requirement id (`chosen_reports`)."""
    errors = {}
    planned = []
    exempt = exempt or {}
    reports = reports or {}
    for requirement in requirements:
        field = f"material_{requirement.pk}"
        upload = files.get(field)
        outcome = exempt.get(requirement.pk)
        report = reports.get(requirement.pk)
        if report is not None and upload is not None:
            errors[field] = [_("“%(name)s”请在上传文件和使用中介服务成果之间选择一项。") % {"name": requirement.name}]
        elif report is not None:
            planned.append((requirement, None, Material.Source.INTERMEDIARY, {"report": report}))
        elif outcome is not None and outcome.obtained and upload is None:
            planned.append((requirement, None, Material.Source(outcome.kind), {"outcome": outcome}))
        elif outcome is None and requirement.source != MaterialRequirement.Source.APPLICANT:
            planned.append((requirement, None, Material.Source(requirement.source), {}))
        elif upload is not None:
            try:
                info = inspect_upload(upload, field=field, digest=False)  # hashed while stored
            except Invalid as exc:
                errors.update(exc.fields)
                continue
            planned.append((requirement, upload, Material.Source.UPLOAD, info))
        elif requirement.pk in received_at_window:
            planned.append((requirement, None, Material.Source.WINDOW, {}))
        elif (requirement.required or requirement.pk in required_ids) and require_all:
            errors[field] = [outcome.message if outcome is not None and outcome.message
                             else _("请上传“%(name)s”。") % {"name": requirement.name}]
    return planned, errors


def _may_query_enterprise(*, applicant, asked_by, enterprise) -> bool:
    """An enterprise's data is asked for on its behalf only by its registered staff (经办人) or
    their agent, online, or by a window clerk who checks the power of attorney on paper."""
    if enterprise is None or applicant is None:
        return False
    if getattr(asked_by, "is_clerk", False):
        return True
    return EnterpriseMembership.objects.filter(enterprise=enterprise, user=applicant).exists()


def exemption_preview(*, applicant, asked_by, enterprise, matters, requirements):
    """免提交/免填 for an apply page, before submitting: the data sources queried now (each query
    logged) unless a recent answer covers them (exchange.exemptions.current). On an enterprise's
    application the enterprise sources (企业登记) are asked about the enterprise, by its credit code."""
    holder = enterprise.credit_code if enterprise is not None else (getattr(applicant, "id_number", "") or "")
    subject_enterprise = enterprise if _may_query_enterprise(applicant=applicant, asked_by=asked_by,
                                                             enterprise=enterprise) else None
    return exemptions.current(requirements=requirements, matters=matters, subject=applicant, holder_id_number=holder,
                              asked_by=asked_by, enterprise=subject_enterprise)


def exemption_outcomes(*, applicant, enterprise, matters, requirements):
    """免提交/免填 as the apply pages fetched them (exchange.exemptions.recorded: nothing is sent
    from inside the submission's transaction)."""
    holder = enterprise.credit_code if enterprise is not None else (applicant.id_number or "")
    return exemptions.recorded(requirements=requirements, matters=matters, subject=applicant, holder_id_number=holder,
                               enterprise=enterprise)


def _holder_id(application) -> str:
    """The ID number or credit code under which the applicant's licences are stored."""
    if application.enterprise_id:
        return application.enterprise.credit_code
    return application.applicant.id_number or ""


def _save_materials(application, planned, *, actor, new=False):
    """Store the checked plan of `_plan_materials`: files saved, 免提交 materials recorded by source.
    A material from the e-licence store names the applicant's valid licence of that name (its
    number and file digest) when the store holds one: every name looked up in one query. The rows
    are written in one INSERT; on a resubmission (`new` False) what was handed in before for the
    same requirements (补正) becomes their history. Returns the written materials."""
    from exchange.selectors import valid_licences_for

    licence_names = [r.name for r, _u, source, _i in planned if source == Material.Source.LICENCE]
    licences = valid_licences_for(holder_id_number=_holder_id(application), names=licence_names) \
        if licence_names else {}
    materials = []
    files = StreamedFiles(Material._meta.get_field("file"))  # the directory made once, each file one create
    for requirement, upload, source, info in planned:
        material = Material(
            application=application, requirement=requirement, name=requirement.name, source=source, added_by=actor,
            reference="" if source != Material.Source.WINDOW else _("窗口核验原件"),
        )
        if source == Material.Source.LICENCE and requirement.name in licences:
            licence = licences[requirement.name]
            material.reference, material.sha256 = licence.number, licence.sha256
        if "outcome" in info:  # 免提交: the licence number or the data query it came from
            outcome = info["outcome"]
            material.reference, material.sha256, material.data_query_id = outcome.reference, outcome.sha256, \
                outcome.query_id
        if "report" in info:  # 中介服务成果: the delivered file itself (write-once on both sides), not a copy
            report = info["report"]
            material.reference, material.sha256, material.size = report.reference, report.sha256, report.size
            material.original_name, material.content_type = report.original_name[:255], report.content_type
            material.file.name = report.file_name
            material.report_contract_id = report.contract_id  # for the market's ReportUse row
        if upload is not None:
            material.original_name = upload.name[:255]
            material.content_type = info["content_type"]
            material.size = info["size"]
            material.sha256 = files.save(material.file, upload, extension=info["extension"])  # read once
        materials.append(material)
    if not materials:
        return materials
    Material.objects.bulk_create(materials)
    hooks.record_report_uses([m for m in materials if m.source == Material.Source.INTERMEDIARY], actor=actor)
    if new:
        return materials
    new_ids = [m.pk for m in materials]
    earlier = set(Material.objects.filter(
        application=application, requirement__in=[m.requirement_id for m in materials], replaced_by__isnull=True,
    ).exclude(pk__in=new_ids).values_list("requirement_id", flat=True))
    for material in materials:  # only on a resubmission: the earlier ones become this one's history
        if material.requirement_id in earlier:
            Material.objects.filter(application=application, requirement_id=material.requirement_id,
                                    replaced_by__isnull=True).exclude(pk__in=new_ids).update(
                replaced_by=material, replaced_at=material.added_at)
    return materials


@dataclass(frozen=True)
class Submission:
    """One application as it is handed in, online or at a window: the applicant (the principal),
    the matters (of a theme or chosen), the one form's values and the material files
    (`material_<requirement id>`). `requirements`/`required_ids`/`situation`: as a theme's
    situation answers decided them (matters.questions), else every material of the matters.
    `agent`: the person acting under a 委托代办 authorisation of the applicant (or of the
    enterprise); the applicant stays the principal and the log says who acted on whose behalf.
    `delivery`: how the result is received (see `clean_delivery`); by default at the window of
    the hall that received it (online: the hall that accepts it). Submitting twice with the same
    `idempotency_key` returns the first application."""

    applicant: object
    matters: list
    form_data: dict
    files: dict | None = None
    theme: object = None
    enterprise: object = None
    idempotency_key: str = ""
    requirements: list | None = None
    required_ids: frozenset = frozenset()
    situation: dict | None = None
    agent: object = None
    delivery: dict | None = None
    source: str = Source.NONE  # 上门办理 (received at home) or 帮办 (filled with a help-desk clerk)
    helper: object = None  # 帮办: the clerk who filled it in with the applicant (the log names her)
    reports: dict | None = None  # 中介服务成果 chosen: {requirement id: contract id} (`chosen_reports`)


@transaction.atomic
def application_submit(*, submission: Submission) -> Application:
    """Online (网上申办): the applicant or their agent submits; every required material the
    applicant must bring has to be uploaded. Staff are refused (they register at a window)."""
    return _submit(submission, channel=Channel.ONLINE, created_by=submission.agent or submission.applicant)


@transaction.atomic
def application_submit_assisted(*, submission: Submission, helper) -> Application:
    """帮办: a help-desk clerk filled the application in with the applicant, who confirmed it on
    the spot (windows.help_desk checks the confirmation); it is the applicant's own online
    application, and its log says who helped."""
    return _submit(replace(submission, source=Source.HELP_DESK, helper=helper, agent=None), channel=Channel.ONLINE,
                   created_by=submission.applicant)


@transaction.atomic
def application_receive_at_window(*, submission: Submission, clerk, hall_id, received=()) -> Application:
    """A window registers what the applicant hands over (windows.services drives it: accept on
    the spot, one-time notice or refusal): `received` names the requirements whose originals the
    clerk checked; what is missing is left for the one-time notice."""
    return _submit(submission, channel=Channel.WINDOW, created_by=clerk, hall_id=hall_id,
                   received_at_window=received)


def _bind_versions(application, matters) -> None:
    """Bind the new application to the guide version each matter shows now, in one INSERT … SELECT;
    when a current version was never frozen (the first application after a guide changed), freeze
    it (`current_versions`) and bind again."""
    from django.db import connection

    through = Application.matter_versions.through
    version_table = through._meta.get_field("matterversion").related_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {through._meta.db_table} (application_id, matterversion_id) "
            f"SELECT %s, v.id FROM {version_table} v JOIN {Matter._meta.db_table} m "
            f"ON m.id = v.matter_id AND v.number = m.version WHERE m.id IN ({', '.join(['%s'] * len(matters))})",
            [application.pk, *[m.pk for m in matters]])
        if cursor.rowcount == len(matters):
            return
    through.objects.filter(application_id=application.pk).delete()
    through.objects.bulk_create([through(application_id=application.pk, matterversion_id=v.pk)
                                 for v in current_versions(matters)])


def _submit(submission: Submission, *, channel, created_by, hall_id=None, received_at_window=()) -> Application:
    """The shared core of both channels: checks, the material plan, the form, then one write."""
    applicant, enterprise, theme, agent = (submission.applicant, submission.enterprise, submission.theme,
                                           submission.agent)
    matters, form_data, idempotency_key = submission.matters, submission.form_data, submission.idempotency_key
    requirements, required_ids = submission.requirements, submission.required_ids
    situation, delivery = submission.situation, submission.delivery
    files = submission.files or {}
    refused = rules.submitter.refusal(Application(channel=channel), created_by)  # before anything is read
    if refused is not None:
        raise refused
    if idempotency_key:
        existing = Application.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    matters = list(matters)
    if not matters:
        raise Invalid(_("请至少选择一个事项。"), code="no_matter")
    if any(not m.is_active for m in matters):
        raise Invalid(_("所选事项已停用。"), code="matter_inactive")
    categories = {m.target for m in matters}
    if len(categories) != 1:
        raise Invalid(_("个人事项和法人事项不能在同一办件中申请。"), code="mixed_categories")
    category = categories.pop()
    authorisation = None
    if agent is not None:
        authorisation = _check_agent(agent=agent, applicant=applicant, enterprise=enterprise, matters=matters,
                                     day=_today())
    _check_applicant(
        applicant=applicant, enterprise=enterprise, category=category, channel=channel,
        establishes_entity=any(m.establishes_entity for m in matters),
    )
    if requirements is None:
        requirements = material_requirements(matters)
    elif any(r.matter_id not in {m.pk for m in matters} for r in requirements):
        raise Invalid(_("申请材料与所选事项不符。"), code="invalid_materials")
    exempt = exemption_outcomes(applicant=applicant, enterprise=enterprise, matters=matters, requirements=requirements)
    reports, report_errors = chosen_reports(applicant=applicant, enterprise=enterprise, requirements=requirements,
                                            reports=submission.reports)
    planned, material_errors = _plan_materials(
        requirements=requirements, files=files, received_at_window=set(received_at_window),
        required_ids=frozenset(required_ids),
        require_all=channel == Channel.ONLINE, exempt=exempt.materials, reports=reports,
    )
    material_errors.update(report_errors)
    delivery_values, delivery_errors = clean_delivery(matters=matters, delivery=delivery, default_hall_id=hall_id)
    try:
        cleaned = clean_form_data(form_fields(matters), form_data)
    except Invalid as exc:
        # One banner for everything the page marks: the form's fields, the materials and the
        # delivery choice, counted together (issue 17: "1 处" over three marked fields).
        every = {**exc.fields, **material_errors, **delivery_errors}
        raise Invalid(_("表单有 %(n)s 处需要修改。") % {"n": len(every)}, code="invalid_form", fields=every) from None
    if material_errors:
        every = {**material_errors, **delivery_errors}
        raise Invalid(_("申请材料有 %(n)s 处需要处理。") % {"n": len(every)} if not delivery_errors
                      else _("表单有 %(n)s 处需要修改。") % {"n": len(every)}, code="invalid_materials", fields=every)
    if delivery_errors:
        raise Invalid(_("结果领取方式有误,请核对。"), code="invalid_delivery", fields=delivery_errors)

    now = timezone.now()
    day = law.receipt_day(now)
    pre_review = law.pre_review_due(load_calendar(), day)  # art. 32, online and at a window alike
    type_code = "YJ" if theme is not None else matters[0].type_code
    application = Application(
        applicant=applicant, enterprise=enterprise, category=category, theme=theme,
        title=theme.name if theme is not None else "、".join(m.name for m in matters),
        form_data=cleaned, channel=channel, idempotency_key=idempotency_key, created_by=created_by,
        received_hall_id=hall_id, submitted_at=now, first_submitted_at=now, situation=situation or {},
        source=submission.source,
        agent=agent, agent_authorisation=authorisation, received_on=day,
        pre_review_due=pre_review.day, pre_review_due_provisional=pre_review.provisional,
        number=next_application_number(type_code=type_code, day=day,
                                       district_code=matters[0].department.region.district_code),
        **delivery_values,
    )
    _transition(application, "submit", by=created_by)
    if idempotency_key:
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:
            existing = Application.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing  # a concurrent twin won the race; it is the same submission
            raise
    else:
        application.save()
    # the matters and the guides it was submitted under: one INSERT each, the application is new
    Application.matters.through.objects.bulk_create(
        [Application.matters.through(application_id=application.pk, matter_id=m.pk) for m in matters])
    _bind_versions(application, matters)
    materials = _save_materials(application, planned, actor=created_by, new=True)
    exemptions.record(case_ref=application.number, matters=matters, requirements=requirements, outcomes=exempt,
                      used_materials=[r.pk for r, _upload, _source, info in planned if "outcome" in info],
                      form_data=cleaned)
    if agent is not None:
        how = _("网上代为申请") if channel == Channel.ONLINE else _("窗口收件,已核验代办人身份及委托")
        note = _join(behalf_note(application, agent), how,
                     _("委托有效期 %(from)s 至 %(to)s") % {"from": authorisation.starts_on, "to": authorisation.ends_on})
        data = _behalf_data(application, agent)
    else:
        note = _("网上申办") if channel == Channel.ONLINE else (
            _("窗口收件,已核验经办人身份及授权委托书") if enterprise is not None else _("窗口收件,已核验申请人身份")
        )
        data = None
    if submission.source == Source.HOME_VISIT:
        note = _join(_("上门办理:窗口人员到申请人住所收件"), note)
        data = {**(data or {}), "source": Source.HOME_VISIT}
    elif submission.source == Source.HELP_DESK and submission.helper is not None:
        note = _join(_("帮办:由窗口人员 %(name)s 协助填报,申请人以手机验证码当场确认后提交") % {
            "name": submission.helper.real_name}, note)
        data = {**(data or {}), "source": Source.HELP_DESK, "helped_by": submission.helper.pk}
    entry = log_case(
        application, actor=created_by, action="workflow.application.submitted", from_state=Application.State.DRAFT,
        to_state=application.state, note=note, data=data,
    )
    # what was written, for an answer built without reading it again (selectors.prime_detail)
    application.written = {"matters": matters, "materials": materials, "log": [entry]}
    return application


# --- the window: accept, supplement, refuse, deliver ---------------------------------------


def _create_subcases(application, *, accepted_on, now):
    calendar = load_calendar()
    matters = sorted(application.matters.all(), key=lambda m: m.code)
    versions = {v.matter_id: v for v in application.matter_versions.all()}
    subcases = []
    for seq, matter in enumerate(matters, start=1):
        version = versions.get(matter.pk)  # the promised limit of the guide it was submitted under
        days = version.promised_days if version is not None else matter.promised_days
        deadline = law.decision_deadline(calendar, accepted_on=accepted_on, limit_days=days)
        subcases.append(
            SubCase(
                number=f"{application.number}-{seq:02d}", application=application, matter=matter,
                matter_version=version, department_id=matter.department_id, accepted_by_id=application.accepted_by_id,
                promised_days=days,
                started_on=accepted_on, deadline=deadline.day, deadline_provisional=deadline.provisional,
                dispatched_at=now,
                yellow_from=law.yellow_from(calendar, start=accepted_on, deadline=deadline.day, limit_days=days),
            )
        )
    SubCase.objects.bulk_create(subcases)
    return subcases


def _accept(application, *, actor, hall_id, accepted_on, action, note=""):
    """Accept a locked application: split it into sub-cases whose clocks start on `accepted_on`,
    log, and queue dispatch and the acceptance notice after commit."""
    from_state = application.state
    _transition(application, "accept", by=actor)
    now = timezone.now()
    application.accepted_at = now
    application.accepted_on = accepted_on
    application.accepted_by = actor
    application.accepted_hall_id = hall_id
    if application.delivery_method == DeliveryMethod.HALL and application.pickup_hall_id is None:
        application.pickup_hall_id = hall_id  # not chosen online: where it was accepted
    application.save()
    subcases = _create_subcases(application, accepted_on=accepted_on, now=now)
    log_case(
        application, actor=actor, action=action, from_state=from_state, to_state=application.state, note=note,
        data={"subcases": [s.number for s in subcases]},
    )
    hooks.fee_event(application, "accepted")
    enqueue.dispatch_subcases(application.pk)
    enqueue.generate_notice(application.pk, "acceptance")
    return application


def _received_on(application):
    return application.received_on or law.receipt_day(application.submitted_at)


def _deemed_note(application):
    return _("窗口未在%(due)s前作出是否受理的决定,依《行政许可法》第三十二条,自收到申请之日(%(day)s)起即为受理。") % {
        "due": application.pre_review_due.isoformat(), "day": _received_on(application).isoformat()}


def _deem_if_due(application, *, today) -> bool:
    """On a locked application: art. 32's 5 working days are over without a decision, so it is
    accepted as of the day of receipt, now. Returns whether it was."""
    if application.state != Application.State.SUBMITTED or not law.is_deemed_accepted(
            due=application.pre_review_due, today=today):
        return False
    application.deemed_accepted = True
    _accept(application, actor=None, hall_id=None, accepted_on=_received_on(application),
            action="workflow.application.deemed_accepted", note=_deemed_note(application))
    return True


def apply_deemed_acceptance(*, application_id: int, today=None) -> bool:
    """Art. 32 decided when it is needed: on every read of the case and before every action, not
    only by the daily task (a stopped worker cannot delay it). One transaction; safe to repeat."""
    with transaction.atomic():
        application = _locked(Application, application_id)
        done = _deem_if_due(application, today=today or _today())
    if done:
        logger.warning("deemed accepted (art. 32): %s", application.number)
    return done


def _refuse_if_deemed(application):
    """A clerk's supplement notice or refusal after the 5th working day: the law has accepted."""
    if application.deemed_accepted:
        raise Conflict(
            _("依《行政许可法》第三十二条,收到申请之日起5个工作日内(至%(due)s)未作出决定,该申请已自收到申请之日"
              "(%(day)s)起视为受理,不能再一次性告知补正或不予受理。") % {
                "due": application.pre_review_due.isoformat() if application.pre_review_due else "-",
                "day": (application.accepted_on or _received_on(application)).isoformat()},
            code="deemed_accepted",
        )


@transaction.atomic
def application_accept(*, application: Application, clerk, deferred=(), deferred_until=None) -> Application:
    """Accept at the window. 容缺受理: `deferred` names requirement ids of minor materials
    (marked deferrable in the catalog) that may follow by `deferred_until`.

    After the 5th working day (art. 32) the acceptance records the day of receipt, whatever day
    the clerk acts: a late acceptance cannot lengthen the decision clock."""
    desk = rules.clerk_desk(clerk, application=application)
    application = _locked(Application, application.pk)
    if application.state == Application.State.ACCEPTED and application.deemed_accepted:
        raise Conflict(_deemed_note(application), code="deemed_accepted")
    today = _today()
    deemed = application.state == Application.State.SUBMITTED and law.is_deemed_accepted(
        due=application.pre_review_due, today=today)
    if deferred:
        _defer_materials(application, clerk=clerk, requirement_ids=set(deferred), due_on=deferred_until)
    notes = [_("容缺受理,%(n)s 项材料限期补交") % {"n": len(set(deferred))}] if deferred else []
    if deemed:
        application.deemed_accepted = True
        notes.append(_deemed_note(application))
    accepted_on = law.acceptance_day(received_on=_received_on(application), due=application.pre_review_due,
                                     today=today)
    return _accept(application, actor=clerk, hall_id=desk.hall_id, accepted_on=accepted_on,
                   action="workflow.application.deemed_accepted" if deemed else "workflow.application.accepted",
                   note=_join(*notes))


def _defer_materials(application, *, clerk, requirement_ids, due_on):
    today = _today()
    if due_on is None or due_on <= today:
        raise Invalid(_("容缺受理须写明补交期限,且不早于明天。"), code="invalid_deferred_until",
                      fields={"deferred_until": [_("请填写补交期限。")]})
    have = set(application.materials.exclude(source=Material.Source.DEFERRED).values_list("requirement_id", flat=True))
    requirements = {r.pk: r for r in material_requirements(application.matters.all())}
    bad = [pk for pk in requirement_ids if pk not in requirements or not requirements[pk].deferrable or pk in have]
    if bad:
        raise Invalid(_("只有目录中标注为“容缺”且尚未提交的材料可以容缺受理。"), code="not_deferrable",
                      fields={"deferred": [_("请核对容缺材料。")]})
    for pk in sorted(requirement_ids):
        Material.objects.create(
            application=application, requirement=requirements[pk], name=requirements[pk].name,
            source=Material.Source.DEFERRED, due_on=due_on, added_by=clerk, reference=_("容缺受理,限期补交"),
        )


@transaction.atomic
def deferred_material_provide(*, material: Material, actor, upload=None, report=None) -> Material:
    """The applicant uploads a 容缺 material, or a clerk checks its original at a window; or the
    owner hands in a delivered intermediary report (`report`: a hooks.ReportOffer market checked)."""
    application = _locked(Application, material.application_id)
    material = Material.objects.select_for_update().get(pk=material.pk)
    if not material.is_outstanding:
        raise Conflict(_("该材料已补交。"), code="already_provided")
    _transition(application, "provide_deferred", by=actor)
    if upload is None and report is None and not getattr(actor, "is_clerk", False):
        raise Invalid(_("请上传补交的材料。"), code="file_required", fields={"file": [_("请选择文件。")]})
    files = {f"material_{material.requirement_id}": upload} if upload is not None else {}
    received = {material.requirement_id} if upload is None and report is None else set()
    planned, errors = _plan_materials(requirements=[material.requirement], files=files, received_at_window=received,
                                      require_all=True,
                                      reports={material.requirement_id: report} if report is not None else None)
    if errors:
        raise Invalid(_("补交材料有误。"), code="invalid_materials", fields={"file": next(iter(errors.values()))})
    _save_materials(application, planned, actor=actor)
    material.fulfilled_at = timezone.now()
    material.save(update_fields=["fulfilled_at"])
    handed_in = Material.objects.filter(application=application, requirement=material.requirement,
                                        replaced_by__isnull=True).exclude(pk=material.pk).order_by("-pk").first()
    if handed_in is not None:  # the departments deciding in their own systems get it too
        for subcase in application.subcases.filter(matter_id=material.requirement.matter_id,
                                                   state__in=SubCase.OPEN_STATES).select_related("department"):
            exchange_services.record_material(department=subcase.department, case_ref=subcase.number,
                                              material=material_entry(handed_in))
    log_case(application, actor=actor, action="workflow.application.deferred_material_provided",
             note=_join(behalf_note(application, actor), material.name),
             data={"due_on": material.due_on.isoformat(), "late": _today() > material.due_on,
                   **_behalf_data(application, actor)})
    return material


def deem_overdue_applications_accepted(*, today=None) -> list[str]:
    """行政许可法 art. 32: an application (online, or registered at a window and left without a
    decision) on which the window has not decided within 5 working days of receipt counts as
    accepted from the day of receipt. Run by the hourly task and by the reads of worklists and
    cases (`selectors`); each application is its own transaction, one already decided is skipped."""
    today = today or _today()
    due = Application.objects.filter(
        state=Application.State.SUBMITTED, pre_review_due__lt=today
    ).values_list("pk", flat=True)
    numbers = []
    for pk in list(due):
        with transaction.atomic():
            application = _locked(Application, pk)
            if _deem_if_due(application, today=today):
                numbers.append(application.number)
    if numbers:
        logger.warning("deemed accepted (art. 32): %s", ", ".join(numbers))
    return numbers


def application_request_supplement(*, application: Application, clerk, items: list[dict], note="") -> SupplementRequest:
    """The one-time notice (一次性告知) of everything missing. Only within art. 32's 5 working
    days: after them the application is accepted as of receipt and the notice is refused."""
    rules.clerk_desk(clerk, application=application)
    apply_deemed_acceptance(application_id=application.pk)
    return _request_supplement(application=application, clerk=clerk, items=items, note=note)


@transaction.atomic
def _request_supplement(*, application: Application, clerk, items: list[dict], note="") -> SupplementRequest:
    items = [
        {"material": str(i.get("material", "")).strip(), "reason": str(i.get("reason", "")).strip()}
        for i in items or []
        if str(i.get("material", "")).strip()
    ]
    if not items:
        raise Invalid(
            _("一次性告知须列明全部需要补正的材料。"), code="supplement_items_required",
            fields={"items": [_("请至少列出一项需要补正的材料及原因。")]},
        )
    application = _locked(Application, application.pk)
    _refuse_if_deemed(application)
    from_state = application.state
    _transition(application, "request_supplement", by=clerk)
    asked_before = {i.get("material") for r in application.supplement_requests.all() for i in r.items}
    repeated = sorted({i["material"] for i in items} & asked_before)
    permit = None
    if repeated:
        permit = application.repeat_permits.select_for_update().filter(used_at__isnull=True).first()
        if permit is None:
            message = _("以下材料已一次性告知过,不得就同一事项再次要求补正,除非督查人员准许:%(names)s。") % {
                "names": "、".join(repeated)
            }
            raise Invalid(message, code="supplement_repeated", fields={"items": [message]})
    application.save()
    if permit is not None:
        permit.used_at = timezone.now()
        permit.save(update_fields=["used_at"])
    request = SupplementRequest.objects.create(application=application, items=items, note=note, requested_by=clerk)
    log_case(
        application, actor=clerk, action="workflow.application.supplement_requested", from_state=from_state,
        to_state=application.state, note=note, data={"items": items},
    )
    enqueue.generate_notice(application.pk, "supplement", None, str(request.pk))
    return request


@transaction.atomic
def supplement_repeat_allow(*, application: Application, supervisor, reason: str) -> SupplementRepeatPermit:
    """A supervisor allows the window one more supplement request on points already asked."""
    application = _locked(Application, application.pk)
    _transition(application, "allow_repeat_supplement", by=supervisor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("请说明准许再次补正的理由。"), code="reason_required", fields={"reason": [_("请填写理由。")]})
    permit = SupplementRepeatPermit.objects.create(application=application, reason=reason, granted_by=supervisor)
    log_case(application, actor=supervisor, action="workflow.application.supplement_repeat_allowed", note=reason)
    return permit


@transaction.atomic
def application_resubmit(*, application: Application, applicant, files=None, form_data=None,
                         reports=None) -> Application:
    """The applicant supplements online what the one-time notice listed and submits again;
    `reports`: delivered intermediary reports chosen instead of files ({requirement id: contract id})."""
    return _resubmit(application, actor=applicant, transition="resubmit", files=files, form_data=form_data,
                     reports=reports, note=_join(behalf_note(application, applicant), _("网上补正")))


@transaction.atomic
def application_supplement_at_window(*, application: Application, clerk, files=None, received=()) -> Application:
    """The applicant brings the supplement to any hall (同城通办): the clerk scans it or checks
    the originals (`received`: requirement ids) and the application is back at the window."""
    return _resubmit(application, actor=clerk, transition="supplement_at_window", files=files, received=received,
                     note=_("窗口收取补正材料"))


def _resubmit(application, *, actor, transition, files=None, form_data=None, received=(), note="", reports=None):
    application = _locked(Application, application.pk)
    from_state = application.state
    _transition(application, transition, by=actor)
    if form_data:
        application.form_data = clean_form_data(form_fields(list(application.matters.all())), form_data)
    application.submitted_at = timezone.now()
    # art. 32: the 5 days run again from receipt of the supplement, online and at a window
    application.received_on = law.receipt_day(application.submitted_at)
    due = law.pre_review_due(load_calendar(), application.received_on)
    application.pre_review_due, application.pre_review_due_provisional = due.day, due.provisional
    application.save()
    received = set(received)
    picked = {int(k) for k, v in (reports or {}).items() if str(v).strip() not in ("", "0")}
    every = material_requirements(application.matters.all())
    requirements = [r for r in every if f"material_{r.pk}" in (files or {}) or r.pk in received or r.pk in picked]
    chosen, report_errors = chosen_reports(
        applicant=application.applicant, enterprise=application.enterprise, reports=reports,
        requirements=[r for r in every if r.pk in picked])
    report_errors.update({f"material_{pk}": [_("该材料不属于本办件。")] for pk in picked - {r.pk for r in every}})
    planned, errors = _plan_materials(requirements=requirements, files=files or {}, received_at_window=received,
                                      require_all=False, reports=chosen)
    errors.update(report_errors)
    if errors:
        raise Invalid(_("补正材料有 %(n)s 处需要处理。") % {"n": len(errors)}, code="invalid_materials", fields=errors)
    _save_materials(application, planned, actor=actor)
    application.supplement_requests.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    log_case(
        application, actor=actor, action="workflow.application.supplemented", from_state=from_state,
        to_state=application.state, note=note,
        data={"materials": [r.name for r in requirements], **_behalf_data(application, actor)},
    )
    return application


def application_refuse(*, application: Application, clerk, reason: str) -> Application:
    """不予受理, with reasons; only while art. 32's 5 working days run."""
    rules.clerk_desk(clerk, application=application)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("不予受理须说明理由。"), code="reason_required", fields={"reason": [_("请填写不予受理的理由。")]})
    apply_deemed_acceptance(application_id=application.pk)
    return _refuse(application=application, clerk=clerk, reason=reason)


@transaction.atomic
def _refuse(*, application: Application, clerk, reason: str) -> Application:
    application = _locked(Application, application.pk)
    _refuse_if_deemed(application)
    from_state = application.state
    _transition(application, "refuse", by=clerk)
    application.refusal_reason = reason
    application.save()
    log_case(
        application, actor=clerk, action="workflow.application.refused", from_state=from_state,
        to_state=application.state, note=reason,
    )
    enqueue.generate_notice(application.pk, "refusal")
    return application


@transaction.atomic
def application_withdraw(*, application: Application, applicant, reason="") -> Application:
    application = _locked(Application, application.pk)
    from_state = application.state
    _transition(application, "withdraw", by=applicant)
    application.save()
    for subcase in SubCase.objects.select_for_update().filter(application=application, state__in=SubCase.OPEN_STATES):
        sub_from = subcase.state
        subcase.withdraw()
        subcase.save()
        log_case(application, subcase=subcase, actor=applicant, action="workflow.subcase.withdrawn",
                 from_state=sub_from, to_state=subcase.state, note=behalf_note(application, applicant),
                 data=_behalf_data(application, applicant))
        exchange_services.record_withdrawal(department=subcase.department, case_ref=subcase.number,
                                            reason=reason or _("申请人撤回申请"))
    log_case(
        application, actor=applicant, action="workflow.application.withdrawn", from_state=from_state,
        to_state=application.state, note=_join(behalf_note(application, applicant), reason),
        data=_behalf_data(application, applicant),
    )
    return application


@transaction.atomic
def _refuse_delivery_while_unpaid(application) -> None:
    message = hooks.fee_delivery_refusal(application)
    if message:
        raise Conflict(message, code="fee_unpaid")


def application_deliver(*, application: Application, clerk, id_number: str) -> Application:
    """Hand out the result at a window; the person collecting shows the applicant's ID card."""
    desk = rules.clerk_desk(clerk, delivering=True)
    application = _locked(Application, application.pk)
    from_state = application.state
    _transition(application, "deliver", by=clerk)
    _refuse_delivery_while_unpaid(application)
    if application.delivery_method != DeliveryMethod.HALL:
        raise Conflict(
            _("申请人选择了“%(method)s”,不在窗口领取。如需改为窗口领取,请申请人在办件页修改领取方式。")
            % {"method": application.get_delivery_method_display()}, code="not_hall_delivery",
        )
    if application.pickup_hall_id is not None and application.pickup_hall_id != desk.hall_id:
        raise Conflict(
            _("该办件选择在“%(hall)s”领取,请引导申请人前往该大厅,或由申请人在办件页改选本大厅。")
            % {"hall": application.pickup_hall.name}, code="other_pickup_hall",
        )
    if (id_number or "").strip().upper() != (application.applicant.id_number or ""):
        raise Invalid(
            _("领取人证件号码与申请人不一致,不能出件。"), code="id_mismatch",
            fields={"id_number": [_("请核对申请人身份证号码。")]},
        )
    application.delivered_at = timezone.now()
    application.delivered_by = clerk
    application.delivery_hall_id = desk.hall_id
    application.save()
    log_case(
        application, actor=clerk, action="workflow.application.delivered", from_state=from_state,
        to_state=application.state, note=_("窗口领取,已核验申请人身份证件"),
    )
    return application


# --- result delivery: the applicant's choice, posting, electronic licences --------------------

TRACKING_RE = r"[0-9A-Z-]{8,32}"
CARRIERS = ("中国邮政EMS", "顺丰速运", "京东物流", "中通快递", "圆通速递")


def clean_delivery(*, matters, delivery: dict | None, default_hall_id=None) -> tuple[dict, dict]:
    """The Application fields of a delivery choice and the errors by field, never raising.

    `delivery`: {"method": "hall" | "post" | "electronic", "hall": hall id (窗口领取: any hall of
    the district; default `default_hall_id`), "recipient", "phone", "address" (邮寄送达)}.
    电子证照 only when every matter issues a licence: otherwise some result exists only on paper.
    """
    delivery = delivery or {}
    method = str(delivery.get("method") or DeliveryMethod.HALL)
    values = {"delivery_method": method, "pickup_hall_id": None, "post_recipient": "", "post_phone": "",
              "post_address": ""}
    errors = {}
    if method not in DeliveryMethod.values:
        return values, {"delivery_method": [_("请选择结果领取方式。")]}
    if method == DeliveryMethod.HALL:
        hall = str(delivery.get("hall") or default_hall_id or "")
        if hall:
            if not is_small_int(hall) or not Hall.objects.filter(pk=int(hall)).exists():
                errors["pickup_hall"] = [_("请选择本区的政务服务大厅。")]
            else:
                values["pickup_hall_id"] = int(hall)
    elif method == DeliveryMethod.POST:
        recipient = str(delivery.get("recipient") or "").strip()
        address = " ".join(str(delivery.get("address") or "").split())
        if not recipient or len(recipient) > 32:
            errors["post_recipient"] = [_("请填写收件人姓名(不超过32个字)。")]
        try:
            values["post_phone"] = validate_phone(str(delivery.get("phone") or ""))
        except IdentityError as exc:
            errors["post_phone"] = [str(exc)]
        if len(address) < 8 or len(address) > 200:
            errors["post_address"] = [_("请填写详细邮寄地址(8至200个字,含镇街、村居、门牌号)。")]
        values.update(post_recipient=recipient[:32], post_address=address[:200])
    else:
        paper = [m.name for m in matters if not m.issues_licence]
        if paper:
            errors["delivery_method"] = [
                _("“%(names)s”不出具证照,结果只能以纸质文书送达,不能选择电子证照,请选择窗口领取或邮寄送达。")
                % {"names": "、".join(paper)}
            ]
    return values, errors


def electronic_offered(matters) -> bool:
    matters = list(matters)
    return bool(matters) and all(m.issues_licence for m in matters)


def posting_hall_id(application) -> int | None:
    """The hall whose delivery window posts a result: the one that accepted it, else the one that
    received it; None (any delivery window) for an online application deemed accepted."""
    return application.accepted_hall_id or application.received_hall_id


@transaction.atomic
def application_set_delivery(*, application: Application, applicant, delivery: dict) -> Application:
    """The applicant chooses or changes how to receive the result, until it is handed out."""
    application = _locked(Application, application.pk)
    _transition(application, "choose_delivery", by=applicant)
    values, errors = clean_delivery(matters=list(application.matters.all()), delivery=delivery,
                                    default_hall_id=application.pickup_hall_id or posting_hall_id(application))
    if errors:
        raise Invalid(_("结果领取方式有误,请核对。"), code="invalid_delivery", fields=errors)
    for field, value in values.items():
        setattr(application, field, value)
    application.save()
    log_case(application, actor=applicant, action="workflow.application.delivery_chosen",
             note=_delivery_summary(application), data={"method": application.delivery_method})
    _deliver_electronically(application)
    return application


def _delivery_summary(application) -> str:
    if application.delivery_method == DeliveryMethod.HALL:
        hall = Hall.objects.filter(pk=application.pickup_hall_id).first()
        return _("窗口领取:%(hall)s") % {"hall": hall.name if hall else _("任一政务服务大厅")}
    if application.delivery_method == DeliveryMethod.POST:
        return _("邮寄送达")  # the address stays out of the log, which staff read
    return _("电子证照")


@transaction.atomic
def application_post(*, application: Application, clerk, carrier: str, tracking_number: str) -> Application:
    """The delivery window of the hall that accepted the application hands the result to a
    carrier: the application is delivered by post, with the carrier and tracking number."""
    desk = rules.clerk_desk(clerk, delivering=True)
    carrier = " ".join((carrier or "").split())
    tracking = (tracking_number or "").strip().upper().replace(" ", "")
    errors = {}
    if not carrier or len(carrier) > 32:
        errors["carrier"] = [_("请填写寄递企业(不超过32个字)。")]
    if not re.fullmatch(TRACKING_RE, tracking):
        errors["tracking_number"] = [_("邮件单号应为8至32位字母或数字。")]
    application = _locked(Application, application.pk)
    from_state = application.state
    _transition(application, "deliver", by=clerk)
    _refuse_delivery_while_unpaid(application)
    if application.delivery_method != DeliveryMethod.POST:
        raise Conflict(_("申请人未选择邮寄送达。"), code="not_post_delivery")
    hall_id = posting_hall_id(application)
    if hall_id is not None and hall_id != desk.hall_id:
        raise Forbidden(_("邮寄送达由受理该办件的大厅出件窗口办理。"), code="other_posting_hall")
    if errors:
        raise Invalid(_("邮寄信息有误,请核对。"), code="invalid_posting", fields=errors)
    now = timezone.now()
    application.post_carrier, application.post_tracking_number, application.posted_at = carrier, tracking, now
    application.delivered_at, application.delivered_by, application.delivery_hall_id = now, clerk, desk.hall_id
    application.save()
    log_case(application, actor=clerk, action="workflow.application.posted", from_state=from_state,
             to_state=application.state, note=_("邮寄送达:%(carrier)s %(tracking)s") % {"carrier": carrier, "tracking": tracking},
             data={"carrier": carrier, "tracking_number": tracking})
    return application


def deliver_electronically_when_ready(*, application_id: int) -> bool:
    """Deliver an electronic result that waited for something (a fee); False when not yet."""
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    return application is not None and _deliver_electronically(application)


def _licence_subcases(application):
    return application.subcases.filter(state=SubCase.State.APPROVED, matter__issues_licence=True)


def _deliver_electronically(application) -> bool:
    """On a locked application: when the applicant chose 电子证照, the result is ready and every
    licence of its approved sub-cases is in the store, the result is delivered (made available on
    the applicant's page), with no clerk. Returns whether it delivered."""
    if application.state != Application.State.RESULT_READY or application.delivery_method != DeliveryMethod.ELECTRONIC:
        return False
    if hooks.fee_delivery_refusal(application):
        return False  # a fee is unpaid; paying it delivers (deliver_electronically_when_ready)
    numbers = list(_licence_subcases(application).values_list("number", flat=True))
    licences = exchange_services.licences_for_cases(numbers)
    if len(licences) != len(numbers):
        return False  # a licence is still being issued; its task delivers when it is
    from_state = application.state
    _transition(application, "deliver")
    application.delivered_at = timezone.now()
    application.delivered_by = None
    application.save()
    numbers = sorted(lic.number for lic in licences.values())
    note = (_("电子证照已签发至申请人办件页:%(numbers)s") % {"numbers": "、".join(numbers)} if numbers
            else _("未准予许可,无证照签发;决定文书已在申请人办件页送达"))
    log_case(application, actor=None, action="workflow.application.delivered_electronically", from_state=from_state,
             to_state=application.state, note=note, data={"licences": numbers})
    return True


def licence_holder(subcase) -> dict | None:
    """Whose licence it is, from the licence type (`LicenceType.holder_kind`), never simply the
    applicant: the applicant person (自然人), the enterprise applied for (法人; the applicant when
    the enterprise is being established and has none yet), or a person named in the form (a
    newborn: name and birth date, an ID number when the form has one), with the applicant as
    guardian. None when the form lacks the holder's name or a valid birth date (nothing is issued
    to the wrong person; the error is logged). A matter without a type: the applicant, or the
    enterprise applied for."""
    application, kind = subcase.application, subcase.matter.licence_type
    holder_kind = kind.holder_kind if kind is not None else None
    if holder_kind == LicenceType.HolderKind.FORM_PERSON:
        keys, form = kind.holder_fields or {}, application.form_data or {}
        name = str(form.get(keys.get("name") or "", "") or "").strip()
        birth = str(form.get(keys.get("birth_date") or "", "") or "").strip()
        id_number = str(form.get(keys.get("id_number") or "", "") or "").strip().upper()
        try:
            birth_date = dt.date.fromisoformat(birth) if birth else None
        except ValueError:
            birth_date = None
        if not name or (birth and birth_date is None) or (not id_number and birth_date is None):
            return None
        person = application.applicant
        return {"holder_name": name, "holder_id_number": id_number, "holder_birth_date": birth_date,
                "holder_user": None, "holder_enterprise": None, "guardian_user": person,
                "guardian_name": person.real_name, "guardian_id_number": person.id_number or ""}
    if application.enterprise_id and holder_kind != LicenceType.HolderKind.PERSON:
        return {"holder_name": application.enterprise.name, "holder_id_number": application.enterprise.credit_code,
                "holder_enterprise": application.enterprise, "holder_user": None}
    person = application.applicant
    return {"holder_name": person.real_name, "holder_id_number": person.id_number or "",
            "holder_user": person, "holder_enterprise": None}


def issue_subcase_licence(*, subcase_id: int) -> bool:
    """Put the licence of an approved sub-case into the e-licence store (once), then deliver the
    application electronically if that was the last licence it waited for. Returns whether a
    licence was issued by this call."""
    subcase = (SubCase.objects.select_related("application__applicant", "application__enterprise", "matter",
                                              "matter__licence_type", "department").filter(pk=subcase_id).first())
    if subcase is None or subcase.state != SubCase.State.APPROVED or not subcase.matter.issues_licence:
        return False
    application = subcase.application
    holder = licence_holder(subcase)
    if holder is None:
        kind = subcase.matter.licence_type
        logger.error("licence of %s not issued: the form names no holder (%s)", subcase.number,
                     kind.holder_fields if kind is not None else {})
        return False
    told = exchange_services.department_licence_data(subcase.number)  # from the department's own system
    # validity comes from the department's system, else from the licence type (a 居住证 is valid
    # for a year and renewed), never from the applicant; None is 长期
    valid_until = (dt.date.fromisoformat(told["valid_until"]) if told.get("valid_until")
                   else subcase.matter.licence_valid_until(subcase.decided_on or timezone.localdate()))
    kind = subcase.matter.licence_type
    try:
        licence, created = exchange_services.licence_issue(
            case_ref=subcase.number, application_number=application.number, matter=subcase.matter,
            department=subcase.department,
            name=told.get("name") or (kind.name if kind is not None else "") or subcase.matter.result_name
            or subcase.matter.name,
            issued_on=subcase.decided_on, valid_until=valid_until, licence_type=kind, data=told.get("data"),
            form_data=application.form_data, **holder,
        )
    except Invalid as error:  # the type's required data items are missing: nothing issued, logged
        logger.error("licence of %s not issued: %s %s", subcase.number, error.code, error.fields)
        return False
    with transaction.atomic():
        locked = _locked(Application, application.pk)
        if created:
            log_case(locked, subcase=subcase, actor=None, action="workflow.subcase.licence_issued",
                     note=_("电子证照 %(number)s 已签发") % {"number": licence.number},
                     data={"licence": licence.number})
        _deliver_electronically(locked)
    return created


# --- the back office: sub-cases --------------------------------------------------------------


def _check_reviewer(reviewer, subcase):
    if not getattr(reviewer, "is_reviewer", False) or reviewer.department_id != subcase.department_id:
        raise Forbidden(_("只有承办部门的审批人员可以办理该子件。"), code="not_department_reviewer")
    if exchange_services.decides_elsewhere(subcase.number) and not exchange_services.is_system_account(reviewer):
        raise Conflict(_("该子件已推送至本部门自建审批系统,请在该系统中办理,结果将自动回传。"),
                       code="decided_in_department_system")


@transaction.atomic
def subcase_start_examining(*, subcase: SubCase, reviewer) -> SubCase:
    _check_reviewer(reviewer, subcase)
    subcase = _locked(SubCase, subcase.pk)
    from_state = subcase.state
    _transition(subcase, "start_examining")
    subcase.reviewer = reviewer
    subcase.save()
    log_case(subcase.application, subcase=subcase, actor=reviewer, action="workflow.subcase.examining",
             from_state=from_state, to_state=subcase.state)
    return subcase


@transaction.atomic
def subcase_decide(*, subcase: SubCase, reviewer, approve: bool, reason: str) -> SubCase:
    _check_reviewer(reviewer, subcase)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Invalid(_("不予许可须说明理由。"), code="reason_required", fields={"reason": [_("请填写不予许可的理由和依据。")]})
    # Lock the application first, then the sub-case: every path takes them in this order, and the
    # last decision of several parallel ones sees the others' results.
    application = _locked(Application, subcase.application_id)
    subcase = _locked(SubCase, subcase.pk)
    from_state = subcase.state
    _transition(subcase, "approve" if approve else "deny")
    subcase.reviewer = reviewer
    subcase.decided_at = timezone.now()
    subcase.decided_on = _today()
    if approve and subcase.matter.issues_licence:  # art. 44: issue and deliver within 10 working days
        due = law.licence_due(load_calendar(), decided_on=subcase.decided_on)
        subcase.licence_due, subcase.licence_due_provisional = due.day, due.provisional
    subcase.decision_reason = reason or _("经审查,符合法定条件和标准,准予许可。")
    subcase.save()
    log_case(application, subcase=subcase, actor=reviewer,
             action="workflow.subcase.approved" if approve else "workflow.subcase.denied",
             from_state=from_state, to_state=subcase.state, note=subcase.decision_reason)
    kind = "approval" if approve else "denial"
    enqueue.generate_notice(application.pk, kind, subcase.pk)
    if subcase.licence_due is not None:  # the matter issues a licence: into the e-licence store
        enqueue.issue_licence(subcase.pk)
    if not application.subcases.filter(state__in=SubCase.OPEN_STATES).exists():
        app_from = application.state
        _transition(application, "conclude")
        application.concluded_at = timezone.now()
        application.save()
        log_case(application, actor=None, action="workflow.application.concluded", from_state=app_from,
                 to_state=application.state, note=_("全部子件已作出决定"))
        enqueue.prepare_result(application.pk)
    return subcase


# --- stopping and extending the clock ---------------------------------------------------------


@transaction.atomic
def subcase_suspend(*, subcase: SubCase, reviewer, kind: str, reason: str) -> SubCasePause:
    """Stop the clock for a special procedure (art. 45) or a supplement after acceptance; the
    working days left are kept and the applicant is told in writing."""
    _check_reviewer(reviewer, subcase)
    reason = (reason or "").strip()
    errors = {}
    if kind not in SubCasePause.Kind.values:
        errors["kind"] = [_("请选择特别程序的种类。")]
    if not reason:
        errors["reason"] = [_("请说明需要该程序的理由。")]
    if errors:
        raise Invalid(_("特别程序信息不完整。"), code="invalid_pause", fields=errors)
    application = _locked(Application, subcase.application_id)
    subcase = _locked(SubCase, subcase.pk)
    from_state = subcase.state
    _transition(subcase, "suspend")
    subcase.reviewer = reviewer
    subcase.save()
    today = _today()
    pause = SubCasePause.objects.create(
        subcase=subcase, kind=kind, reason=reason, started_on=today, started_by=reviewer,
        remaining_days=law.pause_remaining(load_calendar(), paused_on=today, deadline=subcase.deadline),
    )
    log_case(application, subcase=subcase, actor=reviewer, action="workflow.subcase.suspended", from_state=from_state,
             to_state=subcase.state, note=f"{pause.get_kind_display()}:{reason}",
             data={"remaining_days": pause.remaining_days})
    enqueue.generate_notice(application.pk, "special_procedure", subcase.pk, str(pause.pk))
    return pause


@transaction.atomic
def subcase_resume(*, subcase: SubCase, reviewer, result: str = "") -> SubCase:
    """Restart the clock with exactly the working days that were left when it stopped."""
    _check_reviewer(reviewer, subcase)
    application = _locked(Application, subcase.application_id)
    subcase = _locked(SubCase, subcase.pk)
    from_state = subcase.state
    _transition(subcase, "resume")
    pause = subcase.pauses.select_for_update().get(ended_on__isnull=True)
    calendar, today = load_calendar(), _today()
    pause.ended_on, pause.ended_by, pause.result = today, reviewer, (result or "").strip()
    pause.paused_days = law.paused_workdays(calendar, paused_on=pause.started_on, resumed_on=today)
    pause.save()
    subcase.paused_days += pause.paused_days
    deadline = law.deadline_after(calendar, day=today, remaining=pause.remaining_days)
    subcase.deadline, subcase.deadline_provisional = deadline.day, deadline.provisional
    subcase.yellow_from = law.yellow_from(calendar, start=today, deadline=subcase.deadline,
                                          limit_days=subcase.promised_days + subcase.extension_days)
    subcase.save()
    log_case(application, subcase=subcase, actor=reviewer, action="workflow.subcase.resumed", from_state=from_state,
             to_state=subcase.state, note=pause.result,
             data={"paused_days": pause.paused_days, "deadline": subcase.deadline.isoformat()})
    return subcase


def _current_deadline(calendar, subcase, today):
    """The last day of the decision limit as it stands today: while the clock is stopped, the day
    the working days it kept would end if it restarted today."""
    pause = subcase.pauses.filter(ended_on__isnull=True).first() if subcase.state == SubCase.State.SUSPENDED else None
    if pause is None:
        return subcase.deadline, None
    return law.deadline_after(calendar, day=today, remaining=pause.remaining_days).day, pause


def _check_extension(calendar, subcase, *, days, today, exclude_pk=None):
    """Art. 42 through `law.check_extension`, as the Chinese error a reviewer or leader reads."""
    deadline, _pause = _current_deadline(calendar, subcase, today)
    extended = subcase.extensions.exclude(status=SubCaseExtension.Status.REJECTED)
    if exclude_pk is not None:
        extended = extended.exclude(pk=exclude_pk)
    try:
        law.check_extension(today=today, deadline=deadline, days=days, extended_before=extended.exists(),
                            running=subcase.state in SubCase.OPEN_STATES)
    except law.ExtensionRefused as refused:
        if refused.code == "invalid_extension_days":
            raise Invalid(_("延长期限为1至%(n)s个工作日。") % {"n": MAX_EXTENSION_DAYS}, code="invalid_extension",
                          fields={"days": [_("延长期限为1至%(n)s个工作日。") % {"n": MAX_EXTENSION_DAYS}]}) from None
        if refused.code == "extension_exists":
            raise Conflict(_("依《行政许可法》第四十二条,办理期限只能延长一次。"), code="extension_exists") from None
        if refused.code == "extension_after_deadline":
            raise Conflict(
                _("办结期限 %(day)s 已过:依《行政许可法》第四十二条,延长期限须在法定期限内经本部门负责人批准,"
                  "逾期后不能再延期。") % {"day": deadline.isoformat()}, code="extension_after_deadline") from None
        raise Conflict(_("该子件已作出决定,不能延期。"), code="state_conflict") from None


@transaction.atomic
def subcase_request_extension(*, subcase: SubCase, reviewer, days: int, reason: str) -> SubCaseExtension:
    """Art. 42: one extension of at most 10 working days, asked before the decision limit runs out
    (and approved before it, `subcase_decide_extension`); the reason is told to the applicant."""
    _check_reviewer(reviewer, subcase)
    reason = (reason or "").strip()
    errors = {}
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        errors["days"] = [_("延长期限为1至10个工作日。")]
    if not reason:
        errors["reason"] = [_("请说明延期理由。")]
    if errors:
        raise Invalid(_("延期申请信息不完整。"), code="invalid_extension", fields=errors)
    subcase = _locked(SubCase, subcase.pk)
    _check_extension(load_calendar(), subcase, days=days, today=_today())
    extension = SubCaseExtension.objects.create(subcase=subcase, days=days, reason=reason, requested_by=reviewer)
    log_case(subcase.application, subcase=subcase, actor=reviewer, action="workflow.subcase.extension_requested",
             note=reason, data={"days": days})
    return extension


def check_department_leader(user, subcase):
    if not (getattr(user, "is_reviewer", False) and user.is_department_leader
            and user.department_id == subcase.department_id):
        raise Forbidden(_("延期须经本部门负责人批准。"), code="not_department_leader")


@transaction.atomic
def subcase_decide_extension(*, extension: SubCaseExtension, leader, approve: bool) -> SubCaseExtension:
    """The department's leader approves or rejects; approval moves the deadline by the days."""
    extension = SubCaseExtension.objects.select_for_update().select_related("subcase").get(pk=extension.pk)
    subcase = extension.subcase
    check_department_leader(leader, subcase)
    if leader.pk == extension.requested_by_id:
        raise Forbidden(_("延期申请人不能批准自己的申请。"), code="self_approval")
    if extension.status != SubCaseExtension.Status.PENDING:
        raise Conflict(_("该延期申请已处理。"), code="state_conflict")
    application = _locked(Application, subcase.application_id)
    subcase = _locked(SubCase, subcase.pk)
    extension.decided_by, extension.decided_at = leader, timezone.now()
    if approve:
        calendar, today = load_calendar(), _today()
        _check_extension(calendar, subcase, days=extension.days, today=today, exclude_pk=extension.pk)
        extension.status = SubCaseExtension.Status.APPROVED
        extension.old_deadline = subcase.deadline
        subcase.extension_days = extension.days
        pause = subcase.pauses.filter(ended_on__isnull=True).first()
        if pause is not None:  # the clock is stopped: the days are added to what is left
            pause.remaining_days += extension.days
            pause.save(update_fields=["remaining_days"])
            deadline = law.deadline_after(calendar, day=today, remaining=pause.remaining_days)
        else:
            deadline = law.extended_deadline(calendar, deadline=subcase.deadline, days=extension.days,
                                             start=subcase.started_on)
            subcase.yellow_from = law.yellow_from(calendar, start=subcase.started_on, deadline=deadline.day,
                                                  limit_days=subcase.promised_days + extension.days)
        subcase.deadline, subcase.deadline_provisional = deadline.day, deadline.provisional
        extension.new_deadline = subcase.deadline
        subcase.save()
    else:
        extension.status = SubCaseExtension.Status.REJECTED
    extension.save()
    log_case(application, subcase=subcase, actor=leader,
             action="workflow.subcase.extension_approved" if approve else "workflow.subcase.extension_rejected",
             note=extension.reason, data={"days": extension.days, "deadline": subcase.deadline.isoformat()})
    if approve:
        enqueue.generate_notice(application.pk, "extension", subcase.pk, str(extension.pk))
    return extension


# --- background steps (called by tasks; idempotent) ----------------------------------------


@transaction.atomic
def dispatch_subcases(*, application_id: int) -> bool:
    """Send each sub-case to its department and move the application into review.
    Returns False when there was nothing left to do (already dispatched)."""
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None or application.state != Application.State.ACCEPTED:
        return False
    for subcase in application.subcases.select_related("department", "matter"):
        exchange_services.record_dispatch(department=subcase.department, case_ref=subcase.number,
                                          payload=subcase_payload(application, subcase))
    from_state = application.state
    application.start_review()
    application.save()
    log_case(application, actor=None, action="workflow.application.dispatched", from_state=from_state,
             to_state=application.state, note=_("已并联分派至各承办部门"))
    return True


@transaction.atomic
def prepare_result(*, application_id: int) -> bool:
    """Make the conclusion notice and put the result at the delivery window."""
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None or application.state != Application.State.CONCLUDED:
        return False
    from .documents import generate_notice

    generate_notice(application=application, kind="conclusion")
    from_state = application.state
    application.make_result_ready()
    application.save()
    log_case(application, actor=None, action="workflow.application.result_ready", from_state=from_state,
             to_state=application.state, note=_("审批结果已送达综合出件窗口"))
    hooks.fee_event(application, "result_ready")
    _deliver_electronically(application)
    return True


def stalled_application_ids(*, older_than_minutes=2):
    """Applications whose background step did not happen: accepted but not dispatched,
    concluded but no result prepared, accepted without an acceptance notice."""
    from django.db.models import Exists, OuterRef

    from exchange.models import ElectronicLicence

    from .models import Notice

    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    old = Application.objects.filter(updated_at__lt=cutoff)
    notice = Notice.objects.filter(application=OuterRef("pk"), kind="acceptance")
    return {
        "dispatch": list(old.filter(state=Application.State.ACCEPTED).values_list("pk", flat=True)),
        "result": list(old.filter(state=Application.State.CONCLUDED).values_list("pk", flat=True)),
        "notice": list(
            Application.objects.filter(accepted_at__lt=cutoff).filter(~Exists(notice)).values_list("pk", flat=True)[:500]
        ),
        "licence": list(
            SubCase.objects.filter(state=SubCase.State.APPROVED, licence_due__isnull=False, decided_at__lt=cutoff)
            .filter(~Exists(ElectronicLicence.objects.filter(case_ref=OuterRef("number"))))
            .values_list("pk", flat=True)[:500]
        ),
    }
