"""How much of the body moves with the signature in the PDF, measured on LibreOffice's own layout.

GB/T 9704 7.3.5.1 wants body text on the page of the 成文日期. Keeping the body's last paragraph with the
signature does that, but LibreOffice moves a kept paragraph whole: a ten-line closing paragraph leaves the page
before it two-thirds empty. So the body is laid out once without that keep (the body alone converts in a fraction
of a second); when the signature block then stands without body text, the last two lines LibreOffice set of the
last paragraph are carried with it (`render_docx(keep_tail=n)`), and only they move.
"""
import re

import pypdfium2 as pdfium

from services.reporting.notices.models import NoticeContent
from services.reporting.notices.render_docx import render_docx
from services.reporting.notices.render_pdf import docx_to_pdf
from services.reporting.notices.text import attachment_list, body_sections
from services.reporting.notices.wording import cn_date

CARRIED_LINES = 2       # GB/T 9704 asks for body text on the page; two lines is what widow control keeps anyway
_SPACE = re.compile(r"\s+")
_PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


def _plain(text: str) -> str:
    return _SPACE.sub("", text)


def _pages(pdf: bytes) -> list[list[str]]:
    document = pdfium.PdfDocument(pdf)
    try:
        out = []
        for page in document:
            text = page.get_textpage().get_text_range()
            out.append([line for line in (_plain(x) for x in text.splitlines()) if line and not _PAGE_NUMBER.match(line)])
        return out
    finally:
        document.close()


def last_paragraph(c: NoticeContent) -> str:
    lines = [x.strip() for x in body_sections(c)[-1][1].splitlines() if x.strip()]
    return lines[-1] if lines else ""


def carried_characters(c: NoticeContent, pages: list[list[str]]) -> int | None:
    """From the body laid out without a keep: None when the signature's page already has body text, else how many
    characters of the last paragraph to carry (0: the whole paragraph, it is short)."""
    date = _plain(cn_date(c.issue_date))
    own = {_plain(c.signature), date} | {_plain(f"{'附件：' if i == 1 else ''}{i}.{t}")
                                          for i, t in enumerate(attachment_list(c), start=1)}
    where = max((i for i, page in enumerate(pages) if date in page), default=None)
    if where is None or where == 0:
        return None
    if any(line not in own for line in pages[where]):
        return None
    last = last_paragraph(c)
    paragraph = _plain(last)
    lines, suffix = pages[where - 1], ""
    count = 0
    for line in reversed(lines):          # the paragraph's lines at the foot of the page before
        if not paragraph.endswith(line + suffix):
            break
        suffix, count = line + suffix, count + 1
    if count <= CARRIED_LINES + 1:     # a short paragraph moves whole (one line must not stay alone)
        return 0
    carried = "".join(lines[len(lines) - CARRIED_LINES:])      # the page's lines are plain already
    return _original_length(last, len(carried))


def _original_length(text: str, plain_chars: int) -> int:
    """How many characters at the end of `text` hold its last `plain_chars` non-space characters."""
    seen = 0
    for i in range(len(text) - 1, -1, -1):
        if not text[i].isspace():
            seen += 1
            if seen == plain_chars:
                return len(text) - i
    return len(text)


def keep_tail(c: NoticeContent) -> int | None:
    """What `render_docx(keep_tail=…)` needs for the PDF: the body laid out by LibreOffice and read back."""
    measured = docx_to_pdf(render_docx(c, keep_tail=None, body_only=True))
    return carried_characters(c, _pages(measured))


def notice_pdf(c: NoticeContent) -> bytes:
    """The notice's PDF: its .docx with the carried lines measured above, converted by LibreOffice."""
    return docx_to_pdf(render_docx(c, keep_tail=keep_tail(c)))
