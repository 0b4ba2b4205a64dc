"""GB/T 9704 pagination of the rendered notice, read back from the PDF LibreOffice makes of the .docx (pdftotext
page by page): the signature never alone on its page, headings on the page of their text, table rows whole with the
header row repeated on every page, the title broken only between words. Bodies of several lengths move the
signature across the page end."""
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from services.reporting.notices import assembly
from services.reporting.notices.models import KindFigures, NoticeContent, TableRow
from services.reporting.notices.render_docx import title_lines
from services.reporting.notices.fitting import notice_pdf
from services.reporting.templates.defaults import CITY_INTRO, CITY_REQUIREMENTS
from services.reporting.templates.placeholders import fill
from tests.reporting import seed004 as seed

pytestmark = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                reason="LibreOffice and poppler are installed by ./infra/up and CI")
PROBLEM = ("市卫生健康委、澄城公安等微信公众号内容14天未更新，韩城公安、华州区大明镇人民政府等微信公众号未提供有效互动渠道，"
           "华阴市退役军人事务局微信公众号、富平到贤派出所新浪微博等账号3个月内无原创信息。")


def content(extra_lines: int, account_rows: int = 60) -> NoticeContent:
    """Seed 004's notice with `extra_lines` more problem paragraphs and a long second attachment."""
    c = NoticeContent(
        title=seed.TITLE, doc_number="渭政办发〔2024〕3号", mark="渭南市人民政府办公室", issuing_office="渭南市人民政府办公室",
        addressees=seed.ADDRESSEES, issue_date=date(2024, 2, 28), basis="《政府网站与政务新媒体检查指标》",
        scope_name="渭南市政府系统", inspection_name="2024年第一次全面检查", deadline=date(2024, 3, 10),
        report_to="市政府办信息与政务公开科（电话：0913-2109218）", signature="渭南市人民政府办公室",
        requirements_template=CITY_REQUIREMENTS, previous_name="2023年第四次全面检查",
        placeholder_values={"地区": "全市", "期次": "2024年第一次", "检查类型": "全面检查", "检查对象": "政府网站与政务新媒体",
                            "机关简称": "市政府办公室"},
        sites=KindFigures(total=51, checked=51, passed=47, failed=4, prev_checked=51, prev_passed=45),
        accounts=KindFigures(total=470, checked=470, passed=437, failed=33, prev_checked=470, prev_passed=428),
        site_rows=[TableRow(no=n, name=name, type="部门网站", result=r, remark=remark)
                   for n, name, r, remark in seed.EXPECTED_SITE_TABLE],
        account_rows=[TableRow(no=n, name=f"{name}（第{n}行）", type=label, result="不合格",
                               remark=f"{remark}，菜单“办事服务”下多个链接无法打开（备注{n}）")
                      for n, (name, label, _, remark) in enumerate((seed.ACCOUNT_ROWS * 5)[:account_rows], start=1)],
        attachment1_title=seed.ATTACHMENT_TITLES[0], attachment2_title=seed.ATTACHMENT_TITLES[1],
        attachment1_period=seed.SITES_PERIOD, attachment2_period=seed.ACCOUNTS_PERIOD,
        cc="市委办公室，市人大常委会办公室，市政协办公室", printed_by="渭南市人民政府办公室")
    c.intro = fill(CITY_INTRO, assembly.placeholder_values(c))
    c.overview = assembly.overview_text(c)
    c.problems = "\n".join([f"（一）政府网站。{seed.SEED_SITE_PROBLEMS}", f"（二）政务新媒体。{PROBLEM}"]
                           + [PROBLEM] * extra_lines)
    c.requirements = assembly.requirements_text(c)
    return c


def pages(pdf: bytes, tmp: Path, layout: bool = True) -> list[list[str]]:
    """Each page's lines: as laid out, or in reading order (a table cell by cell, wrapped lines of a cell together)."""
    path = tmp / "notice.pdf"
    path.write_bytes(pdf)
    mode = ["-layout"] if layout else []
    text = subprocess.run(["pdftotext", *mode, str(path), "-"], capture_output=True, check=True).stdout.decode()
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")[:-1]]


LINES_PER_PAGE = 22     # GB/T 9704 5.2.2: 22 lines of 28 characters
CARRIED = 2             # body lines that go with the signature at least


