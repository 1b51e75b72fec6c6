"""The kiosk's receipt (凭条): one thing done at a terminal, as a PDF for an 80 mm roll printer
(core.pdf, the portal's Chinese face). The page is 80 mm wide and as long as its lines need."""

from __future__ import annotations

from django.utils import timezone

from accounts.districts import district_name
from core.pdf import render_template_pdf

from .models import KioskReceipt, Terminal

WIDTH_MM = 80


def page_height_mm(receipt: KioskReceipt) -> int:
    """Head and foot ~62 mm, each line ~7 mm (a long value wraps once or twice more)."""
    extra = sum(len(str(value)) // 16 for _label, value in receipt.lines)
    return 62 + 7 * (len(receipt.lines) + extra)


def receipt_pdf(receipt: KioskReceipt, *, holder: str, id_masked: str, terminal: Terminal) -> bytes:
    return render_template_pdf(
        "terminals/kiosk/receipt_pdf.html",
        {
            "receipt": receipt,
            "holder": holder,
            "id_masked": id_masked,
            "terminal": terminal,
            "width": WIDTH_MM,
            "height": page_height_mm(receipt),
            "printed_at": timezone.localtime(receipt.created_at),
            "area_name": district_name(terminal.hall.region.district_code),
        },
    )
