"""The guide pages (办事指南): matter search and detail, themes ("一件事") and their combined
material list. Read-only, open to everyone.

And the administrator's catalog pages: the whole catalog as XLSX, and its import with a
per-row report (matters.catalog_xlsx).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.clock.law import yellow_line
from core.uploads import file_response
from core.web.access import not_found_page, role_required, show_domain_error
from core.web.files import pdf_response, xlsx_response
from core.web.paging import page_of

from . import catalog_xlsx, hooks, manual, selectors, versioning
from .models import FormField, MaterialRequirement, Matter, MatterVersion, Target, Theme
from .oneform import form_fields, material_requirements
from .oneform_pages import material_rows
from .questions import combinations
from .situation_pages import bring_and_shared, situation_page


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
    page = page_of(request, matters, 20)
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


def guide_context(matter, requirements, fields, *, old_version=False, current_number=None) -> dict:
    """What the guide page, its PDF and the business manual show of one version of a matter.
    `matter`, `requirements`, `fields`: the live rows, or a past version's (versioning.as_instances)."""
    return {
        "title": matter.name,
        "matter": matter,
        "materials": material_rows(requirements, {}),
        "requirements": requirements,
        "fields": fields,
        "fee": yuan(matter.fee_fen),
        # the fee items (收费项目) of the live matter; a past version shows its single fee only
        "fee_items": [] if old_version or matter.pk is None else list(matter.fee_items.filter(is_active=True)),
        "legal_days": days_label(matter.legal_days),
        "promised_days": days_label(matter.promised_days),
        "old_version": old_version,
        "current_number": current_number,
    }


def _versions(matter) -> list:
    return list(MatterVersion.objects.filter(matter=matter).order_by("-number").only("number", "published_on"))


def matter_detail(request, code):
    matter = selectors.matter_by_code(code)
    if matter is None:
        return not_found_page(request, _("未找到该事项,或该事项已停用。"))
    context = guide_context(matter, list(matter.materials.all()), list(matter.fields.all()))
    return render(request, "matters/matter_detail.html", {
        **context,
        "versions": [v for v in _versions(matter) if v.number != matter.version],
        "themes": [t for t in matter.themes.all() if t.is_active],
        "can_apply_online": matter.online_depth >= matter.OnlineDepth.ONLINE_APPLY,
        "market_services": hooks.guide_services(matter),  # 中介服务 the matter needs (market)
        "faq": hooks.guide_faq(matter),  # 常见问题 promoted by the department (civic)
    })


def _past_guide(matter, number):
    """The guide context of version `number` of a matter, or None when it has no such version."""
    version = MatterVersion.objects.filter(matter=matter, number=number).first()
    if version is None:
        return None, None
    old, requirements, fields = versioning.as_instances(version, department=matter.department)
    return version, guide_context(old, requirements, fields, old_version=True, current_number=matter.version)


def matter_version_detail(request, code, number):
    """A past version of a guide, as it stood when it was published (applications submitted under it
    keep it)."""
    matter = selectors.matter_by_code(code)
    if matter is None:
        return not_found_page(request, _("未找到该事项,或该事项已停用。"))
    if number == matter.version:
        return redirect("portal:matter", code=matter.code)
    version, context = _past_guide(matter, number)
    if version is None:
        return not_found_page(request, _("该事项没有这一版本的办事指南。"))
    return render(request, "matters/matter_detail.html", {
        **context,
        "versions": [v for v in _versions(matter) if v.number not in (matter.version, number)],
        "themes": [],
        "can_apply_online": False,
    })


@require_GET
def matter_guide_pdf(request, code, number=None):
    """The guide as PDF (real text, embedded CJK font): the current version, or version `number`."""
    from .documents import guide_pdf  # WeasyPrint only where a PDF is made

    matter = selectors.matter_by_code(code)
    if matter is None:
        return not_found_page(request, _("未找到该事项,或该事项已停用。"))
    if number is None or number == matter.version:
        context = guide_context(matter, list(matter.materials.all()), list(matter.fields.all()))
    else:
        version, context = _past_guide(matter, number)
        if version is None:
            return not_found_page(request, _("该事项没有这一版本的办事指南。"))
    shown = context["matter"].version
    return pdf_response(guide_pdf(guide=context), f"办事指南-{matter.name}-v{shown}.pdf", ascii_name="guide.pdf")


