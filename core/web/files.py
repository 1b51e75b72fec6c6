"""File answers: the bytes with the right type and a Chinese file name that every browser keeps
(an ASCII `filename` for old clients and the RFC 5987 `filename*`)."""

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
