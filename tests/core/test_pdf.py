"""core.pdf: documents set in the Chinese face prepared once, small enough to send and keep."""

import io
import re

import pytest
from pypdf import PdfReader

from core import pdf
from tests.factories import MatterFactory, accepted_application
from workflow.calendar_store import seed_calendar
from workflow.documents import render_notice_pdf

pytestmark = pytest.mark.django_db

NOTICE_BUDGET = 50 * 1024  # bytes, issue 14


def fonts_of(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def glyphs_drawn(data: bytes) -> dict[str, int]:
    """For each embedded face, how many of its glyphs have an outline (a face whose outlines
    were lost would still give its text to a copy-paste but print nothing)."""
    from fontTools.ttLib import TTFont

    drawn = {}
    for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        stream = next(descriptor[k] for k in ("/FontFile3", "/FontFile2") if k in descriptor)
        face = TTFont(io.BytesIO(stream.get_object().get_data()))
        if "CFF " in face:
            charstrings = face["CFF "].cff.topDictIndex[0].CharStrings
            count = 0
            for name in face.getGlyphOrder():
                charstring = charstrings[name]
                charstring.decompile()
                count += len(charstring.program) > 1
        else:
            count = sum(1 for name in face.getGlyphOrder() if face["glyf"][name].numberOfContours)
        drawn[str(font["/BaseFont"])] = count
    return drawn


def text_of(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


@pytest.fixture
def notice_case():
    seed_calendar(years=[2026])
    food = MatterFactory(name="食品经营许可", legal_basis="《中华人民共和国食品安全法》第三十五条",
                         issues_licence=True, result_name="食品经营许可证")
    return accepted_application(matters=[food, MatterFactory(name="公章刻制备案"),
                                         MatterFactory(name="社会保险登记(单位)")])


def test_the_acceptance_notice_is_under_50_kb_in_the_prepared_face(notice_case):
    data = render_notice_pdf(notice_case, "acceptance")
    assert len(data) < NOTICE_BUDGET, f"{len(data)} bytes"
    assert any("TongbanSerifSC" in name or "Tongban-Serif-SC" in name for name in fonts_of(data)), fonts_of(data)
    text = text_of(data)
    (face, drawn), = glyphs_drawn(data).items()  # one face, margin boxes included
    assert "Tongban" in face
    assert drawn >= len(set(text) - {" "}) - 5, (drawn, len(set(text)))
    assert text.startswith("受理通知书")
    assert f"办件编号:{notice_case.number}" in text
    assert "食品经营许可、公章刻制备案、社会保险登记(单位)" in text


def test_a_character_outside_the_prepared_face_is_still_printed(notice_case):
    rare = MatterFactory(name="堃瑄喆燚许可")  # four hanzi outside GB 2312, common in names
    application = accepted_application(matters=[rare])
    text = text_of(render_notice_pdf(application, "acceptance"))
    assert "堃瑄喆燚许可" in text


def test_the_face_is_prepared_once_not_per_document(notice_case, monkeypatch):
    render_notice_pdf(notice_case, "acceptance")
    face = pdf.font_file()
    assert face is not None and face.stat().st_size > 0
    before = face.stat().st_mtime_ns

    def no_second_cut(destination):
        raise AssertionError("the face was cut again")

    monkeypatch.setattr(pdf, "build_font", no_second_cut)
    render_notice_pdf(notice_case, "acceptance")
    assert pdf.font_file() == face and face.stat().st_mtime_ns == before


def test_the_prepared_face_holds_the_common_hanzi_most_used_first():
    from fontTools.ttLib import TTFont

    font = TTFont(pdf.font_file())
    cmap = font.getBestCmap()
    assert {ord(c) for c in "受理通知书办件编号申请人,。《》:1234567890ABCDEFabc"} <= set(cmap)
    assert len(font.getGlyphOrder()) < 9000
    # The documents' own words first, then the 3 755 most used hanzi, so a document's subset
    # (which keeps every glyph id up to the highest one used) stays small.
    assert all(font.getGlyphID(cmap[ord(c)]) < 500 for c in "受理通知书办件编号本机关决定")
    assert all(font.getGlyphID(cmap[ord(c)]) < 4500 for c in "的是在了不和有大这")


def test_a_qr_code_is_a_one_bit_png():
    uri = pdf.qr_png_data_uri("https://example.org/progress/?number=QX2026")
    assert re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/=]+", uri)
