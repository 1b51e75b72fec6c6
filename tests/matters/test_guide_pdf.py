"""The guide (办事指南) as PDF: real text in an embedded CJK font, of the current version or of a
past one, public like the guide page."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from matters import versioning
from matters.models import Matter
from tests.factories import MatterFactory


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def fonts(data: bytes) -> set:
    found = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = (font.get("/DescendantFonts") or [font])[0].get_object().get("/FontDescriptor")
            if descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.add(str(font["/BaseFont"]))
    return found


@pytest.fixture
def matter(db):
    return MatterFactory(name="食品经营许可", promised_days=5, legal_days=10, published_on=dt.date(2026, 3, 2),
                         materials=[{"name": "食品经营许可申请书", "trust_level": "D"},
                                    {"name": "营业执照", "source": "licence", "trust_level": "A"}])


def test_guide_pdf_is_real_text_with_an_embedded_cjk_font(client, matter):
    response = client.get(f"/guide/matters/{matter.code}/guide.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert text.startswith("办事指南")
    for expected in ("食品经营许可", "第 1 版", "2026年3月2日", "食品经营许可申请书", "营业执照",
                     "D级:申请人自制并承诺", "5 个工作日", matter.department.name, matter.code):
        assert expected in text, expected
    assert any("Tongban-Serif-SC" in name or "CJK" in name or "Noto" in name for name in fonts(data)), fonts(data)


def test_old_version_pdf_states_the_old_standard(client, matter):
    versioning.freeze_current(matter)
    matter.promised_days = 3
    matter.name = "食品经营许可(告知承诺)"
    matter.save()
    versioning.publish_if_changed(matter=matter)
    assert Matter.objects.get(pk=matter.pk).version == 2

    old = pdf_text(client.get(f"/guide/matters/{matter.code}/v1/guide.pdf").content)
    assert "第 1 版" in old and "历史版本,现行为第 2 版" in old and "5 个工作日" in old
    assert "告知承诺" not in old
    new = pdf_text(client.get(f"/guide/matters/{matter.code}/guide.pdf").content)
    assert "第 2 版" in new and "食品经营许可(告知承诺)" in new and "3 个工作日" in new
    assert client.get(f"/guide/matters/{matter.code}/v5/guide.pdf").status_code == 404


def test_guide_page_links_the_pdf(client, matter):
    html = client.get(f"/guide/matters/{matter.code}/").content.decode()
    assert f"/guide/matters/{matter.code}/guide.pdf" in html
    assert "第 1 版" in html and "2026-03-02" in html
