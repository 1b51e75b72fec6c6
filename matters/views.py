"""The guide pages (办事指南): matter search and detail, themes ("一件事") and their combined
material list. Read-only, open to everyone.

Also the page side of the one form (一表式), shared by the online apply page (workflow) and the
walk-in page (windows): `read_oneform` takes the posted values of exactly the form's fields,
`oneform_rows` pairs each field with its value and errors for `matters/_oneform.html`, and
`material_rows` does the same for the material requirements. Validation stays in
matters.oneform and the services.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.views import not_found_page

from . import selectors
from .models import FormField, MaterialRequirement, Target
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
    target = request.GET.get("target", "")
    target = target if target in Target.values else ""
    department = request.GET.get("department", "").strip()[:32]
    matters = selectors.search_matters(q=q, target=target, department=department)
    page = Paginator(matters, 20).get_page(request.GET.get("page"))
    departments = sorted({m.department for m in selectors.active_matters()}, key=lambda d: d.code)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "matters/guide.html", {
        "title": _("办事指南"),
        "page": page,
        "q": q,
        "target": target,
        "department": department,
        "targets": Target.choices,
        "departments": departments,
        "themes": selectors.active_themes() if not (q or target or department) else [],
        "query": query.urlencode(),
    })


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
