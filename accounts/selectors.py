from django.utils.translation import gettext as _

from core.errors import Invalid

from .models import Enterprise


def enterprise_by_credit_code(credit_code: str) -> Enterprise | None:
    """The enterprise named by its unified social credit code; None when none was given."""
    code = (credit_code or "").strip().upper()
    if not code:
        return None
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None:
        raise Invalid(_("未找到该企业。"), code="enterprise_not_found", fields={"enterprise": [_("请核对统一社会信用代码。")]})
    return enterprise
