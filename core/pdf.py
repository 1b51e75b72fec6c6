"""PDF rendering for every app (notices, guides, licences, reports): HTML → PDF with WeasyPrint,
set in one Chinese face that is subset once, not per document.

Why the face is prepared once. Embedding the system's Noto Serif CJK SC as it is, WeasyPrint
subsets, for every document, a 65 535-glyph font with HarfBuzz and keeps every glyph id up to the
highest one used ("retain gids"), so the acceptance notice carried ~180 KB, most of it empty
glyph slots, and the subset was a good part of its time. Here the face is cut ONCE to the
characters a Chinese government document holds (ASCII and Latin-1, general and CJK punctuation,
circled numbers, fullwidth forms and the 6 763 hanzi of GB 2312); its glyphs are renumbered from
0, the characters of the documents' own templates first, then the GB 2312 level-1 hanzi (the
3 755 most used); its outlines are put on a 250-unit em; it is saved under var/fonts/
(`PDF_FONT_DIR`). Every document names it in an `@font-face`, and WeasyPrint then subsets a
~7 500-glyph font whose used glyphs have low ids: the acceptance notice went from 182 KB to
~42 KB and from ~250 to ~105 ms on the shared box (docs/decisions.md, "Issue 14 A"). A character
outside the cut (a rare character in a name) falls back to the system's full face, so no text
is lost; only that document is bigger.

The cut is made by `manage.py build_pdf_font` (run by `make run`) or on first use, written to a
temporary file and renamed, so two workers never read half a font.
"""

from __future__ import annotations

import atexit
import base64
import logging
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import zlib
from pathlib import Path

import qrcode
from django.conf import settings
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

FAMILY = "Tongban Serif SC"  # the face made here; the templates name it first
SOURCE_FAMILY = "Noto Serif CJK SC"
FONT_FILE = "tongban-serif-sc-v1.otf"
# Outlines on a 250-unit em (Noto's is 1 000): coordinates a quarter as large take fewer bytes
# in every document; 1/250 em of a 22 pt title is 0.03 mm, under one dot of a 600 dpi printer.
UNITS_PER_EM = 250  # bump the version when the character set changes

_fonts = threading.local()
_build_lock = threading.Lock()


# --- the face ----------------------------------------------------------------------------------


