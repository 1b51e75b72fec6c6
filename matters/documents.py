"""The guide (办事指南) as PDF: real text in the embedded Noto Serif CJK SC, made the way
`workflow.documents` makes notices (one regular face, the title set apart by size; fixed tables;
the QR code a one-pixel-per-module PNG; one WeasyPrint font configuration per thread).

`matters` sits below `workflow`, so the two helpers both need (`qr_png_data_uri`,
`font_config`) live here and `workflow.documents` imports them.

A guide is public: the PDF states only what the guide page states, of the version asked for.
"""

from __future__ import annotations

import base64
import struct
import threading
import zlib

import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Matter

_fonts = threading.local()


def font_config():
    """One WeasyPrint font configuration per thread (a new one per document costs ~15 ms)."""
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def qr_png_data_uri(data: str, *, border: int = 2) -> str:
    """A QR code as a PNG data URI, one pixel per module (scaled up with `image-rendering: pixelated`)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    qr.add_data(data)
    qr.make(fit=True)
    return "data:image/png;base64," + base64.b64encode(_png_1bit(qr.get_matrix())).decode("ascii")


def _png_1bit(rows: list[list[bool]]) -> bytes:
    height, width = len(rows), len(rows[0])
    padded = -(-width // 8) * 8
    raw = bytearray()
    for row in rows:
        bits = "".join("0" if dark else "1" for dark in row).ljust(padded, "1")
        raw.append(0)
        raw += int(bits, 2).to_bytes(padded // 8, "big")

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def guide_url(matter: Matter, number: int | None = None) -> str:
    path = (reverse("portal:matter_version", args=[matter.code, number]) if number
            else reverse("portal:matter", args=[matter.code]))
    return f"{settings.SITE_URL}{path}"


def guide_pdf(*, guide: dict) -> bytes:
    """The PDF of a guide. `guide`: the context `matters.views.guide_context` builds for the page,
    of the current version or of a past one (its `matter.version` is the version shown)."""
    import weasyprint  # heavy import, only where PDFs are made

    matter = guide["matter"]
    url = guide_url(matter, matter.version if guide.get("old_version") else None)
    html = render_to_string("matters/guide_pdf.html", {
        **guide,
        "url": url,
        "qr_png": qr_png_data_uri(url),
        "printed_on": timezone.localdate(),
    })
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=font_config())
