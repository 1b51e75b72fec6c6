"""Performance evaluation (绩效评估) per department and period: the figures, and their export as
PDF and XLSX built in a worker (`ReportJob`).

The figures are not computed here: `supervision.figures.services.department_rows` defines every
one of them (受理子件, 办结, 按时办结率, 平均用时 are the dashboard's department figures, read from
the same rollups; the cards, 视为受理子件, 延期 and 补正 counts are defined beside them), so a
department's on-time rate is the same on the dashboard, in the API and in this export. Like the
dashboard, the evaluation shows the figures as of the rollups' last refresh (every 5 minutes).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Department
from core import intents
from core.area import portal_name
from core.errors import Forbidden, Invalid, NotFound
from core.numbers import is_small_int
from supervision.figures import services as figures
from supervision.scope.districts import scope_of

from .models import ReportJob

logger = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")
MAX_PERIOD_DAYS = 366
PROGRESS_STEPS = 10  # the export reports its progress after at most this many groups of departments

# (key, column title): the order of the page's, the PDF's and the XLSX's columns.
COLUMNS = [
    ("started", gettext_lazy("受理子件")),
    ("concluded", gettext_lazy("办结")),
    ("on_time_rate", gettext_lazy("按时办结率(%)")),
    ("avg_days", gettext_lazy("平均用时(工作日)")),
    ("red_cards", gettext_lazy("红牌")),
    ("yellow_cards", gettext_lazy("黄牌")),
    ("deemed_started", gettext_lazy("视为受理子件")),
    ("extensions", gettext_lazy("延期")),
    ("supplements", gettext_lazy("补正")),
    ("rank", gettext_lazy("排名")),
]
DEFINITIONS = [
    gettext_lazy("受理子件:统计期间内受理(含视为受理)的本部门子件数,以受理日期计;办件可能涉及多个部门,收件数不按部门拆分。"),
    gettext_lazy("办结:统计期间内作出准予或不予许可决定的本部门子件数,以决定日期计。"),
    gettext_lazy("按时办结率:办结子件中决定日期不晚于办结期限(含暂停、批准延期后的期限)的比例。"),
    gettext_lazy("平均用时:办结子件自受理次日至决定日的工作日数(扣除暂停,不小于0)的平均值,与效能监督看板同一口径。"),
    gettext_lazy("红牌、黄牌:统计期间内对本部门子件亮出的红黄牌,不含督查撤销的。"),
    gettext_lazy("视为受理子件:受理子件中因窗口未在5个工作日内作出决定而视为受理的(行政许可法第三十二条)。"),
    gettext_lazy("延期:统计期间内批准延期的本部门子件数(行政许可法第四十二条)。"),
    gettext_lazy("补正:统计期间内涉及本部门事项的一次性补正告知数,加受理后要求补正的次数。"),
    gettext_lazy("排名:按时办结率高者在前,相同时平均用时少者在前,再按办结数多者在前;期间内无办结的部门不排名。"
                 "与效能监督看板的部门排名为同一规则(supervision.figures.rank_departments)。"),
]


# --- the figures (defined in supervision.figures) --------------------------------------------------


def department_figures(*, start: dt.date, end: dt.date, department_ids=None) -> list[dict]:
    """The figures of each department (all of them, by code, or those of `department_ids`) for
    the period from `start` to `end` (Beijing dates, both included): `figures.department_rows`."""
    return figures.department_rows(figures.Period(first=start, last=end), department_ids)


def totals(rows: list[dict]) -> dict:
    """The sum of the departments' rows (rates recomputed from the sums)."""
    total = {key: sum(r[key] for r in rows) for key in figures.DEPARTMENT_COUNTS}
    return {"department_id": None, "department": _("合计"), "code": "", "rank": None,
            **figures.department_values(total)}


def ranked(rows: list[dict]) -> list[dict]:
    """The rows with each department's place (`rank`, None without concluded sub-cases), by the
    dashboard's own ranking rule over all the rows given."""
    places = {r["key"]: r["rank"] for r in figures.rank_departments(
        [{**r, "key": r["department_id"], "label": r["department"]} for r in rows])}
    return [{**r, "rank": places.get(r["department_id"])} for r in rows]


def cell(row: dict, key: str) -> str:
    """How a figure is written on the page, in the PDF: a dash where there is nothing to rate."""
    value = row[key]
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def table(rows: list[dict]) -> dict:
    """Rows with their cells as written, and the total: what the page and the PDF show."""
    def written(row):
        return {**row, "cells": [(key, cell(row, key)) for key, _label in COLUMNS]}

    return {"columns": COLUMNS, "rows": [written(r) for r in ranked(rows)],
            "total": written(totals(rows)) if rows else None}


# --- the period and the department asked for ---------------------------------------------------------


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """From the first of this month up to today."""
    return today.replace(day=1), today


