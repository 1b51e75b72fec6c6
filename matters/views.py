"""The guide pages (办事指南): matter search and detail, themes ("一件事") and their combined
material list. Read-only, open to everyone.

Also the page side of the one form (一表式), shared by the online apply page (workflow) and the
walk-in page (windows): `read_oneform` takes the posted values of exactly the form's fields,
`oneform_rows` pairs each field with its value and errors for `matters/_oneform.html`, and
`material_rows` does the same for the material requirements. Validation stays in
matters.oneform and the services.

And the administrator's catalog pages: the whole catalog as XLSX, and its import with a
per-row report (matters.catalog_xlsx).
"""

from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.views import not_found_page, role_required

from . import catalog_xlsx, selectors
from .models import FormField, MaterialRequirement, Matter, Target
from .oneform import form_fields, material_requirements

FIELD_PREFIX = "field_"  # posted names of the one form's fields: field_<key>, never clashing with ours


# --- the one form on pages ---------------------------------------------------------------------


def read_oneform(post, fields) -> dict:
    return {field.key: post.get(FIELD_PREFIX + field.key, "") for field in fields}


def oneform_rows(fields, values: dict, errors: dict) -> list[dict]:
    rows = []
    for field in fields:
        rows.append({
            "field": field,
            "name": FIELD_PREFIX + field.key,
            "id": f"id_{FIELD_PREFIX}{field.key}",
            "value": values.get(field.key, ""),
            "errors": errors.get(field.key, []),
            "choices": field.choices if field.type == FormField.Type.CHOICE else [],
        })
    return rows


def material_label(requirement, duplicated: set) -> str:
    """A material's name, with its matter's when two matters of one theme ask for the same name."""
    if requirement.name in duplicated:
        return f"{requirement.name}({requirement.matter.name})"
    return requirement.name


def duplicated_names(requirements) -> set:
    seen, twice = set(), set()
    for requirement in requirements:
        (twice if requirement.name in seen else seen).add(requirement.name)
    return twice


def material_rows(requirements, errors: dict, *, checked=()) -> dict:
    """{"bring": [...], "shared": [...]}: what the applicant hands in, and what is 免提交."""
    twice = duplicated_names(requirements)
    bring, shared = [], []
    for requirement in requirements:
        row = {
            "requirement": requirement,
            "label": material_label(requirement, twice),
            "name": f"material_{requirement.pk}",
            "errors": errors.get(f"material_{requirement.pk}", []),
            "checked": requirement.pk in checked,
        }
        (bring if requirement.source == MaterialRequirement.Source.APPLICANT else shared).append(row)
    return {"bring": bring, "shared": shared}


def yuan(fen: int) -> str:
    """Money is kept in fen; show yuan without going through floats."""
    return f"{fen // 100}.{fen % 100:02d}"


def days_label(days: int) -> str:
    return _("即办") if days == 0 else _("%(n)s 个工作日") % {"n": days}


# --- the guide ---------------------------------------------------------------------------------


def guide(request):
    q = request.GET.get("q", "").strip()[:64]
    target = _choice(request.GET.get("target", ""), Target.values)
    level = _choice(request.GET.get("level", ""), Matter.Level.values)
    department = request.GET.get("department", "").strip()[:32]
    theme = request.GET.get("theme", "").strip()[:48]
    matters = selectors.search_matters(q=q, target=target, department=department, level=level, theme=theme)
    page = Paginator(matters, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filtered = bool(q or target or department or level or theme)
    themes = list(selectors.active_themes())
    return render(request, "matters/guide.html", {
        "title": _("办事指南"),
        "page": page,
        "q": q,
        "target": target,
        "department": department,
        "level": level,
        "theme": theme,
        "targets": Target.choices,
        "levels": Matter.Level.choices,
        "departments": selectors.catalog_departments(),
        "all_themes": themes,
        "filtered": filtered,
        "themes": themes if not filtered else [],
        "query": query.urlencode(),
    })


def _choice(value: str, allowed) -> str:
    return value if value in allowed else ""


def matter_detail(request, code):
    matter = selectors.matter_by_code(code)
    if matter is None:
        return not_found_page(request, _("未找到该事项,或该事项已停用。"))
    requirements = list(matter.materials.all())
    return render(request, "matters/matter_detail.html", {
        "title": matter.name,
        "matter": matter,
        "materials": material_rows(requirements, {}),
        "requirements": requirements,
        "fields": list(matter.fields.all()),
        "fee": yuan(matter.fee_fen),
        "legal_days": days_label(matter.legal_days),
        "promised_days": days_label(matter.promised_days),
        "themes": [t for t in matter.themes.all() if t.is_active],
        "can_apply_online": matter.online_depth >= matter.OnlineDepth.ONLINE_APPLY,
    })


def theme_list(request):
    themes = list(selectors.active_themes())
    return render(request, "matters/theme_list.html", {
        "title": _("一件事"),
        "groups": [(label, [t for t in themes if t.target == value]) for value, label in Target.choices],
    })


def theme_detail(request, code):
    theme = selectors.theme_by_code(code)
    if theme is None:
        return not_found_page(request, _("未找到该主题,或该主题已停用。"))
    matters = selectors.theme_matters(theme)
    requirements = material_requirements(matters)
    return render(request, "matters/theme_detail.html", {
        "title": theme.name,
        "theme": theme,
        "matters": [
            {"matter": m, "promised_days": days_label(m.promised_days), "fee": yuan(m.fee_fen)} for m in matters
        ],
        "departments": sorted({m.department.name for m in matters}),
        "materials": material_rows(requirements, {}),
        "requirements": requirements,
        "fields": form_fields(matters),
        "total_visits": max((m.visits for m in matters), default=0),
        "longest_days": days_label(max((m.promised_days for m in matters), default=0)),
    })


# --- the catalog as a workbook (administrators) ----------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"catalog.xlsx\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def _catalog_page(request, *, report=None, status=200):
    return render(request, "matters/catalog_transfer.html", {
        "title": _("事项目录导入导出"),
        "counts": {
            "matters": Matter.objects.count(),
            "active": Matter.objects.filter(is_active=True).count(),
            "materials": MaterialRequirement.objects.count(),
            "fields": FormField.objects.count(),
        },
        "report": report,
        "max_mb": catalog_xlsx.MAX_UPLOAD_BYTES // (1024 * 1024),
    }, status=status)


@require_GET
@role_required(User.Role.ADMINISTRATOR, allow_superuser=True)
def catalog_transfer(request):
    return _catalog_page(request)


@require_GET
@role_required(User.Role.ADMINISTRATOR, allow_superuser=True)
def catalog_export(request):
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(catalog_xlsx.export_catalog(), f"事项目录-{stamp}.xlsx")


@require_POST
@role_required(User.Role.ADMINISTRATOR, allow_superuser=True)
def catalog_import(request):
    upload = request.FILES.get("file")
    report = catalog_xlsx.ImportReport()
    if upload is None:
        report.add(_("文件"), None, "", _("请选择要导入的 .xlsx 文件。"))
    elif upload.size > catalog_xlsx.MAX_UPLOAD_BYTES:
        report.add(_("文件"), None, "", _("文件超过 %(n)s MB,请拆分后分批导入。") % {
            "n": catalog_xlsx.MAX_UPLOAD_BYTES // (1024 * 1024)})
    else:
        report = catalog_xlsx.import_catalog(file=upload)
    if not report.ok:
        return _catalog_page(request, report=report, status=400)
    messages.success(request, _("导入成功。") + report.summary())
    return redirect("portal:catalog_transfer")
