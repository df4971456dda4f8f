"""The e-licence PDF: a CJK font embedded, the text really in it, the QR image, and the identifier read back."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import zlib

import pytest

from ywtb.common.errors import InvalidArgument
from ywtb.licence.licence_file import (
    DEFAULT_FONT_PATH,
    MAX_PDF_BYTES,
    LicenceDocument,
    _literal_string,
    identifier_of_pdf,
    qr_png,
    render_pdf,
)

IDENTIFIER = "1.2.156.3005.2.11510104MB2C394793001.51010420260001.A"
VERIFY_URL = f"https://ywtb.example.gov.cn/verify?id={IDENTIFIER}"
DOC = LicenceDocument(
    title="营业执照",
    licence_no="5101042026000001",
    identifier=IDENTIFIER,
    holder_name="成都市锦江区示例科技有限公司",
    holder_code_masked="9151**********123X",
    issuer_name="成都市锦江区行政审批局",
    issue_date="2026-09-30",
    valid_from="2026-09-30",
    valid_to="长期",
    fields=(
        ("经营范围", "软件开发；信息技术咨询服务（依法须经批准的项目，经相关部门批准后方可开展经营活动）"),
        ("注册资本", "100万元"),
    ),
    qr_payload=VERIFY_URL,
    verify_hint="扫码或访问 https://ywtb.example.gov.cn/verify 核验",
)

pytestmark = pytest.mark.skipif(
    not os.path.isfile(DEFAULT_FONT_PATH), reason="fonts-noto-cjk is not installed"
)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(DOC)


def _objects(data: bytes) -> list[tuple[bytes, bytes]]:
    """Each indirect object as (dictionary text, decoded stream or b"")."""
    out: list[tuple[bytes, bytes]] = []
    for match in re.finditer(rb"\d+ 0 obj\s*(.*?)endobj", data, re.S):
        body = match.group(1)
        head, sep, rest = body.partition(b"stream")
        stream = b""
        if sep:
            stream = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0].rstrip(b"\r\n")
            if b"/FlateDecode" in head:
                stream = zlib.decompress(stream)
        out.append((head, stream))
    return out


def _to_unicode(data: bytes) -> dict[int, str]:
    """The ToUnicode CMap of the document's font: code -> text."""
    cmap: dict[int, str] = {}
    for _, stream in _objects(data):
        if b"begincmap" not in stream:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                cmap[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
            for lo, hi, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                first = int(uni, 16)
                for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    cmap[code] = chr(first + offset)
    return cmap


def _shown_text(data: bytes) -> list[str]:
    """Every string the page shows with Tj, decoded through the ToUnicode CMap."""
    cmap = _to_unicode(data)
    shown: list[str] = []
    for _, stream in _objects(data):
        if b"BT" not in stream or b"begincmap" in stream:
            continue
        for match in re.finditer(rb"\bTd \(", stream):
            raw = _literal_string(stream, match.end())
            if raw is None or len(raw) % 2:
                continue
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            shown.append("".join(cmap.get(code, "\ufffd") for code in codes))
    return shown


def test_is_a_pdf_with_the_noto_cjk_sc_font_embedded(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert re.search(rb"/FontFile[23] \d+ 0 R", pdf)
    base_fonts = re.findall(rb"/BaseFont /([A-Za-z0-9+\-]+)", pdf)
    assert base_fonts and all(b"Noto" in name and b"SC" in name for name in base_fonts)


def test_the_chinese_text_is_in_the_file(pdf: bytes) -> None:
    assert set(DOC.title) <= set(_to_unicode(pdf).values())
    shown = _shown_text(pdf)
    assert DOC.title in shown
    everything = "".join(shown)
    for text in (
        "持证主体",
        DOC.holder_name,
        "发证机关",
        DOC.issuer_name,
        "长期",
        "经营范围",
        "100万元",
        "核验",
    ):
        assert text in everything


def test_the_qr_code_is_an_image(pdf: bytes) -> None:
    assert re.search(rb"/Subtype /Image", pdf)
    assert re.search(rb"/XObject\s*<<\s*/I\d+ \d+ 0 R", pdf)


def test_the_identifier_reads_back(pdf: bytes) -> None:
    assert identifier_of_pdf(pdf) == IDENTIFIER


def test_the_same_document_renders_the_same_bytes(pdf: bytes) -> None:
    assert render_pdf(DOC) == pdf
    assert b"/CreationDate (D:20260930000000+08'00')" in pdf
    assert render_pdf(dataclasses.replace(DOC, issue_date="2026-10-01")) != pdf


def test_identifier_in_escaped_or_hex_strings() -> None:
    literal = b"%PDF-1.4\n1 0 obj\n<< /Subject (ywtb-licence:1.2\\056156\\\nA \\(x\\)) >>\nendobj\n%%EOF"
    assert identifier_of_pdf(literal) == "1.2.156A"
    hex_utf16 = "\ufeffywtb-licence:1.2.3".encode("utf-16-be").hex().encode()
    assert identifier_of_pdf(b"%PDF-1.7\n<< /Keywords <" + hex_utf16 + b"> >>") == "1.2.3"
    # an incremental update's newer Info wins
    assert identifier_of_pdf(b"%PDF-1.7\n<</Subject (ywtb-licence:1)>>\n<</Subject (ywtb-licence:2)>>") == "2"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a pdf /Subject (ywtb-licence:1.2.3)",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
        b"%PDF-1.7\n<< /Subject (something else) >>\n%%EOF",
        b"%PDF-1.7\n<< /Subject (ywtb-licence:unterminated",
    ],
)
def test_non_licence_input_is_none(data: bytes) -> None:
    assert identifier_of_pdf(data) is None


def test_oversized_input_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        identifier_of_pdf(b"%PDF-1.7\n" + b"\0" * MAX_PDF_BYTES)
    assert caught.value.code == "LICENCE_FILE_TOO_LARGE"
    assert caught.value.message_en


def test_a_missing_font_says_which_package_to_install() -> None:
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        render_pdf(DOC, font_path="/nonexistent/NotoSerifCJK-Regular.ttc")


def test_qr_png_is_a_png() -> None:
    png = qr_png(VERIFY_URL)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(qr_png(VERIFY_URL, scale=8)) > 0


def test_qr_decodes_to_the_payload() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.open(io.BytesIO(qr_png(VERIFY_URL)))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [VERIFY_URL]
