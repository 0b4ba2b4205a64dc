"""The notice as a .docx in the GB/T 9704-2012 official-document format (python-docx).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 2号 (22 pt) 方正小标宋简体; body 3号
(16 pt) 仿宋_GB2312 at a fixed 28 pt line pitch with a two-character first-line indent; first-level
headings 黑体, second-level 楷体_GB2312; page numbers "— 1 —" in 4号 宋体 at the foot (odd pages right,
even pages left); the attachments (附件1/附件2) each on a new page with their tables.
"""
import io
import re
from copy import deepcopy

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from services.reporting.notices.models import ACCOUNT_COLUMNS, COLUMN_FIELDS, SITE_COLUMNS, NoticeContent, TableRow
from services.reporting.notices.text import attachment_list, body_sections
from services.reporting.notices.wording import cn_date

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL4 = Pt(22), Pt(16), Pt(14), Pt(12)
RED = RGBColor(0xE6, 0x00, 0x12)
COLUMNS_SITE, COLUMNS_ACCOUNT = SITE_COLUMNS, ACCOUNT_COLUMNS  # seed 004's (the defaults)
WIDTHS = (Mm(14), Mm(48), Mm(26), Mm(22), Mm(46))  # 156 mm: the type area of A4
# Relative widths of a column by the field it shows, scaled to the 156 mm type area.
FIELD_WEIGHTS = {"no": 14, "name": 48, "type": 26, "result": 22, "remark": 46}
_H2 = re.compile(r"^（[一二三四五六七八九十]+）")
# Words a title is never broken inside (GB/T 9704 7.3.1: 回行时词意完整): the office, rounds, what was checked.
TITLE_WORDS = re.compile(
    r"[\u4e00-\u9fff]{1,8}?(?:省|市|自治州|州|盟|县|区|旗)(?=人民政府|政府|关于|[\u4e00-\u9fff]{0,12}局)|人民政府办公[室厅]|人民政府|"
    r"办公[室厅]|政务公开|工作领导小组|关于|政府网站(?:与|和|及)(?:政府系统)?政务新媒体|\d{4}年度?(?:第[一二三四五六七八九十\d]{1,3}(?:次|季度)|[一二三四1-4]季度|[上下]半年|\d{1,2}月份?)?|第[一二三四五六七八九十\d]{1,3}(?:次|季度)|[一二三四1-4]季度|"
    r"[上下]半年|\d{1,2}月份?|政府网站|政务新媒体|政府系统|全面检查|专项检查|抽查|抽检|普查|监测|检查|情况|通报|"
    r"汇总表|自查|整改|报告|全[省市县区]")
TITLE_CHARS = 20  # 2号 characters on a 156 mm line


