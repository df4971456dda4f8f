"""The e-licence file (电子证照文件): an A4 PDF with Chinese text and a QR code, and reading its identifier back.

fpdf2 writes the document Info dictionary uncompressed; the identifier goes into /Subject and
/Keywords (ASCII, so as a literal string), which `identifier_of_pdf` finds without a PDF library.
"""

from __future__ import annotations

import binascii
import codecs
import io
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import segno
from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, WrapMode, XPos, YPos

from ywtb.common.calendar import SHANGHAI
from ywtb.common.errors import InvalidArgument

DEFAULT_FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
FONT_FAMILY = "NotoCJKSC"
PRODUCER = "ywtb licence service"
SUBJECT_PREFIX = "ywtb-licence:"
MAX_PDF_BYTES = 5 * 1024 * 1024
logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO

_PREFIXED = re.compile(re.escape(SUBJECT_PREFIX) + r"([0-9A-Z.]{1,128})")
# A key of the Info dictionary and its string value: a literal (...) with balanced or escaped
# parentheses, or a hex <...> string.
_INFO_VALUE = re.compile(rb"/(Subject|Keywords)\s*(\(|<(?!<))")
_LITERAL_ESCAPES = {
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
    ord("b"): b"\b",
    ord("f"): b"\f",
    ord("("): b"(",
    ord(")"): b")",
    ord("\\"): b"\\",
}


@dataclass(frozen=True)
class LicenceDocument:
    """What goes on one e-licence file."""

    title: str
    licence_no: str
    identifier: str
    holder_name: str
    holder_code_masked: str
    issuer_name: str
    issue_date: str  # YYYY-MM-DD
    valid_from: str
    valid_to: str  # a date or "长期"
    fields: tuple[tuple[str, str], ...]  # extra (label, value) rows
    qr_payload: str
    verify_hint: str


@lru_cache(maxsize=8)
def _sc_face_index(font_path: str) -> int:
    """The index of the Simplified Chinese face in a font collection (0 for a single font)."""
    if not font_path.lower().endswith((".ttc", ".otc")):
        return 0
    collection = TTCollection(font_path, lazy=True)
    try:
        names = [font["name"].getDebugName(4) or font["name"].getDebugName(1) or "" for font in collection]
    finally:
        collection.close()
    for index, name in enumerate(names):
        if name.endswith(" SC") and "Mono" not in name:
            return index
    for index, name in enumerate(names):
        if name.endswith(" SC"):
            return index
    raise RuntimeError(f"字体集 {font_path} 中没有简体中文 (SC) 字形；请安装 Debian 软件包 fonts-noto-cjk。")


def _font_path(font_path: str | None) -> str:
    path = font_path or DEFAULT_FONT_PATH
    if not os.path.isfile(path):
        raise RuntimeError(
            f"Chinese font not found at {path}: install the Debian package fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk) or pass font_path."
        )
    return path


def _creation_date(issue_date: str) -> datetime:
    try:
        day = datetime.strptime(issue_date, "%Y-%m-%d")
    except ValueError:
        day = datetime(2000, 1, 1)
    return day.replace(tzinfo=SHANGHAI)


