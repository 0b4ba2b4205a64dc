"""Attachment text: every kind the farm serves, decided by content; unreadable files are never "clean"."""
import io
import struct
import time
import zipfile

import pytest

from services.checker.crawl.attachments import ATTACHMENT_EXTENSIONS, extract_text, looks_like_attachment
from tests.fixtures.farm.attachments import KINDS, make_attachment

PLANTED = "法轮功"
TEXT = ("关于做好2024年度政务公开工作的通知\n各乡镇人民政府、县直各单位：\n"
        + "现将有关事项通知如下，请认真贯彻落实。" * 12 + f"\n附件内容中夹带{PLANTED}字样。\n联系电话：0797-1234567")
READABLE = [k for k in KINDS if k != "pdf_image"]


@pytest.mark.parametrize("kind", READABLE)
def test_every_kind_yields_its_planted_word(kind: str) -> None:
    body = make_attachment(kind, TEXT)
    result = extract_text(body, url=f"http://www.example.gov.cn/files/a.{kind}")
    assert result.scannable and result.reason is None
    assert result.kind == kind
    assert PLANTED in result.text
    assert "联系电话：0797-1234567" in result.text


def test_a_word_wrapped_across_pdf_lines_is_found() -> None:
    # The generator wraps lines 38 CJK characters wide: "计划|生育" and "北京赛车|pk10" straddle a break.
    text = "关" * 37 + "计划生育政策\n" + "关" * 34 + "北京赛车pk10开奖"
    result = extract_text(make_attachment("pdf", text))
    assert "计划生育政策" in result.text and "北京赛车pk10开奖" in result.text


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030", "utf-16"])
def test_text_files_in_chinese_encodings(encoding: str) -> None:
    result = extract_text(make_attachment("txt", TEXT, encoding=encoding), url="http://x/readme.txt")
    assert (result.kind, result.scannable) == ("txt", True)
    assert PLANTED in result.text and "政务公开" in result.text


def test_image_only_pdf_is_not_scannable() -> None:
    result = extract_text(make_attachment("pdf_image", TEXT), url="http://x/scan.pdf")
    assert (result.kind, result.scannable, result.reason, result.text) == ("pdf", False, "image_only", "")


