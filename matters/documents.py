"""The guide (办事指南) as PDF: real text in the prepared Chinese face, made the way
`workflow.documents` makes notices (core.pdf: one regular face, the title set apart by size;
fixed tables; the QR code a one-pixel-per-module PNG).

A guide is public: the PDF states only what the guide page states, of the version asked for.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.districts import district_name
from accounts.models import Department
from core.pdf import qr_png_data_uri, render_template_pdf

from .models import Matter


def guide_url(matter: Matter, number: int | None = None) -> str:
    path = (reverse("portal:matter_version", args=[matter.code, number]) if number
            else reverse("portal:matter", args=[matter.code]))
    return f"{settings.SITE_URL}{path}"


def guide_pdf(*, guide: dict) -> bytes:
    """The PDF of a guide. `guide`: the context `matters.views.guide_context` builds for the page,
    of the current version or of a past one (its `matter.version` is the version shown)."""
    matter = guide["matter"]
    url = guide_url(matter, matter.version if guide.get("old_version") else None)
    return render_template_pdf("matters/guide_pdf.html", {
        **guide,
        "url": url,
        "qr_png": qr_png_data_uri(url),
        "printed_on": timezone.localdate(),
        "area_name": _matter_area(matter),
    })


def _matter_area(matter) -> str:
    """The district of the matter's department (a past version's too), for the guide's foot."""
    department = Department.objects.filter(pk=getattr(matter, "department_id", None)).select_related("region").first()
    return district_name(department.region.district_code) if department is not None else settings.PORTAL_AREA_NAME