def qr_png(payload: str, scale: int = 4) -> bytes:
    """The QR code of `payload` (error correction M) as PNG bytes."""
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def render_pdf(doc: LicenceDocument, *, font_path: str | None = None) -> bytes:
    """The e-licence as an A4 PDF, the same bytes for the same document."""
    path = _font_path(font_path)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font(FONT_FAMILY, "", path, collection_font_number=_sc_face_index(path))
    pdf.set_title(doc.title)
    pdf.set_subject(SUBJECT_PREFIX + doc.identifier)
    pdf.set_keywords(f"{SUBJECT_PREFIX}{doc.identifier} {doc.licence_no}")
    pdf.set_author(doc.issuer_name)
    pdf.set_creator(PRODUCER)
    pdf.set_producer(PRODUCER)
    pdf.set_creation_date(_creation_date(doc.issue_date))
    pdf.set_lang("zh-CN")
    pdf.add_page()

    pdf.set_font(FONT_FAMILY, size=26)
    pdf.cell(0, 16, doc.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.cell(0, 8, f"证照编号：{doc.licence_no}", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    rows: list[tuple[str, str]] = [
        ("持证主体", doc.holder_name),
        ("证件号码", doc.holder_code_masked),
        ("证照编号", doc.licence_no),
        ("证照标识", doc.identifier),
        ("发证机关", doc.issuer_name),
        ("发证日期", doc.issue_date),
        ("有效期", f"{doc.valid_from} 至 {doc.valid_to}"),
        *doc.fields,
    ]
    pdf.set_font(FONT_FAMILY, size=12)
    with pdf.table(
        col_widths=(1, 3),
        first_row_as_headings=False,
        borders_layout=TableBordersLayout.ALL,
        line_height=8,
        padding=2,
        text_align=(Align.C, Align.L),
        wrapmode=WrapMode.CHAR,
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label)
            row.cell(value or "—")

    qr_size = 40.0
    if pdf.get_y() + 12 + qr_size + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(12)
    pdf.image(io.BytesIO(qr_png(doc.qr_payload, scale=8)), x=(pdf.w - qr_size) / 2, w=qr_size, h=qr_size)
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.multi_cell(0, 6, doc.verify_hint, align=Align.C, wrapmode=WrapMode.CHAR)
    return bytes(pdf.output())


def _literal_string(data: bytes, start: int) -> bytes | None:
    """The bytes of a PDF literal string whose opening parenthesis is just before `start`."""
    out = bytearray()
    depth = 1
    i = start
    end = min(len(data), start + 4096)
    while i < end:
        c = data[i]
        if c == 0x5C:  # backslash
            i += 1
            if i >= end:
                return None
            e = data[i]
            if e in _LITERAL_ESCAPES:
                out += _LITERAL_ESCAPES[e]
            elif 0x30 <= e <= 0x37:
                digits = data[i : i + 3]
                n = 1
                while n < len(digits) and 0x30 <= digits[n] <= 0x37:
                    n += 1
                out.append(int(digits[:n], 8) & 0xFF)
                i += n - 1
            elif e == 0x0D:  # line continuation
                if i + 1 < end and data[i + 1] == 0x0A:
                    i += 1
            elif e != 0x0A:
                out.append(e)
        elif c == 0x28:
            depth += 1
            out.append(c)
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out)
            out.append(c)
        else:
            out.append(c)
        i += 1
    return None


def _hex_string(data: bytes, start: int) -> bytes | None:
    """The bytes of a PDF hex string whose '<' is just before `start`."""
    end = data.find(b">", start, start + 8192)
    if end < 0:
        return None
    digits = re.sub(rb"\s+", b"", data[start:end])
    if len(digits) % 2:
        digits += b"0"
    try:
        return binascii.unhexlify(digits)
    except (binascii.Error, ValueError):
        return None


def _text_of(raw: bytes) -> str:
    """A PDF text string as str: UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding (as Latin-1)."""
    if raw.startswith(codecs.BOM_UTF16_BE):
        return raw[2:].decode("utf-16-be", errors="replace")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace")
    return raw.decode("latin-1")


def identifier_of_pdf(data: bytes) -> str | None:
    """The licence identifier stored in a PDF's metadata, or None if it is not such a PDF."""
    if len(data) > MAX_PDF_BYTES:
        raise InvalidArgument(
            f"证照文件不能超过 {MAX_PDF_BYTES // (1024 * 1024)} MB，请上传本平台签发的电子证照 PDF 原件。",
            code="LICENCE_FILE_TOO_LARGE",
            message_en=f"The licence file must not exceed {MAX_PDF_BYTES // (1024 * 1024)} MB; upload the original e-licence PDF.",
        )
    if b"%PDF-" not in data[:1024]:
        return None
    found: dict[str, str] = {}
    # The last value wins: an incremental update appends a newer Info dictionary.
    for match in _INFO_VALUE.finditer(data):
        key = match.group(1).decode("ascii")
        opener = match.group(2)
        raw = _literal_string(data, match.end()) if opener == b"(" else _hex_string(data, match.end())
        if raw is None:
            continue
        ident = _PREFIXED.search(_text_of(raw))
        if ident:
            found[key] = ident.group(1)
    return found.get("Subject") or found.get("Keywords")
