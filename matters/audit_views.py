"""The catalog audit (目录审计) page and its XLSX report, for supervisors and administrators. Read-only."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from core.web.access import role_required
from core.web.files import xlsx_response

from .audit import audit_workbook, catalog_audit_report


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def audit_page(request):
    report = catalog_audit_report()
    return render(request, "matters/audit.html", {"title": _("事项目录审计"), "report": report})


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def audit_export(request):
    report = catalog_audit_report()
    return xlsx_response(audit_workbook(report), f"事项目录审计-{report.day:%Y%m%d}.xlsx")
