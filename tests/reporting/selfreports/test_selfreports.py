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
    assert "监测时间点无法访问" in report["sections"]["problems"]
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
    text = [p.text for p in doc.paragraphs]
    assert text[0] == report["title"]
    for heading in ("一、网站运行情况", "二、网民留言办理情况", "三、政务新媒体运行情况", "四、自查发现的问题及整改情况",
                    "五、下一步工作"):
        assert heading in text
    assert "本季度共收到网民留言12件，已全部办结。" in text
    assert "下一步，我局将建立网站内容每日巡检制度。" in text
    assert "韩城市财政局" in text[-2] and text[-1].startswith(f"{today().year}年")
    rows = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert rows["政府网站（个）"] == str(len(sites)) and rows["发现问题（个）"] == str(figures["problems_found"])
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