def test_a_file_that_lies_about_its_type_is_read_as_what_it_is() -> None:
    docx_as_pdf = extract_text(make_attachment("docx", TEXT), url="http://x/a.pdf", content_type="application/pdf")
    assert (docx_as_pdf.kind, docx_as_pdf.scannable) == ("docx", True) and PLANTED in docx_as_pdf.text
    xls_as_doc = extract_text(make_attachment("xls", TEXT), url="http://x/a.doc")
    assert xls_as_doc.kind == "xls" and PLANTED in xls_as_doc.text
    pdf_as_txt = extract_text(make_attachment("pdf", TEXT), url="http://x/a.txt")
    assert pdf_as_txt.kind == "pdf" and PLANTED in pdf_as_txt.text
    # Sites often save a web page or RTF under a .doc name.
    html_doc = ("<html><head><meta charset=\"gbk\"><script>var s='不可见'</script></head>"
                f"<body><p>通知正文{PLANTED}</p></body></html>").encode("gbk")
    as_html = extract_text(html_doc, url="http://x/a.doc")
    assert as_html.kind == "html" and PLANTED in as_html.text and "不可见" not in as_html.text
    rtf = (b"{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0 \\'cb\\'ce\\'cc\\'e5;}}{\\*\\generator Riched20;}"
           b"\\f0 \\'b7\\'a8\\'c2\\'d6\\'b9\\'a6\\par \\u35745?\\u21010?\\uc0 x}")
    as_rtf = extract_text(rtf, url="http://x/a.doc")
    assert as_rtf.kind == "rtf" and PLANTED in as_rtf.text and "计划" in as_rtf.text and "宋体" not in as_rtf.text


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "doc", "xls"])
def test_a_truncated_file_is_corrupt_not_clean(kind: str) -> None:
    body = make_attachment(kind, TEXT * 20)
    result = extract_text(body[: len(body) // 3], url=f"http://x/a.{kind}")
    assert not result.scannable and result.reason == "corrupt"


def test_unknown_binary_is_unsupported() -> None:
    result = extract_text(bytes(range(256)) * 40, url="http://x/a.pdf")
    assert (result.kind, result.scannable, result.reason) == ("unknown", False, "unsupported")


def test_encrypted_files_are_reported_as_such() -> None:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_attachment("pdf", TEXT)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    pdf = extract_text(out.getvalue(), url="http://x/a.pdf")
    assert (pdf.scannable, pdf.reason) == (False, "encrypted")

    doc = bytearray(make_attachment("doc", TEXT))
    fib = doc.index(struct.pack("<H", 0xA5EC))      # the FIB at the start of the WordDocument stream
    doc[fib + 0x0B] |= 0x01                          # fEncrypted: bit 8 of the flags word at 0x0A
    result = extract_text(bytes(doc), url="http://x/a.doc")
    assert (result.kind, result.scannable, result.reason) == ("doc", False, "encrypted")


def test_pdf_with_only_an_owner_password_is_read() -> None:
    """Many government PDFs forbid editing (owner password) but open without a password: readable."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_attachment("pdf", TEXT)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    result = extract_text(out.getvalue())
    assert result.scannable and PLANTED in result.text


def _docx_with(document_xml: bytes, *, level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml)
    return out.getvalue()


def test_zip_bomb_docx_is_refused_fast() -> None:
    w = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:t>'
    bomb = _docx_with(w + b" " * 40_000_000 + b"</w:t></w:p></w:body></w:document>", level=9)
    assert len(bomb) < 100_000
    started = time.process_time()
    result = extract_text(bomb, url="http://x/a.docx")
    assert time.process_time() - started < 0.5
    assert (result.kind, result.scannable, result.reason) == ("docx", False, "too_large")


def test_pdf_inflating_past_the_cap_is_refused_with_bounded_memory() -> None:
    import resource
    import zlib

    from services.checker.crawl.attachments import MAX_PDF_INFLATED
    from tests.fixtures.farm.attachments import _pdf_write

    packer = zlib.compressobj(1)
    chunk = b" " * (1 << 20)
    data = b"".join(packer.compress(chunk) for _ in range(MAX_PDF_INFLATED // len(chunk) + 8)) + packer.flush()
    bomb = _pdf_write([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                       b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                       b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
                       b"<< >>"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    result = extract_text(bomb, url="http://x/a.pdf")
    assert (result.kind, result.scannable, result.reason) == ("pdf", False, "too_large")
    assert time.process_time() - started < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024   # KB: never inflated whole


def test_strict_ooxml_namespaces_are_read() -> None:
    strict = ('<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body><w:p><w:r>'
              f"<w:t>严格格式文档{PLANTED}</w:t></w:r></w:p></w:body></w:document>").encode()
    result = extract_text(_docx_with(strict))
    assert result.scannable and PLANTED in result.text


def test_xml_entities_are_not_expanded() -> None:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY a "AAAAAAAAAA">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           b"<w:p><w:t>&x;&b;\xe6\xad\xa3\xe6\x96\x87</w:t></w:p></w:body></w:document>")
    result = extract_text(_docx_with(xxe))
    assert "root:" not in result.text and "AAAAAAAAAA" not in result.text


def test_text_is_capped() -> None:
    long_text = "\n".join(f"第{i}段：{PLANTED}" for i in range(5000))
    for kind in ("docx", "doc", "xlsx", "xls", "txt", "pdf"):
        result = extract_text(make_attachment(kind, long_text), max_chars=2000)
        assert result.scannable and result.truncated, kind
        assert 0 < len(result.text) <= 2000 and PLANTED in result.text, kind


def test_attachment_urls() -> None:
    assert {"pdf", "doc", "docx", "xls", "xlsx", "wps", "txt"} <= ATTACHMENT_EXTENSIONS
    assert looks_like_attachment("http://www.a.gov.cn/u/cms/www/202401/通知.PDF")
    assert looks_like_attachment("http://www.a.gov.cn/module/download/downfile.jsp?classid=0&filename=2401.docx")
    assert looks_like_attachment("http://www.a.gov.cn/files/%E9%99%84%E4%BB%B6.wps")
    assert not looks_like_attachment("http://www.a.gov.cn/art/2024/1/2/art_1_2.html")
    assert not looks_like_attachment("http://www.a.gov.cn/pdf/index.html")
    assert not looks_like_attachment("http://www.a.gov.cn/images/logo.png")


def test_generator_is_deterministic() -> None:
    for kind in KINDS:
        assert make_attachment(kind, TEXT) == make_attachment(kind, TEXT), kind
