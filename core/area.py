"""The area the deployment serves (settings.PORTAL_AREA_NAME) and the portal's name for an area."""

from django.conf import settings


def portal_name(area: str | None = None) -> str:
    """The portal's name for an area (default: the deployment's), 清新区一门式一网式政务服务平台."""
    return f"{area or settings.PORTAL_AREA_NAME}一门式一网式政务服务平台"
