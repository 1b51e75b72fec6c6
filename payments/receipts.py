"""The electronic receipt (电子票据) of a paid fee, as a PDF (core.pdf)."""

from __future__ import annotations

from django.conf import settings

from accounts.districts import district_full_name
from core.pdf import render_template_pdf
from workflow.documents import application_district

from .models import PaymentOrder

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿"]


def capital_yuan(fen: int) -> str:
    """An amount in fen written in capitals, as on a receipt: 12345 → 壹佰贰拾叁元肆角伍分."""
    yuan, jiao, cent = fen // 100, fen // 10 % 10, fen % 10
    text, zero, digits = "", False, str(yuan)
    for i, ch in enumerate(digits if yuan else ""):
        position, digit = len(digits) - 1 - i, int(ch)
        if digit == 0:
            zero = True
        else:
            text += ("零" if zero else "") + DIGITS[digit] + UNITS[position % 4]
            zero = False
        if position % 4 == 0 and position > 0 and int(digits[max(0, i - 3):i + 1]):
            text += GROUPS[position // 4]
    text = text + "元" if text else ""
    if jiao == 0 and cent == 0:
        return (text or "零元") + "整"
    if jiao:
        text += ("零" if zero and text else "") + DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if cent:
        text += DIGITS[cent] + "分"
    return text


def receipt_pdf(order: PaymentOrder) -> bytes:
    if order.bill_id:
        bill = order.bill
        return render_template_pdf("payments/receipt_pdf.html", {
            "order": order, "bill": bill, "payer": bill.person.real_name, "capital": capital_yuan(order.amount_fen),
            "area_full_name": settings.PORTAL_AREA_FULL_NAME,
        })
    line = order.fee_line
    application = line.application
    payer = application.enterprise.name if application.enterprise_id else application.applicant.real_name
    return render_template_pdf("payments/receipt_pdf.html", {
        "order": order, "line": line, "application": application, "payer": payer,
        "capital": capital_yuan(order.amount_fen),
        "area_full_name": district_full_name(application_district(application)),  # as its number's
    })