def title_lines(title: str, width: int = TITLE_CHARS) -> list[str]:
    """The title broken between words into lines of balanced length (梯形/菱形), each within the line width."""
    def size(text: str) -> float:  # digits and Latin letters are half the width of a Chinese character
        return sum(0.5 if ord(ch) < 128 else 1 for ch in text)

    if size(title) <= width:
        return [title]
    joined = [False] * (len(title) + 1)   # joined[i]: no break between title[i-1] and title[i]
    for m in TITLE_WORDS.finditer(title):
        for i in range(m.start() + 1, m.end()):
            joined[i] = True
    for i in range(1, len(title)):
        if title[i] in "的、，。：；）”》" or title[i - 1] in "（“《" or (title[i].isdigit() and title[i - 1].isdigit()):
            joined[i] = True
    n = -(-int(size(title)) // width)
    while True:
        cuts, start = [], 0
        for k in range(1, n):
            target = round(len(title) * k / n)
            options = [i for i in range(start + 1, len(title)) if not joined[i] and size(title[start:i]) <= width]
            if not options:
                break
            cut = min(options, key=lambda i: (abs(i - target), -i))
            cuts.append(cut)
            start = cut
        lines = [title[a:b] for a, b in zip([0, *cuts], [*cuts, len(title)], strict=True)]
        if len(cuts) == n - 1 and all(size(x) <= width for x in lines):
            return lines
        if n >= len(title):
            return [title]
        n += 1


def set_font(run, name: str, size, bold: bool = False, color: RGBColor | None = None) -> None:  # noqa: ANN001
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _fmt(paragraph, align=None, indent: bool = False, exact: float | None = 28, before: int = 0) -> None:  # noqa: ANN001
    pf = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(exact)
    pf.space_before = Pt(before)
    pf.space_after = Pt(0)
    pf.widow_control = True  # no single line of a paragraph alone at a page's head or foot
    if indent:
        pf.first_line_indent = Pt(32)  # two characters of 3号


def para(doc, text: str, font: str = BODY_FONT, size=SIZE_3, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY,  # noqa: ANN001
         indent: bool = True, bold: bool = False, exact: float | None = 28, color=None):  # noqa: ANN001
    p = doc.add_paragraph()
    _fmt(p, align, indent, exact)
    set_font(p.add_run(text), font, size, bold, color)
    return p


def title_paragraph(doc, title: str, size, exact: float) -> None:  # noqa: ANN001
    """A centred title in 小标宋, broken only between words (explicit line breaks), kept with what follows."""
    p = para(doc, "", TITLE_FONT, size, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=exact)
    p.paragraph_format.keep_with_next = True
    run = p.runs[0]
    for i, line in enumerate(title_lines(title, int(156 / (size.pt * 0.3528)))):
        if i:
            run.add_break()
        run.add_text(line)


def heading(doc, text: str, font: str = H1_FONT, **kwargs):  # noqa: ANN001, ANN003, ANN201
    """A heading: never the last line of a page (kept with the paragraph after it)."""
    p = para(doc, text, font, **kwargs)
    p.paragraph_format.keep_with_next = True
    return p


def body_paragraph(doc, line: str) -> None:  # noqa: ANN001
    """A body line; a leading （一） heading is set in 楷体 and the rest in 仿宋 (GB/T 9704 level 2)."""
    p = doc.add_paragraph()
    _fmt(p, WD_ALIGN_PARAGRAPH.JUSTIFY, True)
    match = _H2.match(line)
    if match:
        head, _, rest = line.partition("。")
        if len(head) <= 30 and rest:
            set_font(p.add_run(head + "。"), H2_FONT, SIZE_3)
            set_font(p.add_run(rest), BODY_FONT, SIZE_3)
            return
        set_font(p.add_run(line), H2_FONT, SIZE_3)
        return
    set_font(p.add_run(line), BODY_FONT, SIZE_3)


def _page_number_footer(footer, align) -> None:  # noqa: ANN001
    p = footer.paragraphs[0]
    p.alignment = align
    p.paragraph_format.left_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.LEFT else None
    p.paragraph_format.right_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
    set_font(p.add_run("— "), PAGE_FONT, SIZE_4)
    run = p.add_run()
    set_font(run, PAGE_FONT, SIZE_4)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "1":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    set_font(p.add_run(" —"), PAGE_FONT, SIZE_4)


def _red_rule(paragraph) -> None:  # noqa: ANN001
    p_pr = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "E60012")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    p_pr.append(borders)


def cell_text(cell, text: str, bold: bool = False, font: str = BODY_FONT) -> None:  # noqa: ANN001
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0  # single, as "Table Grid" gave its paragraphs (see grid_borders)
    set_font(p.add_run(text), font, SIZE_SMALL4, bold)


def grid_borders(table) -> None:  # noqa: ANN001
    """Thin single borders round and between all cells, set on the table itself: the look of Word's
    "Table Grid" style, without the style, which LibreOffice applies cell by cell when it imports the
    .docx (a third of its time on a 2,000-row notice; bench/RESULTS-notices.md)."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "auto")):
            edge.set(qn(k), v)
        borders.append(edge)
    tbl_pr = table._tbl.tblPr
    later = [tbl_pr.find(qn(f"w:{name}")) for name in ("shd", "tblLayout", "tblCellMar", "tblLook")]  # schema order
    later = [el for el in later if el is not None]
    if later:
        later[0].addprevious(borders)
    else:
        tbl_pr.append(borders)


def repeat_header(row) -> None:  # noqa: ANN001
    """The header row printed again at the head of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
    keep_row_whole(row)