def parse_request(data, *, today: dt.date, scope=None) -> dict:
    """{"start", "end", "department"} from a form or query (strings), checked; raises Invalid,
    or NotFound for a department outside a district supervisor's `scope` (issue 15)."""
    default_start, default_end = default_period(today)
    errors = {}
    values = {}
    for key, default in (("start", default_start), ("end", default_end)):
        raw = (data.get(key) or "").strip()
        try:
            values[key] = dt.date.fromisoformat(raw) if raw else default
        except ValueError:
            errors[key] = [_("请输入日期,如 2026-10-01。")]
    if not errors:
        if values["start"] > values["end"]:
            errors["end"] = [_("结束日期不能早于开始日期。")]
        elif (values["end"] - values["start"]).days >= MAX_PERIOD_DAYS:
            errors["end"] = [_("统计期间最长一年。")]
    raw = (data.get("department") or "").strip()
    department = None
    if raw:
        department = Department.objects.filter(pk=int(raw)).first() if is_small_int(raw) else None
        if department is None:
            errors["department"] = [_("请选择部门。")]
    if errors:
        raise Invalid(_("统计条件有误,请修改后重试。"), code="invalid_period", fields=errors)
    if department is not None and scope is not None and department.pk not in scope.department_ids:
        raise NotFound(_("该部门不在您的督查范围内。"), code="department_out_of_scope")
    return {"start": values["start"], "end": values["end"], "department": department}


def figures_for(params: dict, *, scope=None) -> list[dict]:
    """The rows of the department asked for, else of every department (a district supervisor's
    `scope`: those of the district)."""
    department = params.get("department")
    ids = ([department.pk] if department is not None
           else sorted(scope.department_ids) if scope is not None else None)
    return department_figures(start=params["start"], end=params["end"], department_ids=ids)


# --- who may --------------------------------------------------------------------------------------


def may_evaluate(user) -> bool:
    """Supervisors and administrators of the 政务服务中心; not clerks, reviewers or citizens."""
    return bool(getattr(user, "is_authenticated", False)
                and (user.is_superuser or user.role in (user.Role.SUPERVISOR, user.Role.ADMINISTRATOR)))


def access_job(user, job_id) -> ReportJob:
    if not may_evaluate(user):
        raise Forbidden(_("只有督查人员和系统管理员可以查看绩效评估报表。"), code="not_a_supervisor")
    job = jobs_for(user).filter(pk=job_id).select_related("requested_by").first()
    if job is None:
        raise NotFound(_("未找到该报表任务。"), code="report_not_found")
    return job


def jobs_for(user):
    """The evaluation exports `user` may read: all of them for the city's supervisors and the
    administrators; a district supervisor's those of their district (issue 15)."""
    jobs = ReportJob.objects.filter(kind=ReportJob.Kind.EVALUATION)
    scope = scope_of(user)
    return jobs if scope is None else jobs.filter(params__district=scope.code)


BUILD_REPORT = "supervision.tasks.build_report"  # supervision.evaluation.tasks, named, not imported

# --- the export: requested by a service, built by a task ---------------------------------------------


@transaction.atomic
def export_request(*, user, start: dt.date, end: dt.date, department=None) -> ReportJob:
    """Queue an evaluation export; the worker builds it once the request is committed."""
    if not may_evaluate(user):
        raise Forbidden(_("只有督查人员和系统管理员可以导出绩效评估报表。"), code="not_a_supervisor")
    scope = scope_of(user)
    parse_request({"start": start.isoformat(), "end": end.isoformat(),
                   "department": str(department.pk) if department is not None else ""}, today=end, scope=scope)
    task_id = str(uuid.uuid4())
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.EVALUATION, requested_by=user, task_id=task_id,
        params={"start": start.isoformat(), "end": end.isoformat(),
                "department_id": department.pk if department is not None else None,
                # a district supervisor's export: that district's departments (issue 15)
                **({"district": scope.code, "district_name": scope.name} if scope is not None else {})},
        message=_("已排队,等待生成。"),
    )
    # an intent (core.intents): a request made while the broker was down is built all the same
    intents.record(BUILD_REPORT, [job.pk], key=f"supervision.report:{job.pk}", options={"task_id": task_id})
    logger.info("evaluation export %s requested by %s: %s", job.pk, user.pk, job.params)
    return job


def _lease_end():
    return timezone.now() + dt.timedelta(seconds=float(getattr(settings, "REPORT_LEASE_SECONDS", 120.0)))


def _progress(job, progress: int, message: str) -> None:
    """Progress for the polling page; it renews the job's lease."""
    ReportJob.objects.filter(pk=job.pk).update(progress=progress, message=message[:255], lease_until=_lease_end())


