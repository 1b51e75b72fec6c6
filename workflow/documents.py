"""Notices (文书) as PDF: context built here, HTML template rendered, WeasyPrint writes the PDF,
the file is stored with its SHA-256. Generating the same notice twice returns the first one."""

from __future__ import annotations

import hashlib
import io
import logging

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.identity import mask

from .models import Application, Notice

logger = logging.getLogger(__name__)


def progress_url(application: Application) -> str:
    return f"{settings.SITE_URL}{reverse('portal:progress')}?number={application.number}"


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def notice_context(application: Application, kind: str) -> dict:
    subcases = list(application.subcases.select_related("matter", "department").order_by("number"))
    applicant = application.applicant
    return {
        "application": application,
        "kind": kind,
        "kind_label": Notice.Kind(kind).label,
        "applicant_name": application.enterprise.name if application.enterprise_id else applicant.real_name,
        "applicant_id": mask(application.enterprise.credit_code) if application.enterprise_id else mask(applicant.id_number or ""),
        "subcases": subcases,
        "hall": application.accepted_hall,
        "issued_on": timezone.localdate(),
        "progress_url": progress_url(application),
        "qr_svg": qr_svg(progress_url(application)),
    }


def render_notice_pdf(application: Application, kind: str) -> bytes:
    import weasyprint  # heavy import, only where PDFs are made

    html = render_to_string(f"workflow/notices/{kind}.html", notice_context(application, kind))
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def generate_notice(*, application: Application, kind: str) -> Notice:
    key = f"{application.pk}:{kind}"
    existing = Notice.objects.filter(key=key).first()
    if existing is not None:
        return existing
    pdf = render_notice_pdf(application, kind)
    digest = hashlib.sha256(pdf).hexdigest()
    notice = Notice(key=key, application=application, kind=kind, sha256=digest)
    notice.file.save(f"{application.number}-{kind}.pdf", ContentFile(pdf), save=False)
    notice.save()
    logger.info("notice %s generated for %s (%d bytes)", kind, application.number, len(pdf))
    return notice
