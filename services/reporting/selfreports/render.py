"""A self-inspection report as .docx in the official-document format the notices use (GB/T 9704):
title, the basis sentence, the five sections, a table of the quarter's figures, signature and date."""
import io

from docx.enum.text import WD_ALIGN_PARAGRAPH

from services.common.clock import beijing_date
from services.reporting.notices.render_docx import (
    H1_FONT, SIZE_2, TITLE_FONT, WIDTHS, cell_text, repeat_header, body_paragraph, official_document, para, signature,
)
from services.reporting.selfreports.models import SECTIONS, Figures, SelfReport
from services.reporting.selfreports.service import QUARTER_CN

FIGURE_ROWS = (
    ("sites", "政府网站（个）"), ("accounts", "政务新媒体账号（个）"), ("inspections", "接受检查（次）"),
    ("items_published", "网站发布信息（条）"), ("posts", "新媒体发布信息（条）"),
    ("messages_received", "收到网民留言（件）"), ("messages_answered", "答复办结留言（件）"),
    ("problems_found", "发现问题（个）"), ("problems_fixed", "完成整改（个）"), ("tasks_open", "未完成整改任务（项）"),
)


def render_report(report: SelfReport) -> bytes:
    doc = official_document()
    para(doc, report.title, TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=36)
    para(doc, "", indent=False)
    body_paragraph(doc, f"按照政府网站与政务新媒体检查工作要求，{report.unit_name}开展了{report.year}年第"
                        f"{QUARTER_CN[report.quarter]}季度政府网站与政务新媒体自查工作，现将自查情况报告如下：")
    for key, heading in SECTIONS:
        para(doc, heading, H1_FONT)
        for line in filter(None, (x.strip() for x in (report.sections.get(key) or "").splitlines())):
            body_paragraph(doc, line)
    para(doc, "附表：本季度自查情况统计", H1_FONT, indent=False)
    figures = Figures.model_validate(report.figures).model_dump()
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    cell_text(table.rows[0].cells[0], "项目", bold=True)
    cell_text(table.rows[0].cells[1], "数量", bold=True)
    repeat_header(table.rows[0])
    for key, label in FIGURE_ROWS:
        cells = table.add_row().cells
        cell_text(cells[0], label)
        cell_text(cells[1], str(figures[key]))
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = WIDTHS[1] + WIDTHS[2] + WIDTHS[0], WIDTHS[3] + WIDTHS[4]
    signature(doc, report.signature or report.unit_name, report.report_date or beijing_date(report.created_at))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
