"""Quarterly self-inspection reports: pre-filled from the registry, the checker's period summary and the
rectification tasks; edited, submitted (late when past due), returned and accepted by the office above;
exported as .docx and read back."""
import io
from datetime import timedelta

from docx import Document
from sqlmodel import Session

from services.common.db import get_engine
from services.reporting.rectification.service import today
from services.reporting.selfreports.service import due_date, quarter_bounds
from tests.reporting.conftest import org, registry_accounts, registry_sites
from tests.reporting.rectification.conftest import FAILING_UNIT, OPERATOR, SUPERVISOR, this_year_inspection

QUARTER = ((today().month - 1) // 3) + 1


def previous_quarter() -> tuple[int, int]:
    return (today().year, QUARTER - 1) if QUARTER > 1 else (today().year - 1, 4)


def test_a_report_round_trips_to_docx(reporting, auth):
    this_year_inspection()  # 韩城市财政局's site failed (unreachable) two days ago: this quarter
    op, sup = auth(OPERATOR), auth(SUPERVISOR)
    created = reporting.post("/api/v1/self-reports", headers=op, json={"year": today().year, "quarter": QUARTER})
    assert created.status_code == 201, created.text
    report = created.json()
    with Session(get_engine()) as session:
        unit = org(session, FAILING_UNIT)
        sites = [s for s in registry_sites(session, unit) if s.state == "active"]
        accounts = [a for a in registry_accounts(session, unit) if a.state == "active"]
    assert report["unit_name"] == FAILING_UNIT and report["state"] == "draft"
    assert report["title"] == f"{FAILING_UNIT}关于{today().year}年第{'一二三四'[QUARTER - 1]}季度政府网站与政务新媒体自查情况的报告"
    assert report["due_date"] == due_date(today().year, QUARTER).isoformat()
    figures = report["figures"]
    assert figures["sites"] == len(sites) and figures["accounts"] == len(accounts)
    assert figures["inspections"] >= 1 and figures["problems_found"] >= 1
    assert any(k["indicator"] == "unreachable" for k in figures["problem_kinds"])
    assert f"共运行政府网站{len(sites)}个" in report["sections"]["sites"]
    # Problems summarised by indicator in words (never a checker sentence cut short), with 主送 and the basis.
    assert "1个网站监测时间点无法访问" in report["sections"]["problems"]
    assert report["sections"]["addressee"] == "韩城市人民政府办公室"
    intro = report["sections"]["intro"]
    assert "（国办发〔2017〕47号）" in intro and "（国办秘函〔2019〕19号）" in intro
    assert "现将自查情况报告如下：" in intro and "自查结果为合格" not in intro  # not with a site unreachable
    assert "未发生网络安全事件" not in report["sections"]["security"]  # the site was unreachable
    assert "1个网站监测时间点无法访问" in report["sections"]["security"]
    assert report["sections"]["accounts"].startswith("截至本季度末，我单位在全国政务新媒体信息报送系统登记的政务新媒体账号共")
    # One report per unit and quarter; no report for a quarter that has not begun.
    again = reporting.post("/api/v1/self-reports", headers=op, json={"year": today().year, "quarter": QUARTER})
    assert again.status_code == 409 and again.json()["detail"]["existing_id"] == report["id"]
    future = reporting.post("/api/v1/self-reports", headers=op, json={"year": today().year + 1, "quarter": 1})
    assert future.status_code == 422 and future.json()["detail"]["field"] == "quarter"
    # The unit edits, submits; the office above returns it with a note; the unit fixes and resubmits.
    rid = report["id"]
    edited = reporting.patch(f"/api/v1/self-reports/{rid}", headers=op, json={
        "sections": {"next_steps": "下一步，我局将建立网站内容每日巡检制度。"}, "signature": "韩城市财政局"})
    assert edited.status_code == 200 and edited.json()["sections"]["next_steps"].startswith("下一步，我局")
    bad = reporting.patch(f"/api/v1/self-reports/{rid}", headers=op, json={"sections": {"bogus": "x"}})
    assert bad.status_code == 422 and bad.json()["detail"]["code"] == "unknown_section"
    assert reporting.post(f"/api/v1/self-reports/{rid}/review", headers=sup, json={"decision": "accept"}).status_code == 409
    submitted = reporting.post(f"/api/v1/self-reports/{rid}/submit", headers=op).json()
    assert submitted["state"] == "submitted" and submitted["late"] is False
    assert reporting.post(f"/api/v1/self-reports/{rid}/submit", headers=op).status_code == 409
    assert reporting.patch(f"/api/v1/self-reports/{rid}", headers=op, json={"title": "改标题改标题"}).status_code == 409
    assert reporting.post(f"/api/v1/self-reports/{rid}/review", headers=op, json={"decision": "accept"}).status_code == 403
    assert reporting.post(f"/api/v1/self-reports/{rid}/review", headers=sup, json={"decision": "return"}).status_code == 422
    returned = reporting.post(f"/api/v1/self-reports/{rid}/review", headers=sup,
                              json={"decision": "return", "note": "请补充留言办理情况"}).json()
    assert returned["state"] == "returned" and returned["review_note"] == "请补充留言办理情况"
    reporting.patch(f"/api/v1/self-reports/{rid}", headers=op,
                    json={"sections": {"messages": "本季度共收到网民留言12件，已全部办结。"}})
    reporting.post(f"/api/v1/self-reports/{rid}/submit", headers=op)
    accepted = reporting.post(f"/api/v1/self-reports/{rid}/review", headers=sup, json={"decision": "accept"}).json()
    assert accepted["state"] == "accepted"
    # Another unit does not see it.
    assert reporting.get(f"/api/v1/self-reports/{rid}", headers=auth("linwei_shuiwu_operator")).status_code == 404
    # .docx: the title, the sections as edited, the figures table, the signature.
    response = reporting.get(f"/api/v1/self-reports/{rid}/docx", headers=sup)
    assert response.status_code == 200 and response.content.startswith(b"PK")
    doc = Document(io.BytesIO(response.content))
    text = [p.text.replace("\n", "") for p in doc.paragraphs]
    assert text[0] == report["title"] and text[2] == "韩城市人民政府办公室：" and text[3] == intro
    headings = [t for t in text if t[:2] in {f"{n}、" for n in "一二三四五六七"}]
    assert headings == ["一、网站运行情况", "二、安全运行情况", "三、网民留言办理情况", "四、政务新媒体运行情况",
                        "五、自查发现的问题及整改情况", "六、下一步工作"]
    assert "本季度共收到网民留言12件，已全部办结。" in text
    assert "下一步，我局将建立网站内容每日巡检制度。" in text
    assert "韩城市财政局" in text[-2] and text[-1].startswith(f"{today().year}年")
    by_text = {p.text: p for p in doc.paragraphs}
    assert all(by_text[h].paragraph_format.keep_with_next for h in headings)  # no heading stranded at a page foot
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37


def test_a_report_submitted_after_its_due_date_is_late(reporting, auth):
    op = auth("minzheng_operator")
    year, quarter = previous_quarter()
    start, end = quarter_bounds(year, quarter)
    assert end - start > timedelta(days=80)
    report = reporting.post("/api/v1/self-reports", headers=op, json={"year": year, "quarter": quarter}).json()
    overdue = due_date(year, quarter) < today()
    assert report["overdue"] is overdue
    submitted = reporting.post(f"/api/v1/self-reports/{report['id']}/submit", headers=op).json()
    assert submitted["late"] is overdue and submitted["state"] == "submitted"
    listed = reporting.get("/api/v1/self-reports", headers=auth("weinan_supervisor"),
                           params={"year": year, "quarter": quarter}).json()["items"]
    assert report["id"] in [r["id"] for r in listed]


def test_only_units_write_reports(reporting, auth):
    response = reporting.post("/api/v1/self-reports", headers=auth(SUPERVISOR), json={"year": today().year, "quarter": 1})
    assert response.status_code == 403
    response = reporting.post("/api/v1/self-reports", headers=auth("weinan_viewer"), json={"year": today().year, "quarter": 1})
    assert response.status_code == 403
    bad = reporting.post("/api/v1/self-reports", headers=auth(OPERATOR), json={"year": today().year, "quarter": 5})
    assert bad.status_code == 422


def test_report_decisions_are_in_the_audit_log(reporting, auth):
    op = auth("zhujian_operator")
    year, quarter = previous_quarter()
    report = reporting.post("/api/v1/self-reports", headers=op, json={"year": year, "quarter": quarter}).json()
    reporting.post(f"/api/v1/self-reports/{report['id']}/submit", headers=op)
    sup = auth("weinan_supervisor")
    reporting.post(f"/api/v1/self-reports/{report['id']}/review", headers=sup, json={"decision": "accept"})
    trail = reporting.get("/api/v1/audit", headers=sup, params={"entity_kind": "self_report",
                                                                "entity_id": report["id"]}).json()["items"]
    assert [a["action"] for a in reversed(trail)] == ["self_report_created", "self_report_submitted",
                                                      "self_report_accepted"]
    assert reporting.get("/api/v1/audit", headers=op).status_code == 403
    county = reporting.get("/api/v1/audit", headers=auth("hancheng_supervisor"),
                           params={"entity_kind": "self_report", "entity_id": report["id"]}).json()
    assert county["total"] == 0


def test_a_county_signs_as_its_office_and_adds_a_section(reporting, auth):
    """Seed 003: a county's report is signed by its 人民政府办公室 and addressed to the city's office; a unit may add
    a section of its own (printed before 下一步工作) and remove it again."""
    admin = auth("shaanxi_admin")
    with Session(get_engine()) as session:
        county = org(session, "韩城市")
    year, quarter = previous_quarter()
    created = reporting.post("/api/v1/self-reports", headers=admin,
                             json={"year": year, "quarter": quarter, "org_id": county.id})
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["signature"] == "韩城市人民政府办公室" and report["unit_name"] == "韩城市"
    assert report["title"] == (f"韩城市人民政府办公室关于{year}年第{'一二三四'[quarter - 1]}季度政府网站与政务新媒体"
                               "自查情况的报告")
    assert report["sections"]["addressee"] == "渭南市人民政府办公室"
    assert "我办组织开展了" in report["sections"]["intro"]
    rid = report["id"]
    added = reporting.patch(f"/api/v1/self-reports/{rid}", headers=admin,
                            json={"sections": {"custom:政务公开专栏建设情况": "本季度新增基层政务公开专栏3个。"}})
    assert added.status_code == 200, added.text
    assert list(added.json()["section_titles"])[-2:] == ["custom:政务公开专栏建设情况", "next_steps"]
    doc = Document(io.BytesIO(reporting.get(f"/api/v1/self-reports/{rid}/docx", headers=admin).content))
    text = [p.text for p in doc.paragraphs]
    assert text.index("六、政务公开专栏建设情况") + 2 == text.index("七、下一步工作")
    assert text[-2] == "韩城市人民政府办公室"
    bad = reporting.patch(f"/api/v1/self-reports/{rid}", headers=admin, json={"sections": {"custom:": "x"}})
    assert bad.status_code == 422 and "标题" in bad.json()["detail"]["message"]
    removed = reporting.patch(f"/api/v1/self-reports/{rid}", headers=admin,
                              json={"sections": {"custom:政务公开专栏建设情况": ""}})
    assert "custom:政务公开专栏建设情况" not in removed.json()["section_titles"]
