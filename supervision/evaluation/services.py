"""Performance evaluation (绩效评估) per department and period: the figures, and their export as
PDF and XLSX built in a worker (`ReportJob`).

`department_figures` is the one place the figures are computed: set-based, one GROUP BY per
source table over the whole period, whatever the number of cases. Its keys and their precise
definitions (a period is two Beijing dates, both included):

- ``received`` 收件: (application, matter of the department) pairs of applications submitted in
  the period, whatever became of them; each pair becomes one sub-case when accepted, so it is
  counted in the same unit as ``accepted``. An application of two departments counts for both.
- ``accepted`` 受理: the department's sub-cases whose clock started (acceptance date, deemed or
  not) in the period.
- ``deemed_accepted`` 视为受理: those of ``accepted`` whose application was deemed accepted
  (行政许可法 art. 32: the window did not decide within 5 working days).
- ``concluded`` 办结: the department's sub-cases approved or denied with a decision date in the
  period.
- ``on_time`` 按时办结: those of ``concluded`` decided on or before their deadline (the deadline
  in force, i.e. after pauses and an approved extension); ``on_time_rate`` = on_time / concluded
  in per cent, one decimal, None without conclusions.
- ``avg_workdays`` 平均办理工作日: over ``concluded``, working days from acceptance (not counted)
  to decision, minus the days the clock stood still (special procedures, supplements after
  acceptance); one decimal, None without conclusions. Working days by `WorkdayIndex`.
- ``red_cards`` / ``yellow_cards`` 红牌/黄牌: cards on the department's sub-cases opened in the
  period, except those a supervisor voided (the windows' own cards belong to no department).
- ``extensions`` 延期: extensions of the department's sub-cases approved in the period.
- ``supplements`` 补正: one-time notices (补正告知) issued in the period on applications naming a
  matter of the department, plus supplements asked after acceptance (a clock pause of kind
  "supplement") of its sub-cases that began in the period.

The dashboard's figures (`supervision/figures.py`) are built separately; the lead may point this
function at them when both agree on the definitions.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
from zoneinfo import ZoneInfo

from celery import current_app
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Department
from core.errors import Forbidden, Invalid, NotFound
from core.numbers import is_small_int
from supervision.cards.models import Card, WorkdayIndex
from workflow.models import (
    Application,
    SubCase,
    SubCaseExtension,
    SubCasePause,
    SupplementRequest,
)

from .models import ReportJob

logger = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")
MAX_PERIOD_DAYS = 366
PROGRESS_STEPS = 10  # the export reports its progress after at most this many groups of departments

# (key, column title): the order of the page's, the PDF's and the XLSX's columns.
COLUMNS = [
    ("received", gettext_lazy("收件")),
    ("accepted", gettext_lazy("受理")),
    ("concluded", gettext_lazy("办结")),
    ("on_time_rate", gettext_lazy("按时办结率(%)")),
    ("avg_workdays", gettext_lazy("平均办理工作日")),
    ("red_cards", gettext_lazy("红牌")),
    ("yellow_cards", gettext_lazy("黄牌")),
    ("deemed_accepted", gettext_lazy("视为受理")),
    ("extensions", gettext_lazy("延期")),
    ("supplements", gettext_lazy("补正")),
]
COUNT_KEYS = ["received", "accepted", "concluded", "on_time", "red_cards", "yellow_cards", "deemed_accepted",
              "extensions", "supplements"]
DEFINITIONS = [
    gettext_lazy("收件:统计期间内提交的办件所含本部门事项数(一个办件含本部门两个事项计2件,与受理后的子件同口径)。"),
    gettext_lazy("受理:统计期间内受理(含视为受理)的本部门子件数,以受理日期计。"),
    gettext_lazy("办结:统计期间内作出准予或不予许可决定的本部门子件数,以决定日期计。"),
    gettext_lazy("按时办结率:办结子件中决定日期不晚于办结期限(含暂停、批准延期后的期限)的比例。"),
    gettext_lazy("平均办理工作日:办结子件自受理次日至决定日的工作日数,扣除特别程序和受理后补正暂停的工作日。"),
    gettext_lazy("红牌、黄牌:统计期间内对本部门子件亮出的红黄牌,不含督查撤销的。"),
    gettext_lazy("视为受理:受理子件中因窗口未在5个工作日内作出决定而视为受理的(行政许可法第三十二条)。"),
    gettext_lazy("延期:统计期间内批准延期的本部门子件数(行政许可法第四十二条)。"),
    gettext_lazy("补正:统计期间内涉及本部门事项的一次性补正告知数,加受理后要求补正的次数。"),
]


# --- the figures ---------------------------------------------------------------------------------


def _bounds(start: dt.date, end: dt.date):
    """The period as aware datetimes [start 00:00, end + 1 day 00:00) in Beijing time."""
    low = dt.datetime.combine(start, dt.time.min, tzinfo=BEIJING)
    return low, dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=BEIJING)


def _by_department(qs, key: str, **aggregates) -> dict:
    return {row.pop(key): row for row in qs.values(key).annotate(**aggregates).order_by()}


def _concluded(start, end, department_ids) -> dict:
    """{department id: (concluded, on time, working-day sum, sub-cases with known working days)}:
    one GROUP BY over the decided sub-cases, working days by two joins on the working-day index."""
    subcase, index = connection.ops.quote_name(SubCase._meta.db_table), connection.ops.quote_name(
        WorkdayIndex._meta.db_table)
    where, params = "", [*SubCase.DECIDED_STATES, start, end]
    if department_ids is not None:
        where = f" AND sc.department_id IN ({', '.join(['%s'] * len(department_ids))})"
        params += list(department_ids)
    sql = (
        f'SELECT sc.department_id, COUNT(*), SUM(CASE WHEN sc.decided_on <= sc.deadline THEN 1 ELSE 0 END), '
        f'SUM(w1."ordinal" - w0."ordinal" - sc.paused_days), COUNT(w1."ordinal" - w0."ordinal") '
        f'FROM {subcase} sc LEFT JOIN {index} w0 ON w0."day" = sc.started_on '
        f'LEFT JOIN {index} w1 ON w1."day" = sc.decided_on '
        f"WHERE sc.state IN (%s, %s) AND sc.decided_on >= %s AND sc.decided_on <= %s{where} "
        f"GROUP BY sc.department_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def department_figures(*, start: dt.date, end: dt.date, department_ids=None) -> list[dict]:
    """The evaluation figures of each department (all of them, by code, or those of
    `department_ids`) for the period from `start` to `end` (Beijing dates, both included).

    One dict per department: ``department_id``, ``department`` (name), ``code``, and the figures
    defined in the module's docstring: ``received``, ``accepted``, ``deemed_accepted``,
    ``concluded``, ``on_time``, ``on_time_rate``, ``avg_workdays``, ``red_cards``,
    ``yellow_cards``, ``extensions``, ``supplements``; plus ``workday_sum`` and ``workday_n``
    (what the average is made of, so that totals can be averaged correctly).
    """
    from supervision.cards.levels import workday_ordinal

    workday_ordinal(timezone.localdate())  # the index spans the calendar's years around today
    departments = Department.objects.order_by("code")
    if department_ids is not None:
        department_ids = [int(d) for d in department_ids]
        departments = departments.filter(pk__in=department_ids)
    low, high = _bounds(start, end)

    def only(field):
        return Q(**{f"{field}__in": department_ids}) if department_ids is not None else Q()

    through = Application.matters.through.objects
    received = _by_department(
        through.filter(only("matter__department_id"), application__submitted_at__gte=low,
                       application__submitted_at__lt=high),
        "matter__department_id", n=Count("pk"),
    )
    accepted = _by_department(
        SubCase.objects.filter(only("department_id"), started_on__gte=start, started_on__lte=end),
        "department_id", n=Count("pk"), deemed=Count("pk", filter=Q(application__deemed_accepted=True)),
    )
    concluded = _concluded(start, end, department_ids)
    cards = _by_department(
        Card.objects.filter(only("department_id"), department_id__isnull=False, opened_at__gte=low,
                            opened_at__lt=high).exclude(review=Card.Review.VOIDED),
        "department_id", red=Count("pk", filter=Q(level=Card.Level.RED)),
        yellow=Count("pk", filter=Q(level=Card.Level.YELLOW)),
    )
    extensions = _by_department(
        SubCaseExtension.objects.filter(only("subcase__department_id"), status=SubCaseExtension.Status.APPROVED,
                                        decided_at__gte=low, decided_at__lt=high),
        "subcase__department_id", n=Count("pk"),
    )
    notices = _by_department(
        SupplementRequest.objects.filter(only("application__matters__department_id"), requested_at__gte=low,
                                         requested_at__lt=high),
        "application__matters__department_id", n=Count("pk", distinct=True),
    )
    pauses = _by_department(
        SubCasePause.objects.filter(only("subcase__department_id"), kind=SubCasePause.Kind.SUPPLEMENT,
                                    started_on__gte=start, started_on__lte=end),
        "subcase__department_id", n=Count("pk"),
    )
    rows = []
    for department in departments:
        pk = department.pk
        n_concluded, on_time, workday_sum, workday_n = concluded.get(pk, (0, 0, 0, 0))
        row = {
            "department_id": pk, "department": department.name, "code": department.code,
            "received": received.get(pk, {}).get("n", 0),
            "accepted": accepted.get(pk, {}).get("n", 0),
            "deemed_accepted": accepted.get(pk, {}).get("deemed", 0),
            "concluded": n_concluded or 0, "on_time": on_time or 0,
            "workday_sum": workday_sum or 0, "workday_n": workday_n or 0,
            "red_cards": cards.get(pk, {}).get("red", 0), "yellow_cards": cards.get(pk, {}).get("yellow", 0),
            "extensions": extensions.get(pk, {}).get("n", 0),
            "supplements": notices.get(pk, {}).get("n", 0) + pauses.get(pk, {}).get("n", 0),
        }
        rows.append(_with_rates(row))
    return rows


def _with_rates(row: dict) -> dict:
    row["on_time_rate"] = round(100 * row["on_time"] / row["concluded"], 1) if row["concluded"] else None
    row["avg_workdays"] = round(row["workday_sum"] / row["workday_n"], 1) if row["workday_n"] else None
    return row


def totals(rows: list[dict]) -> dict:
    """The sum of the departments' rows (rates recomputed from the sums)."""
    total = {"department_id": None, "department": _("合计"), "code": ""}
    for key in [*COUNT_KEYS, "workday_sum", "workday_n"]:
        total[key] = sum(r[key] for r in rows)
    return _with_rates(total)


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

    return {"columns": COLUMNS, "rows": [written(r) for r in rows], "total": written(totals(rows)) if rows else None}


