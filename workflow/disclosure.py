"""办件公示 (public disclosure of cases): what anyone may read about applications, and how the
list pages through millions of them.

What is shown: the application number, its title (the theme's or the matters' names), the
matters and their departments, the state, and the dates received, accepted and concluded.
Nothing about the applicant: no name, ID number, phone, enterprise, form data or materials.

What is listed: every application that reached a window (submitted) except those withdrawn
(the applicant took the request back before any decision; there is nothing to account for).
Drafts were never submitted and are never listed.

Dates are the original receipt (`first_submitted_at`): a resubmission after a supplement does not
move a case up the list or change its 收件日期. Paging is by keyset over (first_submitted_at, id)
descending, backed by the index `application_first_received_idx`: a page reads its 20 rows from the index
where the previous one stopped, whatever its depth, never an OFFSET. Filters by department or
matter are semi-joins through the application–matter table's (application, matter) index; the
number is the unique index.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.numbers import is_small_int
from matters.models import Matter

from .models import Application

HIDDEN_STATES = (Application.State.DRAFT, Application.State.WITHDRAWN)
DISCLOSED_STATES = [(value, label) for value, label in Application.State.choices if value not in HIDDEN_STATES]
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Filters:
    number: str = ""
    department_id: int | None = None
    matter: Matter | None = None
    state: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None


def parse_filters(data) -> Filters:
    """Filters from a query string; a value that makes no sense is refused with the field named."""
    errors = {}
    number = (data.get("number") or "").strip().upper()[:32]
    department_id = None
    raw = (data.get("department") or "").strip()
    if raw:
        if is_small_int(raw):
            department_id = int(raw)
        else:
            errors["department"] = [_("请选择部门。")]
    matter = None
    raw = (data.get("matter") or "").strip()
    if raw:
        matter = Matter.objects.filter(code=raw).only("pk", "code", "name").first()
        if matter is None:
            errors["matter"] = [_("未找到该事项。")]
    state = (data.get("state") or "").strip()
    if state and state not in dict(DISCLOSED_STATES):
        errors["state"] = [_("请选择办理状态。")]
    dates = {}
    for key in ("received_from", "received_to"):
        raw = (data.get(key) or "").strip()
        try:
            dates[key] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[key] = [_("请输入日期,如 2026-10-01。")]
    if errors:
        raise Invalid(_("查询条件有误,请修改后重试。"), code="invalid_filter", fields=errors)
    return Filters(number=number, department_id=department_id, matter=matter, state=state, **dates)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def disclosed_applications(filters: Filters = Filters()):
    """The applications anyone may see listed, newest received first, with only what is shown."""
    qs = (
        Application.objects.filter(first_submitted_at__isnull=False).exclude(state__in=HIDDEN_STATES)
        .only("pk", "number", "title", "state", "first_submitted_at", "accepted_on", "concluded_at")
        .order_by("-first_submitted_at", "-pk")
    )
    through = Application.matters.through.objects.filter(application_id=OuterRef("pk"))
    if filters.number:
        qs = qs.filter(number=filters.number)
    if filters.department_id is not None:
        qs = qs.filter(Exists(through.filter(matter__department_id=filters.department_id)))
    if filters.matter is not None:
        qs = qs.filter(Exists(through.filter(matter_id=filters.matter.pk)))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.received_from:
        qs = qs.filter(first_submitted_at__gte=_day_start(filters.received_from))
    if filters.received_to:
        qs = qs.filter(first_submitted_at__lt=_day_start(filters.received_to + dt.timedelta(days=1)))
    return qs


def with_matters(applications):
    """Their matters and departments (two queries for a page)."""
    return applications.prefetch_related(Prefetch(
        "matters", queryset=Matter.objects.select_related("department").only(
            "pk", "code", "name", "department__id", "department__name", "department__short_name").order_by("code"),
    ))


# --- keyset paging ---------------------------------------------------------------------------------


def encode_cursor(application: Application) -> str:
    raw = f"{application.first_submitted_at.isoformat()}|{application.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        at, pk = raw.split("|")
        moment = dt.datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError(at)
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(_("翻页参数无效,请从第一页重新查询。"), code="invalid_cursor",
                      fields={"after": [_("翻页参数无效。")]}) from exc


def page_after(qs, *, after: str = "", size: int | None = None) -> tuple[list[Application], str]:
    """One page of `qs` (ordered by first_submitted_at, id descending) after the cursor, and the cursor
    of the next page ("" on the last)."""
    size = size or PAGE_SIZE
    if after:
        moment, pk = decode_cursor(after)
        # The first condition bounds the index range; the second breaks ties on the same moment.
        qs = qs.filter(first_submitted_at__lte=moment).filter(Q(first_submitted_at__lt=moment) | Q(pk__lt=pk))
    rows = list(with_matters(qs)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(rows[-1]) if more else ""


def public_row(application: Application) -> dict:
    """Everything the page and the API show of one application: nothing about the applicant."""
    matters = list(application.matters.all())
    departments = []
    for matter in matters:
        if matter.department.name not in departments:
            departments.append(matter.department.name)
    return {
        "number": application.number,
        "title": application.title,
        "matters": [{"code": m.code, "name": m.name} for m in matters],
        "departments": departments,
        "state": application.state,
        "state_label": str(application.get_state_display()),
        "received_on": timezone.localdate(application.first_submitted_at),
        "accepted_on": application.accepted_on,
        "concluded_on": timezone.localdate(application.concluded_at) if application.concluded_at else None,
    }