def _gb2312_hanzi(first_row: int, last_row: int) -> list[int]:
    chars = []
    for row in range(first_row, last_row + 1):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(ord(bytes([row, cell]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def _document_characters() -> list[int]:
    """The characters of the documents' own templates (PDF_FONT_FIRST: globs under the template
    directories), in order of appearance: every document prints these."""
    chars: dict[int, None] = {}
    for pattern in getattr(settings, "PDF_FONT_FIRST", []):
        for directory in settings.TEMPLATES[0]["DIRS"]:
            for path in sorted(Path(directory).glob(pattern)):
                chars.update(dict.fromkeys(ord(c) for c in path.read_text(encoding="utf-8") if ord(c) >= 0x2000))
    return list(chars)


def character_set() -> list[int]:
    """The code points of the cut, most used first (the glyph order follows this order)."""
    blocks = [
        range(0x20, 0x7F),                              # ASCII
        _document_characters(),                         # what every notice, guide, licence prints
        range(0xA0, 0x100),                             # Latin-1 (× ÷ ° ±)
        range(0x3000, 0x3040), range(0xFF00, 0xFFF0),   # CJK punctuation 、。《》「」, fullwidth forms
        _gb2312_hanzi(0xB0, 0xD7),                      # GB 2312 level 1: the 3 755 most used hanzi
        range(0x2010, 0x2070), range(0x2100, 0x2200),   # general punctuation, letterlike (№ ℃)
        range(0x2160, 0x2180), range(0x2460, 0x24A0),   # Roman numerals, ①–⑳ ⑴–⒇
        range(0x2190, 0x21A0), range(0x25A0, 0x2600),   # arrows, shapes (□ ■ ○ ● ★)
        _gb2312_hanzi(0xD8, 0xF7),                      # GB 2312 level 2
    ]
    return list(dict.fromkeys(c for block in blocks for c in block))


def _source_font() -> tuple[str, int] | None:
    """Where the system keeps Noto Serif CJK SC: (file, index in the collection)."""
    configured = getattr(settings, "PDF_FONT_SOURCE", "")
    if configured:
        path, _, index = configured.partition(":")
        return path, int(index or 0)
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}", SOURCE_FAMILY],
                               capture_output=True, text=True, timeout=20).stdout
        family, _, rest = found.partition("|")
        path, _, index = rest.partition("|")
        if SOURCE_FAMILY in family.split(",") and path:
            return path, int(index or 0)
    return None


def build_font(destination: Path) -> Path:
    """Cut the face to `character_set()` and write it to `destination` (atomically)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    source = _source_font()
    if source is None:
        raise FileNotFoundError(f"{SOURCE_FAMILY} is not installed (scripts/system-deps.sh installs it)")
    path, index = source
    font = TTFont(path, fontNumber=index, lazy=True)
    cmap = font.getBestCmap()
    wanted = [c for c in character_set() if c in cmap]
    options = subset.Options(
        hinting=False, desubroutinize=False, layout_features=[], notdef_outline=True,
        name_IDs=["*"], name_languages=["*"], glyph_names=False, recalc_bounds=True,
    )
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx", "DSIG", "JSTF", "MATH"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    _put_in_use_order(font, wanted)
    if font["head"].unitsPerEm != UNITS_PER_EM:
        from fontTools.ttLib.scaleUpem import scale_upem

        scale_upem(font, UNITS_PER_EM)
    font["name"].setName(FAMILY, 1, 3, 1, 0x409)
    font["name"].setName("Regular", 2, 3, 1, 0x409)
    font["name"].setName(FAMILY, 4, 3, 1, 0x409)
    font["name"].setName(FAMILY.replace(" ", "") + "-Regular", 6, 3, 1, 0x409)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, suffix=".part")
    os.close(handle)
    try:
        font.save(temporary)
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return destination


def _put_in_use_order(font, wanted: list[int]) -> None:
    """Renumber the glyphs in the order of `wanted`, so the glyphs a document uses have low ids
    (WeasyPrint keeps every id up to the highest one used)."""
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    cmap = font.getBestCmap()
    order = font.getGlyphOrder()
    new_order = [order[0]]  # .notdef stays 0
    seen = {order[0]}
    for codepoint in wanted:
        name = cmap.get(codepoint)
        if name is not None and name not in seen:
            seen.add(name)
            new_order.append(name)
    new_order += [name for name in order if name not in seen]
    # A CID-keyed CFF (Noto CJK) says per glyph which font dict (private dict, subroutines) draws
    # it; fontTools reorders the charstrings but not this FDSelect, so carry it along.
    top = font["CFF "].cff.topDictIndex[0] if "CFF " in font else None
    fd_of = None
    if top is not None and hasattr(top, "FDSelect"):
        fd_of = dict(zip(order, top.FDSelect.gidArray, strict=True))
    reorderGlyphs(font, new_order)
    if fd_of is not None:
        top.FDSelect.gidArray = [fd_of[name] for name in new_order]
    if top is not None and getattr(top, "ROS", None):
        _cids_follow_gids(font, top)


def _cids_follow_gids(font, top) -> None:
    """Name glyph `i` `cid{i}`: the CID-keyed CFF then maps glyph ids to CIDs with one range
    instead of two bytes per glyph in every document's subset."""
    order = font.getGlyphOrder()
    rename = {old: (old if i == 0 else f"cid{i:05d}") for i, old in enumerate(order)}
    charstrings = top.CharStrings
    charstrings.charStrings = {rename[name]: value for name, value in charstrings.charStrings.items()}
    top.charset = [rename[name] for name in order]
    for table in font["cmap"].tables:
        table.cmap = {code: rename[name] for code, name in table.cmap.items()}
    font["hmtx"].metrics = {rename[name]: value for name, value in font["hmtx"].metrics.items()}
    font.setGlyphOrder([rename[name] for name in order])


def font_file() -> Path | None:
    """The prepared face, made on first use when `build_pdf_font` has not run; None when the
    system has no Noto Serif CJK SC (the documents then use whatever fontconfig finds)."""
    path = Path(settings.PDF_FONT_DIR) / FONT_FILE
    if path.exists():
        return path
    with _build_lock:
        if not path.exists():
            try:
                build_font(path)
            except (FileNotFoundError, OSError) as exc:
                logger.warning("PDF face not prepared (%s); documents embed the system font", exc)
                return None
            logger.info("PDF face prepared at %s", path)
    return path


def font_face_css() -> str:
    path = font_file()
    if path is None:
        return ""
    # On `html` too, not only on the templates' `body`: the page's margin boxes (the page
    # numbers) inherit from the root, and would otherwise embed the full system face.
    return (f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); }}\n'
            f'html {{ font-family: "{FAMILY}", "{SOURCE_FAMILY}", serif; }}')


# --- rendering ---------------------------------------------------------------------------------


def _rendering():
    """One WeasyPrint font configuration and face stylesheet per thread (a new configuration per
    document costs ~15 ms; the face is loaded into it once)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    state = getattr(_fonts, "state", None)
    if state is None:
        config = FontConfiguration()
        css = font_face_css()
        stylesheets = [weasyprint.CSS(string=css, font_config=config)] if css else []
        state = _fonts.state = (config, stylesheets)
        # Drop it while the interpreter is still whole: WeasyPrint's FontConfiguration.__del__
        # removes its temporary folder, and at shutdown its module's `rmtree` is already gone
        # ("Exception ignored … TypeError: 'NoneType' object is not callable").
        atexit.register(_forget_rendering, _fonts)
    return state


def _forget_rendering(local) -> None:
    local.state = None


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`; its styles name `Tongban Serif SC` first (see the notice templates)."""
    import weasyprint  # heavy import, only where PDFs are made

    config, stylesheets = _rendering()
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=stylesheets, font_config=config)


def render_template_pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template, context))


# --- QR codes ----------------------------------------------------------------------------------


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
