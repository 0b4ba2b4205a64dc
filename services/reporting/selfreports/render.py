"""A self-inspection report as .docx in the official-document format the notices use (GB/T 9704): title, 主送,
the opening paragraph (basis and 自查结果), the numbered sections (added ones before 下一步工作), signature
and date. Headings stay with their text; the signature stays with the last lines above it."""
import io


from services.common.clock import beijing_date
from services.reporting.notices.render_docx import (
    SIZE_2, body_paragraph, heading, official_document, para, signature, title_paragraph,
)
from services.reporting.notices.text import NUMERALS
from services.reporting.selfreports.models import UNNUMBERED, SelfReport
from services.reporting.selfreports.service import section_titles


def render_report(report: SelfReport) -> bytes:
    doc = official_document()
    title_paragraph(doc, report.title, SIZE_2, 36)
    para(doc, "", indent=False)
    addressee = (report.sections.get("addressee") or "").strip().rstrip("：:")
    if addressee:
        para(doc, f"{addressee}：", indent=False)
    for line in filter(None, (x.strip() for x in (report.sections.get("intro") or "").splitlines())):
        body_paragraph(doc, line)
    n = 0
    for key, title in section_titles(report.sections).items():
        text = (report.sections.get(key) or "").strip()
        if key in UNNUMBERED or not text:
            continue
        heading(doc, f"{NUMERALS[n] if n < len(NUMERALS) else n + 1}、{title}")
        n += 1
        for line in filter(None, (x.strip() for x in text.splitlines())):
            body_paragraph(doc, line)
    signature(doc, report.signature or report.unit_name, report.report_date or beijing_date(report.created_at))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
