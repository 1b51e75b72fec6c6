"""File answers: the bytes with the right type and a Chinese file name that every browser keeps
(an ASCII `filename` for old clients and the RFC 5987 `filename*`)."""

import io
from urllib.parse import quote

from django.http import HttpResponse

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(kind: str, ascii_name: str, filename: str) -> str:
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def pdf_response(data: bytes, filename: str, *, ascii_name: str = "document.pdf") -> HttpResponse:
    """A PDF shown in the browser (inline)."""
    response = HttpResponse(data, content_type=PDF_TYPE)
    response["Content-Disposition"] = _disposition("inline", ascii_name, filename)
    return response


def xlsx_response(data: bytes, filename: str, *, ascii_name: str = "export.xlsx") -> HttpResponse:
    """A workbook to download, never cached (it is made from live data)."""
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition("attachment", ascii_name, filename)
    response["Cache-Control"] = "no-store"
    return response


class ReportWorkbook:
    """An XLSX report of several sheets, each a bold header row, frozen below it, column widths,
    and cells that are always text or numbers (a cell starting with "=" is text, never a
    formula). Used by the catalog audit and the compliance report."""

    def __init__(self):
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.bold, self.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")

    def sheet(self, title, header, rows, widths):
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        ws.append(header)
        for c in ws[1]:
            c.font, c.fill = self.bold, self.fill
        for row in rows:
            ws.append(list(row))
            for c in ws[ws.max_row]:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.data_type = "s"  # text, never a formula
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()
