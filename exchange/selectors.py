"""Reads of the electronic-licence store shared by pages and API: whose licences a user may see,
and the public verification by number and printed code."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from core.digests import code_matches, normalise_code
from core.errors import NotFound

from .models import ElectronicLicence, LicenceStatus


def licences_for(user):
    """A citizen: the licences they hold, or that an enterprise they act for holds; a reviewer:
    the ones their department issued; a supervisor: all. Clerks check licences on the public
    verification page like anyone else."""
    qs = ElectronicLicence.objects.select_related("department", "matter")
    if not user.is_authenticated:
        return qs.none()
    if user.is_supervisor or user.is_superuser:
        return qs
    if user.is_reviewer:
        return qs.filter(department_id=user.department_id)
    if user.is_public:
        return qs.filter(Q(holder_user=user) | Q(holder_enterprise__members=user)).distinct()
    return qs.none()


def access_licence(user, number: str) -> ElectronicLicence:
    licence = licences_for(user).filter(number=number).first()
    if licence is None:
        raise NotFound(_("未找到该电子证照,或您无权查看。"), code="licence_not_found")
    return licence


def verify_licence(number: str, code: str) -> ElectronicLicence | None:
    """The licence with this number whose digest starts with the printed code; the same None
    for an unknown number and a wrong code."""
    licence = ElectronicLicence.objects.select_related("department", "matter").filter(
        number=(number or "").strip().upper()).first()
    if licence is None or not code_matches(licence.digest, normalise_code(code)):
        return None
    return licence


def public_facts(licence: ElectronicLicence, day) -> dict:
    """What the public verification shows: what the licence states, the holder masked, and
    whether it is valid today."""
    from accounts.identity import mask_enterprise, mask_name

    status = licence.status_on(day)
    return {
        "number": licence.number,
        "name": licence.name,
        "holder": mask_enterprise(licence.holder_name) if licence.holder_enterprise_id else mask_name(licence.holder_name),
        "holder_id": licence.holder_id_masked,
        "department": licence.department.name,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "status": status,
        "status_display": LicenceStatus(status).label,
        "revoked_at": licence.revoked_at,
        "revocation_reason": licence.revocation_reason,
        "verification_code": licence.verification_code,
    }
