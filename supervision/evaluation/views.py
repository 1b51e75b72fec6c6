"""Pages of the performance evaluation (绩效评估): the figures per department and period, an
export request, the small JSON status the page's progress bar polls, and the downloads (served
from MEDIA_ROOT after the same check as the page; there is no media URL)."""

from django.contrib import messages
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Department, User
from core.errors import DomainError
from core.numbers import is_small_int
from core.web.access import not_found_page, not_found_pages, role_required, show_domain_error
from supervision.scope.districts import scope_of

from . import services as evaluation
from .models import ReportJob

ROLES = (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR)
RECENT_JOBS = 10


def _status(job: ReportJob) -> dict:
    done = job.state == ReportJob.State.DONE
    return {
        "id": job.pk, "state": job.state, "state_label": job.get_state_display(), "progress": job.progress,
        "message": job.message, "finished": job.is_finished,
        "pdf_url": reverse("portal:evaluation_file", args=[job.pk, "pdf"]) if done and job.pdf else None,
        "xlsx_url": reverse("portal:evaluation_file", args=[job.pk, "xlsx"]) if done and job.xlsx else None,
    }


def _page(request, data, *, status=200, errors=None):
    today = timezone.localdate()
    scope = scope_of(request.user)  # a district supervisor: the district's departments (issue 15)
    try:
        params = evaluation.parse_request(data, today=today, scope=scope)
    except DomainError as exc:
        if errors is None:  # a refused export has said so already
            show_domain_error(request, exc)
        errors, status = exc.fields, exc.status
        start, end = evaluation.default_period(today)
        params = {"start": start, "end": end, "department": None}
    job = None
    raw_job = request.GET.get("job", "")
    if is_small_int(raw_job):
        job = evaluation.jobs_for(request.user).filter(pk=int(raw_job)).first()
    return render(request, "supervision/evaluation.html", {
        "title": _("绩效评估"),
        "params": params,
        "table": evaluation.table(evaluation.figures_for(params, scope=scope)),
        "definitions": evaluation.DEFINITIONS,
        "departments": (Department.objects.order_by("code") if scope is None
                        else Department.objects.filter(pk__in=sorted(scope.department_ids)).order_by("code")),
        "scope": scope,
        "job": _status(job) if job is not None else None,
        "jobs": [(j, _status(j)) for j in evaluation.jobs_for(request.user)
                 .select_related("requested_by")[:RECENT_JOBS]],
        "errors": errors or {},
    }, status=status)


@require_GET
@role_required(*ROLES, allow_superuser=True)
def evaluation_page(request):
    return _page(request, request.GET)


@require_POST
@role_required(*ROLES, allow_superuser=True)
def evaluation_export(request):
    try:
        params = evaluation.parse_request(request.POST, today=timezone.localdate(), scope=scope_of(request.user))
        job = evaluation.export_request(user=request.user, start=params["start"], end=params["end"],
                                        department=params["department"])
    except DomainError as exc:
        show_domain_error(request, exc)
        return _page(request, request.POST, status=exc.status, errors=exc.fields)
    messages.success(request, _("已提交导出任务,生成后可下载 PDF 和 XLSX。"))
    query = {"start": params["start"].isoformat(), "end": params["end"].isoformat(),
             "department": params["department"].pk if params["department"] else "", "job": job.pk}
    return redirect(f"{reverse('portal:evaluation')}?{urlencode(query)}")


@require_GET
@role_required(*ROLES, allow_superuser=True)
@not_found_pages
def evaluation_job(request, pk):
    """{"state", "progress", "message", "pdf_url", "xlsx_url", …}: what the progress bar shows."""
    response = JsonResponse(_status(evaluation.access_job(request.user, pk)))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(*ROLES, allow_superuser=True)
@not_found_pages
def evaluation_file(request, pk, kind):
    job = evaluation.access_job(request.user, pk)
    field = {"pdf": job.pdf, "xlsx": job.xlsx}.get(kind)
    if job.state != ReportJob.State.DONE or not field:
        return not_found_page(request, _("该报表尚未生成完成。"))
    start, end = job.params.get("start", ""), job.params.get("end", "")
    name = f"绩效评估-{start}至{end}.{kind}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name, content_type={
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[kind])