FILE_KINDS = {"form": "blank_form", "sample": "sample"}


@require_GET
def material_file(request, code, material_id, kind):
    """A material's blank form or sample, public like the guide. Files live under MEDIA_ROOT,
    which is not served; this view is the only way to them."""
    matter = selectors.matter_by_code(code)
    if matter is None or kind not in FILE_KINDS:
        raise Http404
    requirement = next((r for r in matter.materials.all() if r.pk == material_id), None)
    stored = getattr(requirement, FILE_KINDS[kind], None) if requirement is not None else None
    if not stored:
        raise Http404
    suffix = stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else ""
    label = _("空白表格") if kind == "form" else _("示例样表")
    filename = f"{requirement.name}-{label}" + (f".{suffix}" if suffix else "")
    return file_response(stored, filename=filename, inline=False)  # type from content, always a download


@require_GET
@role_required(User.Role.CLERK, User.Role.REVIEWER, User.Role.SUPERVISOR, User.Role.ADMINISTRATOR,
               allow_superuser=True)
def matter_manual(request, code):
    """The business manual (业务手册): the guide plus the internal fields, for staff only."""
    matter = Matter.objects.select_related("department").prefetch_related("materials", "fields").filter(code=code).first()
    if matter is None:
        return not_found_page(request, _("未找到该事项。"))
    requirements = list(matter.materials.all())
    context = guide_context(matter, requirements, list(matter.fields.all()))
    context["title"] = _("业务手册:%(name)s") % {"name": matter.name}
    return render(request, "matters/matter_manual.html", {
        **context,
        "checks": manual.material_checks(requirements),
        "steps": manual.internal_steps(matter, requirements),
        "audit_notes": manual.audit_notes(matter),
        "versions": _versions(matter),
        "yellow_days": yellow_line(matter.promised_days) if matter.promised_days else 0,
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
    # Situation questions (matters.questions): answered, the page lists exactly the matters and
    # materials that apply (the one-time notice); unanswered or invalid, everything the theme has.
    situation = situation_page(request.GET, theme)
    if situation.error is not None:
        show_domain_error(request, situation.error)
    resolution = situation.resolution
    matters = resolution.matters if resolution else list(situation.situation.matters)
    requirements = resolution.requirements if resolution else material_requirements(matters)
    return render(request, "matters/theme_detail.html", {
        "title": theme.name,
        "theme": theme,
        "situation": situation,
        "notice": bool(resolution and situation.asks),
        "apply_query": resolution.query if resolution else "",
        "matters": [
            {"matter": m, "promised_days": days_label(m.promised_days), "fee": yuan(m.fee_fen)} for m in matters
        ],
        "departments": sorted({m.department.name for m in matters}),
        "materials": material_rows(requirements, {}),
        "requirements": requirements,
        "fields": resolution.fields if resolution else form_fields(matters),
        "total_visits": max((m.visits for m in matters), default=0),
        "longest_days": days_label(max((m.promised_days for m in matters), default=0)),
    }, status=400 if situation.error else 200)


# --- the catalog as a workbook (administrators) ----------------------------------------------------

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
    return xlsx_response(catalog_xlsx.export_catalog(), f"事项目录-{stamp}.xlsx", ascii_name="catalog.xlsx")


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


# --- situation questions: the administrator's preview ------------------------------------------


@require_GET
@role_required(User.Role.ADMINISTRATOR, allow_superuser=True)
def situation_preview(request, code):
    """Every combination of a theme's answers with the matters and materials that result, and an
    interactive check of one combination: what an applicant will see, before publishing."""
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        return not_found_page(request, _("未找到该主题。"))
    matters = selectors.theme_matters(theme)
    page = situation_page(request.GET, theme, matters)
    rows, total = combinations(page.situation)
    return render(request, "matters/situation_preview.html", {
        "title": _("情形引导预览:%(name)s") % {"name": theme.name},
        "theme": theme,
        "page": page,
        "all_matters": matters,
        "combinations": [{"resolution": r, "materials": bring_and_shared(r.requirements)} for r in rows],
        "total": total,
        "shown": len(rows),
        "checked": bring_and_shared(page.resolution.requirements) if page.resolution else None,
    }, status=400 if page.error else 200)