def joined(lines: list[str]) -> str:
    return "".join(x.replace(" ", "") for x in lines)


@pytest.mark.parametrize("extra", [0, 3, 6, 9, 12])
def test_pdf_keeps_the_gbt_9704_pagination_rules(extra, tmp_path):
    c = content(extra)
    pdf = notice_pdf(c)
    book = pages(pdf, tmp_path)
    first_attachment = next(i for i, p in enumerate(book) if p and p[0].replace(" ", "") == "附件1")
    body = book[:first_attachment]

    # The signature and its date share their page with the end of the body (or the attachment list).
    sign_page = next(i for i, p in enumerate(body) if "2024年2月28日" in joined(p))
    page = [x.replace(" ", "") for x in body[sign_page]]
    own = {"渭南市人民政府办公室", "2024年2月28日", "—1—", f"—{sign_page + 1}—"}
    attachments = {f"附件：1.{c.attachment1_title}", f"2.{c.attachment2_title}"}
    text = [x for x in page if x not in own | attachments and not x.startswith("—")]
    assert text, f"signature (and the attachment list) alone on page {sign_page + 1}"
    # … and what moved there with it could not have stayed on the page before: that page is not left half empty
    # (LibreOffice moves a kept paragraph whole; only the last lines of the body may go with the signature).
    before = [x for x in body[sign_page - 1] if not x.replace(" ", "").startswith("—")]
    moved = len([x for x in page if not x.startswith("—")]) + 3     # the blank lines of the signature block
    assert LINES_PER_PAGE - len(before) < min(moved, CARRIED + 7), \
        f"page {sign_page} left with {LINES_PER_PAGE - len(before)} empty lines before the signature's page"

    # Headings are followed by their text on the same page.
    for p in body:
        lines = [x.replace(" ", "") for x in p if not x.replace(" ", "").startswith("—")]
        assert lines[-1] not in {"一、总体情况", "二、主要问题", "三、有关要求"}, "heading stranded at a page foot"

    # The title on the first page, broken between words only: its lines are the words-aware lines.
    head = [x.replace(" ", "") for x in book[0]]
    for line in title_lines(c.title):
        assert line in head

    # Attachment 2's table: the header row on every page it runs onto, each row whole on one page.
    table_pages = [p for p in book[first_attachment:] if any("菜单“办事服务”" in x or "（第" in x for x in p)]
    assert len(table_pages) >= 2
    for p in table_pages:
        assert any(x.replace(" ", "").startswith("序号账号名称账号类型检查结果备注") for x in p), "header row not repeated"
    ordered = pages(pdf, tmp_path, layout=False)[first_attachment:]
    text_by_page = [joined(p) for p in ordered if any("（第" in x for x in p)]
    for row in c.account_rows:
        where = [i for i, t in enumerate(text_by_page) if f"（第{row.no}行）" in t]
        assert len(where) == 1, f"row {row.no} split across pages"
        assert f"（备注{row.no}）" in text_by_page[where[0]], f"row {row.no}'s remark on another page"


@pytest.mark.parametrize("rows", [3, 13, 14, 60])
def test_imprint_stands_at_the_foot_of_the_last_page(rows):
    """版记 (GB/T 9704 7.4.1) on the last page with its last rule at the foot of the type area, below the table's
    last row and over nothing, however far the table reaches down the page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(notice_pdf(content(0, account_rows=rows)))
    last = pdf[len(pdf) - 1]
    text = last.get_textpage()
    whole = text.get_text_range()
    assert "印发" in whole and "抄送" in whole, "版记 not on the last page"
    printed = text.get_charbox(whole.index("印发"))[1]
    cc_top = text.get_charbox(whole.index("抄送"))[3]
    bottom_margin = 35 / 25.4 * 72
    assert printed < bottom_margin + 40, f"印发 line {printed:.0f} pt above the page's foot, not at the foot"
    above = [y for y in (text.get_charbox(i)[1] for i, ch in enumerate(whole[:whole.index("抄送")]) if not ch.isspace())
             if y > bottom_margin]                      # the page number stands below, in the margin
    assert above and min(above) > cc_top, "the table runs into the 版记"
    assert f"（第{rows}行）" in whole.replace(" ", "") or rows > 14