# --- the period and the department asked for ---------------------------------------------------------


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """From the first of this month up to today."""
    return today.replace(day=1), today


def parse_request(data, *, today: dt.date) -> dict:
    """{"start", "end", "department"} from a form or query (strings), checked; raises Invalid."""
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
    return {"start": values["start"], "end": values["end"], "department": department}


def figures_for(params: dict) -> list[dict]:
    department = params.get("department")
    return department_figures(start=params["start"], end=params["end"],
                              department_ids=[department.pk] if department is not None else None)


# --- who may --------------------------------------------------------------------------------------


def may_evaluate(user) -> bool:
    """Supervisors and administrators of the 政务服务中心; not clerks, reviewers or citizens."""
    return bool(getattr(user, "is_authenticated", False)
                and (user.is_superuser or user.role in (user.Role.SUPERVISOR, user.Role.ADMINISTRATOR)))


def access_job(user, job_id) -> ReportJob:
    if not may_evaluate(user):
        raise Forbidden(_("只有督查人员和系统管理员可以查看绩效评估报表。"), code="not_a_supervisor")
    job = ReportJob.objects.filter(pk=job_id, kind=ReportJob.Kind.EVALUATION).select_related(
        "requested_by").first()
    if job is None:
        raise NotFound(_("未找到该报表任务。"), code="report_not_found")
    return job


