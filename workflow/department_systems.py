"""Decisions from a department's own system, applied through the same services as a decision in
this portal's back office, under the department system's account: the applicant sees the result,
the notices and the licence exactly as after an in-house decision. Registered on
`exchange.departments.register_decision_handler` (exchange knows no applications)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import Forbidden, Invalid, NotFound
from exchange import departments
from exchange.licence_data import licence_data

from . import services
from .models import Application, Material, SubCase

KINDS = ("approve", "deny", "suspend", "resume", "extension")


def apply_decision(system, decision: dict) -> tuple[int, dict]:
    kind = decision.get("kind")
    if kind not in KINDS:
        raise Invalid(_("未知的审批结果类型。"), code="unknown_kind", fields={"kind": [_("应为 %s 之一。") % "、".join(KINDS)]})
    subcase = SubCase.objects.select_related("matter__licence_type", "application").filter(number=str(decision.get("subcase", ""))).first()
    if subcase is None:
        raise NotFound(_("没有该子件。"), code="unknown_subcase")
    if subcase.department_id != system.department_id:
        raise Forbidden(_("该子件不由本部门办理。"), code="not_department_subcase")
    licence = decision.get("licence") or {}
    if kind == "approve" and licence:
        _check_licence(licence)
    if kind == "approve" and subcase.matter.issues_licence and subcase.matter.licence_type_id:
        # the licence type's data items, before anything is applied: a decision whose licence data
        # lacks a required item is refused whole (422), and the department can send it again
        licence_data(subcase.matter.licence_type, licence.get("data") if isinstance(licence, dict) else None,
                     subcase.application.form_data)
    account = departments.ensure_account(system)
    reason = str(decision.get("reason") or "").strip()
    by = str(decision.get("decided_by") or "").strip()
    if by:
        reason = f"{reason}(经办人:{by})" if reason else ""
    if kind in ("approve", "deny", "suspend", "extension") and subcase.state == SubCase.State.DISPATCHED:
        subcase = services.subcase_start_examining(subcase=subcase, reviewer=account)
    if kind in ("approve", "deny"):
        subcase = services.subcase_decide(subcase=subcase, reviewer=account, approve=kind == "approve", reason=reason)
    elif kind == "suspend":
        services.subcase_suspend(subcase=subcase, reviewer=account, kind=str(decision.get("procedure") or ""),
                                 reason=reason)
    elif kind == "resume":
        subcase = services.subcase_resume(subcase=subcase, reviewer=account, result=str(decision.get("result") or ""))
    else:
        days = decision.get("days")
        services.subcase_request_extension(subcase=subcase, reviewer=account, days=days, reason=reason)
    subcase.refresh_from_db()
    return 200, {"code": "applied", "message": _("已办理。"), "subcase": subcase.number, "state": subcase.state}


def _check_licence(licence) -> None:
    import datetime as dt

    problems = {}
    if not isinstance(licence, dict):
        raise Invalid(_("证照信息格式不正确。"), code="invalid_licence")
    if licence.get("valid_until"):
        try:
            dt.date.fromisoformat(str(licence["valid_until"]))
        except ValueError:
            problems["licence.valid_until"] = [_("有效期应为 YYYY-MM-DD 格式的日期。")]
    if licence.get("data") is not None and not isinstance(licence["data"], dict):
        problems["licence.data"] = [_("照面信息应为对象,如 {\"business_scope\": \"预包装食品销售\"}。")]
    if licence.get("name") is not None and not (isinstance(licence["name"], str) and 0 < len(licence["name"]) <= 128):
        problems["licence.name"] = [_("证照名称为1至128个字。")]
    if problems:
        raise Invalid(_("证照信息不正确。"), code="invalid_licence", fields=problems)


def material_for_department(system, material_id: int):
    """The file of material `material_id` if the department of `system` may fetch it: a material
    with a file, of an application not withdrawn, named by (the matter of) a sub-case of that
    department that was pushed to its own system and is not withdrawn. Else None (the endpoint's
    404, whatever the reason)."""
    from exchange import services as exchange_services

    material = (Material.objects.select_related("application", "requirement").filter(pk=material_id)
                .exclude(file="").first())
    if material is None or material.application.state == Application.State.WITHDRAWN:
        return None
    subcases = SubCase.objects.filter(application_id=material.application_id, department_id=system.department_id
                                      ).exclude(state=SubCase.State.WITHDRAWN).order_by("pk")
    if material.requirement_id:
        subcases = subcases.filter(matter_id=material.requirement.matter_id)
    for number in subcases.values_list("number", flat=True):
        if exchange_services.decides_elsewhere(number):
            return departments.MaterialFile(case_ref=number, material_id=material.pk, name=material.name,
                                            file=material.file, content_type=material.content_type)
    return None
