"""一键续办: a licence near its expiry opens the application for its renewal matter with the one
form pre-filled from the licence — the holder (the enterprise's name and credit code for a
licence an enterprise holds), the licence's number in the field the type's reminder policy names
(or a field whose key says it is a licence number), and the other answers of the application
that produced the licence, when the renewing person made it. Identity and phone fields come from
the account (the apply page's own pre-fill); every value can be corrected before submitting."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import Invalid
from exchange.models import ElectronicLicence, LicenceType
from exchange.selectors import access_licence
from matters.models import FormField, Matter
from matters.selectors import matter_by_code

from .models import Application

# Field keys that take the expiring licence's number when the policy names none.
LICENCE_NUMBER_KEYS = ("licence_number", "original_licence_number", "permit_number", "certificate_number",
                       "residence_permit_number")
# Taken from the account by the apply page, never copied from an old form.
ACCOUNT_TYPES = (FormField.Type.PHONE, FormField.Type.ID_NUMBER)


@dataclass(frozen=True)
class Renewal:
    licence: ElectronicLicence
    matter: Matter
    policy: LicenceType | None  # the licence's type: its renewal matter and number field


def renewal_for(user, number: str) -> Renewal:
    """The renewal of licence `number` as `user` may apply for it; NotFound when the licence is not
    theirs, Invalid when it is revoked or its renewal matter is not offered online."""
    licence = access_licence(user, number)
    if licence.revoked_at is not None:
        raise Invalid(_("该证照已注销,不能续办。"), code="licence_revoked")
    policy = (LicenceType.objects.select_related("renewal_matter").filter(pk=licence.licence_type_id).first()
              if licence.licence_type_id else None)
    target = policy.renewal_matter if policy is not None and policy.renewal_matter_id else licence.matter
    matter = matter_by_code(target.code)
    if matter is None:
        raise Invalid(_("《%(name)s》的续办事项暂未开通网上申请,请到政务服务大厅办理。") % {"name": licence.name},
                      code="renewal_not_online")
    return Renewal(licence=licence, matter=matter, policy=policy)


def renewal_values(renewal: Renewal, fields, user) -> dict[str, str]:
    """One-form values from the licence for the apply page's `fields` (keys the form has only)."""
    licence, keys = renewal.licence, {f.key: f for f in fields}
    values: dict[str, str] = {}
    earlier = Application.objects.filter(number=licence.application_number, applicant=user).first()
    if earlier is not None and isinstance(earlier.form_data, dict):
        for key, value in earlier.form_data.items():
            if key in keys and keys[key].type not in ACCOUNT_TYPES and value not in (None, ""):
                values[key] = value
    if licence.holder_enterprise_id:
        holder = {"company_name": licence.holder_name, "credit_code": licence.holder_id_number}
    elif licence.holder_user_id == user.pk:
        holder = {"applicant_name": licence.holder_name, "name": licence.holder_name}
    else:
        holder = {}
    values.update({k: v for k, v in holder.items() if k in keys and v})
    number_key = renewal.policy.number_field if renewal.policy is not None and renewal.policy.number_field else ""
    for key in (number_key, *LICENCE_NUMBER_KEYS):
        if key and key in keys:
            values[key] = licence.number
            break
    return values
