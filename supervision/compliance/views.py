"""The 两集中、三到位 page and its XLSX report, and the log-integrity page (supervisors and
administrators, read-only)."""

import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from core import audit
from core.web.access import role_required
from core.web.files import xlsx_response

from .services import compliance_report, compliance_workbook


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def compliance_page(request):
    report = compliance_report()
    return render(request, "supervision/compliance.html", {"title": _("两集中、三到位"), "report": report})


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def compliance_export(request):
    report = compliance_report()
    return xlsx_response(compliance_workbook(report), f"两集中三到位-{report.day:%Y%m%d}.xlsx")


AUDIT_PAGE_DAYS = 31  # the page walks the last month's chains; `?all=1` and `manage.py verify_audit` walk all


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def audit_chain_page(request):
    """日志防篡改核验: each log table's hash chain, verified now, with the first broken row."""
    whole = request.GET.get("all") == "1"
    since = None if whole else timezone.localdate() - dt.timedelta(days=AUDIT_PAGE_DAYS - 1)
    reports = audit.verify(since=since)
    return render(request, "supervision/audit_chain.html", {
        "title": _("日志防篡改核验"), "reports": reports, "since": since, "whole": whole,
        "broken": sum(1 for r in reports if not r.ok), "rows": sum(r.rows for r in reports),
    })