BUILD_REPORT = "supervision.tasks.build_report"  # supervision.evaluation.tasks, named, not imported

# --- the export: requested by a service, built by a task ---------------------------------------------


@transaction.atomic
def export_request(*, user, start: dt.date, end: dt.date, department=None) -> ReportJob:
    """Queue an evaluation export; the worker builds it once the request is committed."""
    if not may_evaluate(user):
        raise Forbidden(_("只有督查人员和系统管理员可以导出绩效评估报表。"), code="not_a_supervisor")
    parse_request({"start": start.isoformat(), "end": end.isoformat(),
                   "department": str(department.pk) if department is not None else ""}, today=end)
    task_id = str(uuid.uuid4())
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.EVALUATION, requested_by=user, task_id=task_id,
        params={"start": start.isoformat(), "end": end.isoformat(),
                "department_id": department.pk if department is not None else None},
        message=_("已排队,等待生成。"),
    )
    transaction.on_commit(lambda: current_app.send_task(BUILD_REPORT, args=[job.pk], task_id=task_id), robust=True)
    logger.info("evaluation export %s requested by %s: %s", job.pk, user.pk, job.params)
    return job


def _progress(job, progress: int, message: str) -> None:
    ReportJob.objects.filter(pk=job.pk).update(progress=progress, message=message[:255])


def export_build(*, job_id: int) -> ReportJob | None:
    """Build the job's PDF and XLSX. A job that is not queued (done, failed, or taken by another
    worker) is left as it is, so running the task twice builds one result."""
    claimed = ReportJob.objects.filter(pk=job_id, state=ReportJob.State.QUEUED).update(
        state=ReportJob.State.RUNNING, started_at=timezone.now(), progress=1, message=_("开始生成。"))
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
            ids = list(Department.objects.order_by("code").values_list("pk", flat=True))
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
        job.state, job.progress, job.finished_at = ReportJob.State.DONE, 100, timezone.now()
        job.message = _("已完成,共 %(n)s 个部门。") % {"n": len(rows)}
        job.save(update_fields=["pdf", "xlsx", "state", "progress", "finished_at", "message"])
        logger.info("evaluation export %s: done", job.pk)
    except Exception as exc:  # the job must say it failed, whatever broke
        logger.exception("evaluation export %s failed", job_id)
        message = _("生成失败:%(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        ReportJob.objects.filter(pk=job_id).update(state=ReportJob.State.FAILED, message=message[:255],
                                                   finished_at=timezone.now())
        job.refresh_from_db()
    return job


def _document_context(rows, *, start, end, params, generated_at) -> dict:
    department = None
    if params.get("department_id"):
        department = Department.objects.filter(pk=params["department_id"]).first()
    return {
        "title": _("清新区政务服务绩效评估报告"),
        "start": start, "end": end,
        "scope": department.name if department is not None else _("全部部门"),
        "table": table(rows),
        "definitions": [str(d) for d in DEFINITIONS],
        "generated_at": generated_at,
        "rows": rows,
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
