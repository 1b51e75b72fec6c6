"""市民个人网页 (我的) and 企业专属网页 (issue 13): one page a person opens on a phone that says what
waits for them — applications in progress and their next step, results ready, fees to pay,
messages, licences — and 查: their own 社保, 公积金, 水/电/燃气 bills and 交通违章, each asked live at
the data sources through `exchange.data_access.query_for` and logged there (数据使用记录). The
enterprise page is the same for an enterprise, seen by its staff only, with its 企业登记 record.

A query is a POST (it writes a log row); the page then shows each source's latest logged answer
with the time it was answered, so a reload asks nothing. A source that is slow or down is said in
Chinese on its own card; the rest of the page is unaffected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.models import Department, Enterprise, EnterpriseMembership, User
from core.errors import NotFound
from core.web.access import not_found_pages, role_required
from exchange.data_access import NotPermitted, query_for
from exchange.datasources import DataSourceError
from exchange.models import DataQuery, DataSourcePolicy, ElectronicLicence
from exchange.selectors import data_use_enterprises, licences_for
from exchange.traffic import vehicle_rows
from matters.models import Matter
from notifications.selectors import messages_for
from payments.models import FeeLine, UtilityBill, yuan
from payments.selectors import fee_lines_for
from payments.services import bill_fen
from workflow.models import Application
from workflow.selectors import applications_for

# The catalog entry whose data-sharing policy (数据共享授权) covers a person's and an enterprise
# staff member's own queries on these pages; nobody applies for it (`ensure_query_matter`).
QUERY_MATTER = "QX-GRCX-0001"
PERSON_PURPOSE = "本人在个人主页查询本人信息"
ENTERPRISE_PURPOSE = "企业经办人在企业主页查询本企业登记信息"


@dataclass(frozen=True)
class Query:
    source: str
    label: object
    fields: tuple[str, ...]
    hint: object = ""


PERSON_QUERIES = (
    Query("shebao", _l("社保"), ("insured", "months", "paid_to", "recent"), _l("参保状态与逐月缴费")),
    Query("gongjijin", _l("公积金"), ("account_open", "balance"), _l("账户状态与余额")),
    Query("shui", _l("水费"), ("account", "bill_month", "bill_amount", "arrears"), _l("账单与欠费")),
    Query("dian", _l("电费"), ("account", "bill_month", "bill_amount", "arrears"), _l("账单与欠费")),
    Query("ranqi", _l("燃气费"), ("account", "bill_month", "bill_amount", "arrears"), _l("账单与欠费")),
    Query("jiaotong", _l("交通违章"), ("unpaid_violations", "vehicles"), _l("本人名下各车辆的违章记录")),
)
ENTERPRISE_QUERIES = (
    Query("qiye", _l("企业登记"), ("name", "legal_representative", "address", "status"), _l("市场监管部门登记信息")),
)
FIELD_LABELS = {
    "insured": _l("参保状态"), "months": _l("累计缴费月数"), "paid_to": _l("已缴至"),
    "account_open": _l("账户状态"), "balance": _l("账户余额(元)"),
    "account": _l("户号"), "bill_month": _l("最近账单月份"), "bill_amount": _l("账单金额(元)"), "arrears": _l("欠费(元)"),
    "unpaid_violations": _l("未处理违章(起)"),
    "name": _l("企业名称"), "legal_representative": _l("法定代表人"), "address": _l("住所"), "status": _l("登记状态"),
}
FAILURES = {
    "timeout": _l("%(source)s系统响应太慢,这次没有等到答复。请稍后再点“查询”;页面其他内容不受影响。"),
    "unavailable": _l("%(source)s系统暂时无法连接,请稍后再试;页面其他内容不受影响。"),
    "not_configured": _l("%(source)s查询暂未开通,请稍后再试或拨打 12345 咨询。"),
}
FAILURE_OTHER = _l("%(source)s系统这次没有给出可用的结果,请稍后再试或拨打 12345 咨询。")
SESSION_KEY = "personal_query_failures"  # {source: [DataQuery pk, error code]}: why the last query failed


def ensure_query_matter() -> Matter | None:
    """The catalog entry holding these pages' data-sharing policy, made once (demo and tests);
    None when the catalog has no department yet."""
    department = Department.objects.filter(code="QX-RSJ").first() or Department.objects.order_by("pk").first()
    if department is None:
        return None
    with transaction.atomic():
        matter, _created = Matter.objects.get_or_create(code=QUERY_MATTER, defaults={
            "name": "个人及企业数据自助查询(个人主页)", "kind": Matter.Kind.PUBLIC_SERVICE, "type_code": "FW",
            "department": department, "target": "natural", "legal_days": 1, "promised_days": 1,
            "is_active": False})
        for query, purpose in [*((q, PERSON_PURPOSE) for q in PERSON_QUERIES),
                               *((q, ENTERPRISE_PURPOSE) for q in ENTERPRISE_QUERIES)]:
            policy, created = DataSourcePolicy.objects.get_or_create(
                matter=matter, source=query.source, defaults={"fields": list(query.fields), "purpose": purpose})
            missing = [f for f in query.fields if f not in policy.fields]
            if not created and missing:  # a field this page gained since (交通违章's vehicles)
                policy.fields = [*policy.fields, *missing]
                policy.save(update_fields=["fields"])
    return matter


def _query_matter() -> Matter | None:
    return Matter.objects.filter(code=QUERY_MATTER).first()


# ---- what the cards show -------------------------------------------------------------------

@dataclass
class Card:
    query: Query
    row: DataQuery | None = None
    facts: list = field(default_factory=list)
    months: list = field(default_factory=list)
    failure: str = ""
    arrears: str = ""  # 水/电/燃气: arrears to pay (yuan), when the answer reports some
    bill: object = None  # and the bill already made for that account and month
    vehicles: list = field(default_factory=list)  # 交通违章: one entry per vehicle with its violations

    @property
    def source(self):
        return self.query.source


def _shown(name: str, value) -> str:
    if isinstance(value, bool):
        return {"insured": _("参保中"), "account_open": _("正常")}.get(name, _("是")) if value else _("否")
    if name == "arrears" and value in (0, "0", "0.00"):
        return _("无欠费")
    return "—" if value in (None, "") else str(value)


def _cards(queries, rows_of, failures: dict) -> list[Card]:
    """One card per source: its latest logged query (found, not found or failed) and, for a failure,
    why in plain Chinese (the reason kept in the session by the POST; a failure of another
    device's session reads as "unavailable")."""
    cards = []
    for query in queries:
        card = Card(query=query, row=rows_of.filter(source=query.source).order_by("-asked_at", "-pk").first())
        row = card.row
        if row is not None and row.outcome == DataQuery.Outcome.FOUND:
            answer = row.answer or {}
            card.facts = [(FIELD_LABELS.get(f, f), _shown(f, answer.get(f))) for f in query.fields
                          if f not in ("recent", "vehicles") and f in answer]
            card.vehicles = vehicle_rows(answer.get("vehicles"))
            card.months = [m for m in answer.get("recent") or [] if isinstance(m, dict)][:6]
            if query.source in UtilityBill.Source.values:
                _payable(card, answer)
        elif row is not None and row.outcome == DataQuery.Outcome.FAILED:
            pk, code = (failures.get(query.source) or [None, "unavailable"])
            code = code if pk == row.pk else "unavailable"
            card.failure = str(FAILURES.get(code, FAILURE_OTHER)) % {"source": query.label}
        cards.append(card)
    return cards


def _payable(card: Card, answer: dict) -> None:
    """缴纳欠费 on a utility card: the arrears the answer reports, and the bill made for them."""
    fen = bill_fen(answer.get("arrears"))
    if not fen or fen <= 0:
        return
    card.arrears = yuan(fen)
    card.bill = UtilityBill.objects.filter(
        person=card.row.subject_id, source=card.source, account=str(answer.get("account") or ""),
        bill_month=str(answer.get("bill_month") or "")).first()


NEXT_STEP = {
    Application.State.DRAFT: _l("尚未提交:继续填写后提交"),
    Application.State.SUBMITTED: _l("等待窗口审核受理(网上申请 5 个工作日内答复)"),
    Application.State.SUPPLEMENT_REQUESTED: _l("需要您补正材料:打开办件按告知补齐"),
    Application.State.ACCEPTED: _l("已受理,等待部门审批"),
    Application.State.IN_REVIEW: _l("部门审批中,结果出来会通知您"),
    Application.State.CONCLUDED: _l("已办结,正在准备结果"),
    Application.State.RESULT_READY: _l("结果可领取"),
}
IN_PROGRESS = (Application.State.DRAFT, *Application.OPEN_STATES, Application.State.CONCLUDED)


def _application_rows(qs):
    rows = list(qs.filter(state__in=(*IN_PROGRESS, Application.State.RESULT_READY))
                .select_related("pickup_hall", "accepted_hall").order_by("-created_at", "-pk")[:30])
    for application in rows:
        application.next_step = NEXT_STEP.get(application.state, "")
    in_progress = [a for a in rows if a.state != Application.State.RESULT_READY]
    ready = [a for a in rows if a.state == Application.State.RESULT_READY]
    return in_progress, ready


def _licence_rows(qs, today, limit: int | None = 6):
    """Licences with their state today (有效, 将到期 within 60 days, 已过期, 已注销) and days left."""
    rows = list(qs.order_by("-issued_on", "-pk")[:limit] if limit else qs.order_by("-issued_on", "-pk"))
    for licence in rows:
        licence.state_today = licence.status_on(today)
        licence.days_left = (licence.valid_until - today).days if licence.valid_until else None
    return rows


# ---- appointments and home visits ------------------------------------------------------------

@dataclass
class Booking:
    """One row of 我的's 预约与上门 card: a hall appointment or a home visit."""
    kind: str  # "appointment" or "home_visit"
    code: str
    what: str
    where: str
    when: str
    state: str
    upcoming: bool
    sort_at: object
    cancel_url: str = ""
    link: str = ""
    link_text: str = ""


def _booking_rows(user, now=None, past_shown: int = 3) -> list[Booking]:
    """Upcoming bookings first (soonest first) with their cancel action, then the last few past or
    closed ones (newest first). An appointment is upcoming while booked and its slot not ended (an
    ended one reads 爽约, as the daily task will mark it); a home visit while 待安排 or 已安排."""
    from windows import clock
    from windows import queue_selectors as appointments
    from windows.home_visits import home_visits_for
    from windows.models import Appointment

    now, rows = now or clock.now(), []
    for a in appointments.my_appointments(user)[:50]:
        slot = a.slot
        booked = a.state == Appointment.State.BOOKED
        upcoming = booked and slot.ends_at > now
        state = a.get_state_display() if upcoming or not booked else str(Appointment.State.NO_SHOW.label)
        rows.append(Booking(
            kind="appointment", code=a.code, what=str(slot.category_label), where=slot.hall.name,
            when=f"{timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}–{timezone.localtime(slot.ends_at):%H:%M}",
            state=state, upcoming=upcoming, sort_at=slot.starts_at,
            cancel_url=reverse("portal:appointment_cancel", args=[a.code]) if upcoming else "",
            link=reverse("portal:ticket", args=[a.ticket.token]) if a.ticket else "",
            link_text=_("号码 %(n)s") % {"n": a.ticket.number} if a.ticket else ""))
    for v in home_visits_for(user).order_by("-preferred_date", "-pk")[:50]:
        if v.starts_at:
            when = f"{timezone.localtime(v.starts_at):%Y-%m-%d %H:%M}–{timezone.localtime(v.ends_at):%H:%M}"
        else:
            when = _("待安排(希望 %(day)s)") % {"day": f"{v.preferred_date:%Y-%m-%d}"}
        rows.append(Booking(
            kind="home_visit", code=v.code, what=v.matter.name,
            where=_("上门:%(address)s") % {"address": v.address}, when=when, state=v.get_state_display(),
            upcoming=bool(v.is_open), sort_at=v.starts_at or timezone.make_aware(
                dt.datetime.combine(v.preferred_date, dt.time(9))),
            cancel_url=reverse("portal:home_visit_cancel", args=[v.code]) if v.is_open else "",
            link=reverse("portal:application", args=[v.application.number]) if v.application else "",
            link_text=v.application.number if v.application else ""))
    upcoming = sorted((r for r in rows if r.upcoming), key=lambda r: r.sort_at)
    past = sorted((r for r in rows if not r.upcoming), key=lambda r: r.sort_at, reverse=True)[:past_shown]
    return upcoming + past


# ---- 市民个人网页 ---------------------------------------------------------------------------

@role_required(User.Role.PUBLIC)
def personal(request):
    user, today = request.user, timezone.localdate()
    in_progress, ready = _application_rows(applications_for(user).filter(enterprise__isnull=True))
    fees = list(fee_lines_for(user).filter(status=FeeLine.Status.UNPAID, application__enterprise__isnull=True)[:10])
    inbox = messages_for(user).order_by("-pk")
    matter = _query_matter()
    rows_of = DataQuery.objects.filter(subject=user, matter=matter) if matter else DataQuery.objects.none()
    return render(request, "portal/personal.html", {
        "title": _("我的"),
        "in_progress": in_progress,
        "ready": ready,
        "fees": fees,
        "fees_total": yuan(sum(line.amount_fen for line in fees)),
        "recent_messages": list(inbox[:3]),
        "unread": inbox.filter(read_at__isnull=True).count(),
        "licences": _licence_rows(licences_for(user).filter(holder_enterprise__isnull=True), today),
        "cards": _cards(PERSON_QUERIES, rows_of, request.session.get(SESSION_KEY, {})) if matter else [],
        "enterprises": list(data_use_enterprises(user)),
        "bookings": _booking_rows(user),
    })


def _ask(request, *, queries, subject, case_ref, back):
    """One live query at a data source, logged by `query_for`; back to the page either way."""
    query = next((q for q in queries if q.source == request.resolver_match.kwargs["source"]), None)
    matter = _query_matter()
    if query is None:
        raise Http404
    failures = dict(request.session.get(SESSION_KEY, {}))
    failures.pop(query.source, None)
    if matter is None:
        messages.error(request, str(FAILURES["not_configured"]) % {"source": query.label})
        return redirect(back)
    try:
        query_for(matter=matter, subject=subject, asked_by=request.user, source=query.source,
                  fields=list(query.fields), case_ref=case_ref)
    except NotPermitted as error:
        messages.error(request, error.message)
    except DataSourceError as error:
        failed = DataQuery.objects.filter(matter=matter, source=query.source, asked_by=request.user) \
            .order_by("-pk").values_list("pk", flat=True).first()
        failures[query.source] = [failed, error.code]
    request.session[SESSION_KEY] = failures
    return redirect(f"{back}#data-{query.source}")


@require_POST
@role_required(User.Role.PUBLIC)
def personal_query(request, source):
    return _ask(request, queries=PERSON_QUERIES, subject=request.user, case_ref="个人主页",
                back=reverse("portal:personal"))


# ---- 企业专属网页 ---------------------------------------------------------------------------

def access_enterprise(user, credit_code: str) -> Enterprise:
    """The enterprise whose page a citizen may open: one they act for (法定代表人 or 经办人)."""
    enterprise = data_use_enterprises(user).filter(credit_code=(credit_code or "").strip().upper()).first()
    if enterprise is None:
        raise NotFound(_("未找到该企业,或您不是该企业的经办人。"), code="enterprise_not_found")
    return enterprise


@role_required(User.Role.PUBLIC)
@not_found_pages
def enterprise_page(request, credit_code):
    enterprise, today = access_enterprise(request.user, credit_code), timezone.localdate()
    in_progress, ready = _application_rows(applications_for(request.user).filter(enterprise=enterprise))
    fees = list(FeeLine.objects.filter(application__enterprise=enterprise, status=FeeLine.Status.UNPAID)
                .select_related("application").order_by("-created_at", "-pk")[:10])
    licences = ElectronicLicence.objects.filter(holder_enterprise=enterprise).select_related("department", "matter")
    matter = _query_matter()
    rows_of = DataQuery.objects.filter(subject_enterprise=enterprise, matter=matter) if matter \
        else DataQuery.objects.none()
    failures = request.session.get(SESSION_KEY, {})
    return render(request, "portal/enterprise.html", {
        "title": enterprise.name,
        "enterprise": enterprise,
        "in_progress": in_progress,
        "ready": ready,
        "fees": fees,
        "fees_total": yuan(sum(line.amount_fen for line in fees)),
        "licences": _licence_rows(licences, today, limit=None),  # every licence the enterprise holds
        "staff": list(EnterpriseMembership.objects.filter(enterprise=enterprise).select_related("user")
                      .order_by("-may_authorise", "user__real_name")),
        "cards": _cards(ENTERPRISE_QUERIES, rows_of, failures) if matter else [],
    })


@require_POST
@role_required(User.Role.PUBLIC)
@not_found_pages
def enterprise_query(request, credit_code, source):
    enterprise = access_enterprise(request.user, credit_code)
    return _ask(request, queries=ENTERPRISE_QUERIES, subject=enterprise, case_ref="企业主页",
                back=reverse("portal:enterprise_home", args=[enterprise.credit_code]))
