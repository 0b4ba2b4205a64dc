"""Seed 004 through the real pipeline: checker results (served by the real checker API) and the registry's
inventory (real registry API, service token) → assembly → docx/xlsx/pdf → S3 → download through the API.
The rendered files carry the seed's counts, rates (92.2 %, 93 %) and attachment rows."""
from datetime import date
from pathlib import Path

import pytest

from services.reporting.notices import render_pdf
from tests.reporting import seed004 as seed
from tests.reporting.docs import docx_tables, docx_text, xlsx_sheets

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def issued(reporting, auth, seed004):
    h = auth("weinan_supervisor")
    response = reporting.post("/api/v1/notices", headers=h, json={
        "inspection_id": seed004["current"], "doc_number": "渭政办发〔2024〕8号", "issue_date": "2024-02-28",
        "deadline": "2024-03-10", "report_to": "市政府办信息与政务公开科（电话：0913-2109218）"})
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["state"] == "draft" and draft["previous_inspection_id"] == seed004["previous"]
    response = reporting.post(f"/api/v1/notices/{draft['id']}/issue", headers=h)
    assert response.status_code == 200, response.text
    notice = response.json()
    assert notice["state"] == "issued", notice["error"]
    return notice


def download(reporting, auth, notice, fmt):
    response = reporting.get(f"/api/v1/notices/{notice['id']}/files/{fmt}", headers=auth("weinan_supervisor"))
    assert response.status_code == 200, response.text
    return response.content


def test_figures_in_the_draft(issued):
    c = issued["content"]
    assert (c["sites"]["total"], c["sites"]["passed"], c["sites"]["failed"]) == (51, 47, 4)
    assert (c["accounts"]["total"], c["accounts"]["passed"], c["accounts"]["failed"]) == (470, 437, 33)
    assert (c["sites"]["prev_passed"], c["sites"]["prev_checked"]) == (seed.PREV_SITES_PASSED, 51)
    groups = {g["label"]: g["total"] for g in c["sites"]["groups"]}
    assert groups == {"市政府门户网站": 1, "市政府工作部门及派出机构网站": 33, "县级政府门户网站": 11, "县级部门网站": 6}
    assert c["title"] == "渭南市人民政府办公室关于2024年第一次政府网站与政务新媒体全面检查情况的通报"
    # The attachment titles read as seed 004's.
    assert c["attachment1_title"] == "2024年第一次政府网站全面检查情况汇总表"
    assert c["attachment2_title"] == "2024年第一次政务新媒体全面检查情况汇总表"
    assert c["issue_date"] == "2024-02-28" and c["deadline"] == "2024-03-10"


def test_docx_carries_the_seed_figures_and_rows(reporting, auth, issued):
    data = download(reporting, auth, issued, "docx")
    text = docx_text(data)
    for expected in ("渭南市人民政府办公室", "渭政办发〔2024〕8号", "《政府网站与政务新媒体检查指标》",
                     "共运行网站51个", "其中市政府门户网站1个，市政府工作部门及派出机构网站33个，县级政府门户网站11个，县级部门网站6个",
                     "合格政府网站47个，不合格政府网站4个，合格率92.2%，较2023年第四次全面检查提升3.9个百分点",
                     "共运行政务新媒体470个",
                     "检查结果为：合格政务新媒体437个，不合格政务新媒体33个，合格率93%，较2023年第四次全面检查提升1.9个百分点",
                     "一、总体情况", "二、主要问题", "三、有关要求",
                     "多个栏目更新不及时（3个）：渭南市民政局、渭南市住房和城乡建设局、渭南市应急管理局网站",
                     "监测时间点无法访问（1个）：韩城市财政局网站",
                     "于3月10日前将整改情况书面报市政府办信息与政务公开科", "2024年2月28日",
                     "附件1", "附件2", "附件：1.2024年第一次政府网站全面检查情况汇总表",
                     "2.2024年第一次政务新媒体全面检查情况汇总表"):
        assert expected in text, expected
    tables = docx_tables(data)
    assert len(tables) == 2
    sites, accounts = tables
    assert sites[0] == ("序号", "网站名称", "类型", "检查结果", "突出问题")
    assert sites[1:] == [tuple(str(x) for x in row) for row in seed.EXPECTED_SITE_TABLE]
    assert accounts[0] == ("序号", "账号名称", "账号类型", "检查结果", "备注")
    expected_accounts = [(str(n), name, label, "不合格", remark)
                         for n, (name, label, _, remark) in enumerate(seed.ACCOUNT_ROWS, start=1)]
    assert accounts[1:] == expected_accounts