def keep_row_whole(row) -> None:  # noqa: ANN001
    """A row is never split across pages (GB/T 9704: a table row stays on one page)."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    tr_pr.insert(0, el)


def column_widths(columns: list[str] | tuple[str, ...]) -> list:
    weights = [FIELD_WEIGHTS[COLUMN_FIELDS[c]] for c in columns]
    return [Mm(156 * w / sum(weights)) for w in weights]


def row_values(row: TableRow, columns: list[str] | tuple[str, ...]) -> list[str]:
    return [str(getattr(row, COLUMN_FIELDS[c])) for c in columns]


def table(doc, columns: list[str] | tuple[str, ...], rows: list[TableRow]) -> None:  # noqa: ANN001
    widths = column_widths(columns)
    t = doc.add_table(rows=2, cols=len(columns))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    grid_borders(t)
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width
    header = t.rows[0]
    repeat_header(header)
    for cell, name, width in zip(header.cells, columns, widths, strict=True):
        cell.width = width
        cell_text(cell, name, font=H1_FONT)
    # One data row is formatted through python-docx and cloned for every row: setting widths and fonts
    # cell by cell costs about half a millisecond a cell, seconds for a province's 2,000-row attachment.
    template = t.rows[1]
    keep_row_whole(template)
    for cell, width in zip(template.cells, widths, strict=True):
        cell.width = width
        cell_text(cell, "-")
    for row in rows:
        tr = deepcopy(template._tr)
        for run, value in zip(tr.iter(qn("w:r")), row_values(row, columns), strict=True):
            run.text = value  # keeps the run's fonts; line breaks and tabs become w:br / w:tab
        template._tr.addprevious(tr)
    template._tr.getparent().remove(template._tr)


def official_document() -> Document:
    """An empty GB/T 9704 document: A4, the margins, 仿宋 3号 body, "— n —" page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    return doc


