"""Notice templates: the tier defaults read like the seeds, an office's admins change theirs (placeholders
checked, 422 naming an unknown one), a draft takes the office's parts from it, and 文号 are numbered per office
and year at issue — distinct under concurrency, never handed out twice, kept by later versions."""
import threading

import pytest
from sqlmodel import Session, select

from services.common.clock import beijing_today
from services.common.db import get_engine
from services.reporting.templates import service
from services.reporting.templates.defaults import CITY_INTRO, CITY_REQUIREMENTS
from services.reporting.templates.models import DocSequence
from tests.reporting.test_notices import hancheng_inspection
from tests.reporting.conftest import org
from tests.reporting.issuing import issue

SEED004_ADDRESSEES = "各县、市、区人民政府，市人民政府各工作部门、直属机构，渭南高新区、经开区、华山景区"


def hancheng_id() -> int:
    with Session(get_engine()) as session:
        return org(session, "韩城市").id


def test_city_default_is_seed_004(reporting, auth):
    response = reporting.get("/api/v1/notice-template", headers=auth("weinan_admin"))
    assert response.status_code == 200, response.text
    t = response.json()
    assert t["source"] == "default"
    assert (t["mark"], t["signature"], t["printed_by"]) == ("渭南市人民政府办公室",) * 3
    assert t["addressees"].startswith(SEED004_ADDRESSEES)
    assert (t["intro"], t["requirements"]) == (CITY_INTRO, CITY_REQUIREMENTS)
    assert t["doc_prefix"] == "渭政办发" and t["next_doc_number"].startswith(f"渭政办发〔{beijing_today().year}〕")
    assert t["site_columns"] == ["序号", "网站名称", "检查结果", "突出问题"]
    assert "整改期限" in t["placeholders"]


def test_county_level_city_default_reads_like_seed_000(reporting, auth):
    t = reporting.get("/api/v1/notice-template", headers=auth("hancheng_supervisor")).json()
    assert t["mark"] == "韩城市人民政府办公室" and t["doc_prefix"] == "韩政办发"
    # A county-level city addresses its own 市人民政府各工作部门 (never 县…), and writes 市政府办公室 in the text.
    assert t["addressees"] == "各镇人民政府、街道办事处，市人民政府各工作部门、直属机构"
    assert t["intro"].startswith("按照国务院办公厅、省政府办公厅关于政府网站和政府系统政务新媒体管理工作有关要求，{期次}，")
    assert t["report_to"] == "市政府办公室"