def export_build(*, job_id: int) -> ReportJob | None:
    """Build the job's PDF and XLSX. A job that is done, failed, or running under another
    worker's lease is left as it is, so running the task twice builds one result; a job whose
    worker died mid-build (its lease ran out) is taken again and built from the start."""
    now = timezone.now()
    claimed = ReportJob.objects.filter(
        Q(state=ReportJob.State.QUEUED) | Q(state=ReportJob.State.RUNNING, lease_until__lt=now)
        | Q(state=ReportJob.State.RUNNING, lease_until__isnull=True), pk=job_id,  # stuck before leases existed
    ).update(state=ReportJob.State.RUNNING, started_at=now, progress=1, message=_("开始生成。"),
             lease_until=_lease_end())
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None or not claimed:
        logger.info("evaluation export %s: skipped (%s)", job_id, job.state if job else "missing")
        return job
    try:
        params = job.params
        start, end = dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"])
        if params.get("department_id"):
            ids = [params["department_id"]]
        else:
            departments = Department.objects.order_by("code")
            if params.get("district"):
                departments = departments.filter(region__code__startswith=params["district"])
            ids = list(departments.values_list("pk", flat=True))
        rows = []
        # Department by department for the progress bar, in at most PROGRESS_STEPS groups: each
        # call reads the period's rows once whatever the group's size (bench/bench_disclosure.py).
        step = -(-len(ids) // PROGRESS_STEPS) or 1
        for done in range(step, len(ids) + step, step):
            group = ids[done - step:done]
            rows += department_figures(start=start, end=end, department_ids=group)
            n = min(done, len(ids))
            _progress(job, 5 + 75 * n // max(len(ids), 1), _("已统计 %(i)s / %(n)s 个部门。") % {"i": n, "n": len(ids)})
        generated_at = timezone.localtime()
        context = _document_context(rows, start=start, end=end, params=params, generated_at=generated_at)
        pdf = render_pdf(context)
        _progress(job, 90, _("PDF 已生成,正在生成 XLSX。"))
        xlsx = render_xlsx(context)
        stem = f"evaluation-{job.pk}-{start:%Y%m%d}-{end:%Y%m%d}"
        job.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        job.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        job.state, job.progress, job.finished_at, job.lease_until = ReportJob.State.DONE, 100, timezone.now(), None
        job.message = _("已完成,共 %(n)s 个部门。") % {"n": len(rows)}
        job.save(update_fields=["pdf", "xlsx", "state", "progress", "finished_at", "message", "lease_until"])
        logger.info("evaluation export %s: done", job.pk)
    except Exception as exc:  # the job must say it failed, whatever broke
        logger.exception("evaluation export %s failed", job_id)
        message = _("生成失败:%(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        ReportJob.objects.filter(pk=job_id).update(state=ReportJob.State.FAILED, message=message[:255],
                                                   finished_at=timezone.now(), lease_until=None)
        job.refresh_from_db()
    return job


def _document_context(rows, *, start, end, params, generated_at) -> dict:
    department = None
    if params.get("department_id"):
        department = Department.objects.filter(pk=params["department_id"]).first()
    district = params.get("district_name")
    return {
        "title": _("%(area)s政务服务绩效评估报告") % {"area": district or settings.PORTAL_AREA_NAME},
        "start": start, "end": end,
        "scope": (department.name if department is not None
                  else _("%(district)s全部部门") % {"district": district} if district else _("全部部门")),
        "table": table(rows),
        "definitions": [str(d) for d in DEFINITIONS],
        "generated_at": generated_at,
        "rows": rows,
        "portal_name": portal_name(),
    }


def render_pdf(context: dict) -> bytes:
    from core.pdf import render_template_pdf  # WeasyPrint only where a PDF is made

    return render_template_pdf("supervision/evaluation_pdf.html", context)


def render_xlsx(context: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _("绩效评估")
    ws.append([context["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("统计期间"), f"{context['start']:%Y-%m-%d} 至 {context['end']:%Y-%m-%d}"])
    ws.append([_("统计范围"), context["scope"]])
    ws.append([_("生成时间"), f"{context['generated_at']:%Y-%m-%d %H:%M}"])
    ws.append([])
    header = [_("部门代码"), _("部门"), *[str(label) for _key, label in COLUMNS]]
    ws.append(header)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for c in ws[ws.max_row]:
        c.font, c.fill = bold, fill
    table_ = context["table"]
    for row in [*table_["rows"], *([table_["total"]] if table_["total"] else [])]:
        ws.append([row["code"], row["department"], *[row[key] for key, _label in COLUMNS]])
        for c in ws[ws.max_row][2:]:
            if isinstance(c.value, float):
                c.number_format = "0.0"
    for i, width in enumerate([16, 34, *[12] * len(COLUMNS)], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    notes = wb.create_sheet(_("口径说明"))
    for text in context["definitions"]:
        notes.append([text])
    notes.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