def signature(doc, office: str, when, *, keep_last: bool = True) -> None:  # noqa: ANN001
    """The issuing office over the date, right-aligned four characters in, never alone on a page: kept with the
    end of the text above it (the last lines of the body, or the attachment list, move with it). With
    `keep_last` False only the signature block itself is kept together (the notice decides what moves)."""
    if doc.paragraphs and keep_last:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    for _ in range(2):
        para(doc, "", indent=False).paragraph_format.keep_with_next = True
    sign = para(doc, office, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    sign.paragraph_format.right_indent = Pt(64)
    sign.paragraph_format.keep_with_next = True
    date_line = para(doc, cn_date(when), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    date_line.paragraph_format.right_indent = Pt(64)


def _carry_tail(doc, keep_tail: int | None) -> None:  # noqa: ANN001
    """What of the body's last paragraph goes with the signature onto its page (GB/T 9704 7.3.5.1: the page of
    the 成文日期 carries body text). 0: the paragraph is kept with what follows; Word then moves only its last
    lines, LibreOffice the whole paragraph, which can leave the page before nearly empty. n > 0: its last n
    characters (the lines LibreOffice put last, see fitting.py) continue in a paragraph of their own that is
    kept with what follows, so only they move. None: nothing is kept (the layout is being measured)."""
    last = doc.paragraphs[-1]
    if keep_tail is None:
        return
    text = last.text
    if not 0 < keep_tail < len(text):
        last.paragraph_format.keep_with_next = True
        return
    head, tail = text[:-keep_tail], text[-keep_tail:]
    last._element.getparent().remove(last._element)
    body_paragraph(doc, head)
    # Its last line is a full line cut by LibreOffice: set justified like the lines above (this .docx is only
    # the PDF's source; the .docx handed out keeps the paragraph whole).
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
    rest = doc.add_paragraph()
    _fmt(rest, WD_ALIGN_PARAGRAPH.JUSTIFY, False)   # the same line continued: no indent
    set_font(rest.add_run(tail), BODY_FONT, SIZE_3)
    rest.paragraph_format.keep_with_next = True


def render_docx(c: NoticeContent, *, keep_tail: int | None = 0, body_only: bool = False) -> bytes:
    """The notice; `keep_tail` says what of the body's last paragraph moves with the signature (`_carry_tail`),
    `body_only` leaves out the attachments and the 版记 (to measure the body's layout)."""
    doc = official_document()

    # 版头: issuing office in red, 文号, red rule.
    para(doc, c.mark or c.issuing_office, TITLE_FONT, Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
         exact=40, color=RED)
    number = para(doc, c.doc_number or " ", BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(number)
    para(doc, "", indent=False)
    # 主体
    title_paragraph(doc, c.title, SIZE_2, 36)
    para(doc, "", indent=False)
    if c.addressees:
        para(doc, f"{c.addressees}：", indent=False)
    for line in c.intro.splitlines():
        body_paragraph(doc, line)
    for title, text in body_sections(c):
        heading(doc, title)
        for line in filter(None, (x.strip() for x in text.splitlines())):
            body_paragraph(doc, line)
    _carry_tail(doc, keep_tail)
    titles = attachment_list(c)
    if titles:
        # 附件说明 one line below the body, kept with the signature below it.
        para(doc, "", indent=False).paragraph_format.keep_with_next = True
        for i, title in enumerate(titles, start=1):
            # "附件：1.名称" indented two characters; wrapped lines and the next names align with the first name.
            p = para(doc, f"{'附件：' if i == 1 else ''}{i}.{title}")
            p.paragraph_format.left_indent = Pt(96)
            p.paragraph_format.first_line_indent = Pt(-64 if i == 1 else -16)
            p.paragraph_format.keep_with_next = True
    signature(doc, c.signature, c.issue_date, keep_last=False)
    if body_only:
        return _saved(doc)

    attachments = []
    if c.site_rows or c.sites.total:
        attachments.append((c.attachment1_title, c.attachment1_columns, c.site_rows, c.period_of(1)))
    if c.account_rows or c.accounts.total:
        attachments.append((c.attachment2_title, c.attachment2_columns, c.account_rows, c.period_of(2)))
    if c.column_rows or c.columns.total:
        attachments.append((c.columns_title, c.columns_columns, c.column_rows, c.columns_period or c.check_period))
    for i, (title, columns, rows, period) in enumerate(attachments, start=1):
        brk = doc.add_paragraph()
        brk.add_run().add_break(WD_BREAK.PAGE)
        heading(doc, f"附件{i}", indent=False)
        title_paragraph(doc, title, Pt(18), 32)
        if period:
            heading(doc, period, H2_FONT, size=SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        if rows:
            table(doc, columns, rows)
        else:
            para(doc, "无不合格情况。", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    imprint(doc, c)
    return _saved(doc)


def _saved(doc) -> bytes:  # noqa: ANN001
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _rule(paragraph, edge: str, size: int) -> None:  # noqa: ANN001
    p_pr = paragraph._element.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:   # in the place the schema gives it among the paragraph properties
        borders = OxmlElement("w:pBdr")
        p_pr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                                   "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                                   "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                                   "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                                   "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                                   "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
    line = OxmlElement(f"w:{edge}")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", "000000")):
        line.set(qn(k), v)
    borders.append(line)


def _at_page_foot(paragraph) -> None:  # noqa: ANN001
    """Set the paragraph in a frame at the foot of the type area: consecutive paragraphs framed alike form one
    frame, and the text above never runs beside it."""
    frame = OxmlElement("w:framePr")
    for k, v in (("w:w", str(int(Mm(156).twips))), ("w:wrap", "notBeside"), ("w:hAnchor", "margin"),
                 ("w:vAnchor", "margin"), ("w:xAlign", "center"), ("w:yAlign", "bottom")):
        frame.set(qn(k), v)
    paragraph._element.get_or_add_pPr().insert_element_before(
        frame, "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:spacing",
        "w:ind", "w:jc", "w:rPr")


def imprint(doc, c: NoticeContent) -> None:  # noqa: ANN001
    """版记 (GB/T 9704 7.4) at the foot of the last page: 抄送 and 印发机关/印发日期 between rules, 4号 仿宋."""
    printed_on = c.printed_on or c.issue_date
    if not (c.cc or c.printed_by):
        return
    # LibreOffice leaves a frame that directly follows a table in the text flow: a paragraph in between.
    para(doc, "", indent=False, exact=1)
    lines = []
    if c.cc:
        cc = para(doc, f"抄送：{c.cc}。" if not c.cc.endswith("。") else f"抄送：{c.cc}", BODY_FONT, SIZE_4,
                  indent=False, exact=None)
        cc.paragraph_format.left_indent = cc.paragraph_format.right_indent = Pt(14)
        # The thin rule between 抄送 and 印发 is a tab underlined across a line of its own: LibreOffice sets lines
        # with different borders (or a `between` border) in separate frames, and then none at the page foot.
        rule = para(doc, "", BODY_FONT, Pt(8), indent=False, exact=3)
        rule.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
        rule.add_run("\t").font.underline = True
        lines += [cc, rule]
    p = doc.add_paragraph()
    _fmt(p, WD_ALIGN_PARAGRAPH.LEFT, False, None)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(14)
    p.paragraph_format.tab_stops.add_tab_stop(Mm(156) - Pt(28), WD_TAB_ALIGNMENT.RIGHT)
    set_font(p.add_run(f"{c.printed_by or c.issuing_office}\t{cn_date(printed_on)}印发"), BODY_FONT, SIZE_4)
    lines.append(p)
    for line in lines:   # one bordered group: heavy rules (0.35 mm) above and below it
        _rule(line, "top", 8)
        _rule(line, "bottom", 8)
    for line in lines:
        line.paragraph_format.keep_with_next = line is not lines[-1]
        _at_page_foot(line)