@pytest.mark.parametrize("field, text, named", [
    ("requirements", "请于{截止日期}前报送。", "{截止日期}"),
    ("intro", "近期，{发文机关}按照{检查依据}组织检查。", "{检查依据}"),
    ("cc", "市委办公室{", None),
])
def test_unknown_placeholder_is_a_422_naming_it(reporting, auth, field, text, named):
    body = reporting.get("/api/v1/notice-template", headers=auth("weinan_admin")).json()
    body[field] = text
    response = reporting.put("/api/v1/notice-template", headers=auth("weinan_admin"), json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["field"] == field
    if named:
        assert named in detail["message"] and "可用的占位符" in detail["message"]
    else:
        assert "花括号不成对" in detail["message"]
    assert reporting.get("/api/v1/notice-template", headers=auth("weinan_admin")).json()["source"] == "default"


def test_only_admins_change_a_template(reporting, auth):
    body = reporting.get("/api/v1/notice-template", headers=auth("weinan_supervisor")).json()
    response = reporting.put("/api/v1/notice-template", headers=auth("weinan_supervisor"), json=body)
    assert response.status_code == 403 and "管理员" in response.json()["detail"]["message"]
    # Another county's office is outside 华阴市's subtree: 404, not its template.
    response = reporting.get("/api/v1/notice-template", headers=auth("huayin_supervisor"),
                             params={"org_id": hancheng_id()})
    assert response.status_code == 404


def test_draft_takes_the_office_template_and_issue_numbers_it(reporting, auth):
    county = hancheng_id()
    admin, clerk = auth("shaanxi_admin"), auth("hancheng_supervisor")
    body = reporting.get("/api/v1/notice-template", headers=admin, params={"org_id": county}).json()
    body.update(org_id=county, doc_prefix="韩政办函", cc="渭南市人民政府办公室。", printed_by="韩城市人民政府办公室",
                report_to="市政府办信息公开科（电话：0913-5201234）",
                requirements="各单位要于{整改期限}前将整改情况书面报{报送单位}。{机关简称}将适时复查。",
                site_columns=["序号", "网站名称", "检查结果", "存在问题"])
    saved = reporting.put("/api/v1/notice-template", headers=admin, json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["source"] == "saved" and saved.json()["next_doc_number"].startswith("韩政办函〔")
    try:
        draft = reporting.post("/api/v1/notices", headers=clerk, json={"inspection_id": hancheng_inspection()}).json()
        c = draft["content"]
        assert c["doc_number"] == "" and c["mark"] == "韩城市人民政府办公室" and c["cc"] == "渭南市人民政府办公室。"
        assert c["attachment1_columns"] == ["序号", "网站名称", "检查结果", "存在问题"]
        deadline = f"{int(c['deadline'][5:7])}月{int(c['deadline'][8:10])}日"
        assert c["requirements"] == (f"各单位要于{deadline}前将整改情况书面报市政府办信息公开科（电话：0913-5201234）。"
                                     "市政府办公室将适时复查。")
        assert c["intro"].startswith("按照国务院办公厅、省政府办公厅关于政府网站和政府系统政务新媒体管理工作有关要求，")
        assert "{" not in c["intro"] and "进行了专项检查" in c["intro"]
        # A new deadline re-fills the template's 有关要求.
        moved = reporting.patch(f"/api/v1/notices/{draft['id']}", headers=clerk, json={"deadline": "2030-06-30"})
        assert "各单位要于6月30日前" in moved.json()["content"]["requirements"]

        year = int(c["issue_date"][:4])
        issued = issue(reporting, clerk, draft["id"], ("docx",)).json()
        number = issued["content"]["doc_number"]
        assert issued["state"] == "issued" and number.startswith(f"韩政办函〔{year}〕") and number.endswith("号")
        # The next notice of the office gets the next number; a revised version keeps its own.
        other = reporting.post("/api/v1/notices", headers=clerk, json={"inspection_id": hancheng_inspection()}).json()
        other = issue(reporting, clerk, other["id"], ("docx",)).json()
        n = int(number.split("〕")[1].removesuffix("号"))
        assert other["content"]["doc_number"] == f"韩政办函〔{year}〕{n + 1}号"
        reporting.post(f"/api/v1/notices/{draft['id']}/revise", headers=clerk)
        again = issue(reporting, clerk, draft["id"], ("docx",)).json()
        assert again["version"] == 2 and again["content"]["doc_number"] == number
        assert number in again["text"] and "抄送：渭南市人民政府办公室。" in again["text"]
    finally:
        reset = reporting.delete("/api/v1/notice-template", headers=admin, params={"org_id": county})
        assert reset.status_code == 200 and reset.json()["source"] == "default"


def test_concurrent_numbers_are_distinct_and_consecutive():
    org_id, year, got, errors = 990001, 2031, [], []

    def take() -> None:
        try:
            with Session(get_engine()) as session:
                number = service.assign_number(session, org_id, "测政发", year)
                session.commit()
                got.append(number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got, key=lambda x: int(x.split("〕")[1][:-1])) == [f"测政发〔2031〕{n}号" for n in range(1, 7)]
    with Session(get_engine()) as session:
        assert session.exec(select(DocSequence).where(DocSequence.org_id == org_id)).one().last == 6


def test_defaults_filled_read_as_the_seeds_sentences():
    """Seed 004's 下一步工作要求 and seed 000's opening, word for word once the placeholders are filled."""
    from services.reporting.templates.defaults import COUNTY_INTRO
    from services.reporting.templates.placeholders import fill
    values = {"整改期限": "3月10日", "报送单位": "市政府办信息与政务公开科（电话：0913-2109218，邮箱：644714438@qq.com）"}
    assert fill(CITY_REQUIREMENTS, values) == (
        "在今后工作中，各级各部门要夯实管理责任，认真做好政府网站与政务新媒体运维工作，按照“谁开设、谁负责”“谁主管、"
        "谁负责”的原则，严格执行常态化监管和信息发布审核制度，及时充分转载涉及群众切身利益的重要民生信息，扩大知晓率，"
        "提高传播力，同时，持续提升政府网站和政务新媒体服务能力。针对存在问题立即整改，并于3月10日前将整改情况书面报"
        "市政府办信息与政务公开科（电话：0913-2109218，邮箱：644714438@qq.com），对逾期未整改单位将在年终绩效评估中扣除"
        "相应分值。")
    seed000 = ("按照国务院办公厅、省政府办公厅关于政府网站和政府系统政务新媒体管理工作有关要求，2022年二季度，市政府办公室"
               "对全市政府网站和政府系统政务新媒体运行情况进行了检查。现将检查情况通报如下：")
    assert fill(COUNTY_INTRO, {"期次": "2022年二季度", "机关简称": "市政府办公室", "地区": "全市",
                               "检查对象": "政府网站和政府系统政务新媒体", "检查类型": "检查"}) == seed000
