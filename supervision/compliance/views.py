"""The 两集中、三到位 page and its XLSX report (supervisors and administrators, read-only)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
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