def test_xlsx_carries_the_same_rows(reporting, auth, issued):
    sheets = xlsx_sheets(download(reporting, auth, issued, "xlsx"))
    site_sheet, account_sheet, summary = sheets["附件1 政府网站"], sheets["附件2 政务新媒体"], sheets["合格率"]
    header = site_sheet.index(("序号", "网站名称", "类型", "检查结果", "突出问题"))
    assert site_sheet[header + 1:] == list(seed.EXPECTED_SITE_TABLE)
    header = account_sheet.index(("序号", "账号名称", "账号类型", "检查结果", "备注"))
    assert account_sheet[header + 1:] == [(n, name, label, "不合格", remark)
                                          for n, (name, label, _, remark) in enumerate(seed.ACCOUNT_ROWS, start=1)]
    assert ("政府网站", 51, 47, 4, "92.2%") in summary and ("政务新媒体", 470, 437, 33, "93%") in summary


@pytest.mark.skipif(not render_pdf.available(), reason="LibreOffice not installed")
def test_pdf_is_stored_and_has_the_pages(reporting, auth, issued, tmp_path):
    data = download(reporting, auth, issued, "pdf")
    assert data.startswith(b"%PDF-") and len(data) > 10_000
    # Kept for a look (pdftoppm -png -r 60 …): artifacts/ is not committed.
    out = ROOT / "artifacts" / "reporting"
    out.mkdir(parents=True, exist_ok=True)
    (out / "seed004-notice.pdf").write_bytes(data)
    files = {f["format"]: f for f in issued["files"]}
    assert set(files) == {"docx", "xlsx", "pdf"}
    for f in files.values():
        assert f["key"] == f"notices/{issued['id']}/v1/{f['sha256']}.{f['format']}"


def test_precision_is_a_setting_of_the_draft(reporting, auth, seed004):
    h = auth("weinan_supervisor")
    draft = reporting.post("/api/v1/notices", headers=h, json={"inspection_id": seed004["current"],
                                                                "issue_date": str(date(2024, 2, 28))}).json()
    assert "合格率92.2%" in draft["content"]["overview"] and "合格率93%" in draft["content"]["overview"]
    two = reporting.patch(f"/api/v1/notices/{draft['id']}", headers=h,
                          json={"rate_decimals": 2, "rate_strip_zeros": False}).json()
    assert "合格率92.16%" in two["content"]["overview"] and "合格率92.98%" in two["content"]["overview"]


def test_docx_is_in_the_official_format(reporting, auth, issued):
    import io

    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document(io.BytesIO(download(reporting, auth, issued, "docx")))
    section = doc.sections[0]
    mm = [round(x.mm, 1) for x in (section.page_width, section.page_height, section.top_margin,
                                   section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]

    def east_asian(paragraph):
        run = paragraph.runs[0]
        return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")), run.font.size

    by_text = {p.text: p for p in doc.paragraphs if p.runs}
    assert east_asian(by_text[issued["content"]["title"]]) == ("方正小标宋简体", Pt(22))
    assert east_asian(by_text["一、总体情况"]) == ("黑体", Pt(16))
    intro = next(p for t, p in by_text.items() if t.startswith("近期，"))
    assert east_asian(intro) == ("仿宋_GB2312", Pt(16))
    second = next(p for t, p in by_text.items() if t.startswith("（一）政府网站检查情况"))
    assert east_asian(second) == ("楷体_GB2312", Pt(16))
    footer = "".join(p.text for p in section.footer.paragraphs)
    assert footer.startswith("— ") and footer.endswith(" —")
    assert "PAGE" in section.footer._element.xml
