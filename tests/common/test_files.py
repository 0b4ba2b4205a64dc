"""Uploads are validated by structure, not by their first bytes: the hostile files a probe got stored are
refused with a zh-CN 422, genuine files made with the real libraries still pass, downloads are attachments
that are never sniffed."""
import io
import time
from functools import cache
from urllib.parse import unquote

import pytest

from services.common.errors import ApiError
from services.common.files import (
    EVIDENCE_TYPES, SCREENSHOT_TYPES, check_spooled, check_upload, content_disposition, download_headers,
    spool_upload,
)
from tests.common.builders import genuine_files, hostile_files, image

LIMIT = 50 * 1024 * 1024
EXPECTED_CODES = {
    "pdf_header_then_html": "file_invalid", "png_header_then_html": "file_invalid",
    "png_then_html": "file_polyglot", "docx_zip_bomb_1gb": "file_zip_bomb", "docx_ratio_bomb": "file_zip_bomb",
    "docx_dotdot_member": "file_invalid", "docx_absolute_member": "file_invalid",
    "pdf_with_zip_appended": "file_polyglot", "jpeg_with_zip_appended": "file_polyglot",
    "png_pixel_bomb": "file_image_too_large", "pdf_named_html": "file_extension_mismatch",
    "png_named_pdf": "file_extension_mismatch",
}


@cache
def hostile() -> dict[str, tuple[str, bytes]]:
    return hostile_files()


@pytest.mark.parametrize("case", sorted(EXPECTED_CODES))
def test_hostile_file_is_refused_by_structure(case):
    name, data = hostile()[case]
    started = time.perf_counter()
    with pytest.raises(ApiError) as refused:
        check_upload(data, name, EVIDENCE_TYPES, LIMIT)
    assert time.perf_counter() - started < 1.0  # nothing is inflated or decoded before the bounds hold
    assert refused.value.status == 422 and refused.value.detail["code"] == EXPECTED_CODES[case]
    message = refused.value.detail["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and "Error" not in message


@pytest.mark.parametrize("case", sorted(genuine_files()))
def test_genuine_file_is_accepted_with_its_type(case):
    name, data, extension = genuine_files()[case]
    kind, safe = check_upload(data, name, EVIDENCE_TYPES, LIMIT)
    assert kind.extension == extension and safe == name


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_screenshots_of_every_type_decode(fmt):
    kind, _ = check_upload(image(fmt), "shot", SCREENSHOT_TYPES, LIMIT)
    assert kind.mime == f"image/{fmt.lower()}"


def test_a_zip_bomb_dressed_as_xlsx_is_refused_before_inflating():
    from tests.common.builders import office_bomb

    data = office_bomb(1024, "xl/workbook.xml")
    with pytest.raises(ApiError) as refused:
        check_upload(data, "清单.xlsx", EVIDENCE_TYPES, LIMIT)
    assert refused.value.status == 422 and refused.value.detail["code"] == "file_zip_bomb"


def test_a_damaged_member_fails_its_crc():
    from tests.common.builders import docx

    data = bytearray(docx())
    at = data.find(b"word/document.xml") + len("word/document.xml") + 10  # inside the deflated data
    data[at] ^= 0xFF
    with pytest.raises(ApiError) as refused:
        check_upload(bytes(data), "说明.docx", EVIDENCE_TYPES, LIMIT)
    assert refused.value.status == 422


async def test_spooled_uploads_get_the_same_checks():
    class Upload:
        def __init__(self, data: bytes) -> None:
            self.stream = io.BytesIO(data)

        async def read(self, n: int) -> bytes:
            return self.stream.read(n)

    name, data = hostile()["pdf_with_zip_appended"]
    spooled = await spool_upload(Upload(data), LIMIT, chunk=4096)
    try:
        with pytest.raises(ApiError) as refused:
            check_spooled(spooled, name, EVIDENCE_TYPES)
        assert refused.value.detail["code"] == "file_polyglot"
    finally:
        spooled.close()
    name, data, _ = genuine_files()["docx"]
    spooled = await spool_upload(Upload(data), LIMIT, chunk=4096)
    try:
        assert check_spooled(spooled, name, EVIDENCE_TYPES)[0].extension == "docx"
    finally:
        spooled.close()


def test_download_headers_are_an_attachment_never_sniffed():
    headers = download_headers("../整改 报告\"(签字).pdf")
    assert headers["X-Content-Type-Options"] == "nosniff"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    star = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(star) == '整改 报告"(签字).pdf' and " " not in star and '"' not in star
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and fallback.endswith(".pdf") and "/" not in fallback
    assert content_disposition("批复.docx").startswith('attachment; filename="download.docx"; ')
