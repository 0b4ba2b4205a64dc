"""secrecy_marking: 密级 marks where documents carry them (an attachment's 版头, a reproduced 公文's head), never
in text that talks about secrecy; a veto under 19号. Also through the monitor: a marked attachment of a
loopback site becomes a veto problem in the ledger."""
import asyncio
import json
from dataclasses import asdict

import pytest
from sqlmodel import Session

from services.checker.checks import secrecy_marking
from services.checker.checks.html import page_text
from services.checker.crawl.attachments import extract_text
from services.checker.indicators import evaluate, resolve
from services.checker.model import Page
from tests.checker.checks.snap import CTX, HOME, NOW, REAL, make_page, make_snapshot, real_page
from tests.fixtures.farm.attachments import make_attachment

DOCUMENT = ("000123\n{mark}\n特急\n渭南市人民政府办公室文件\n渭政办发〔2024〕12号\n"
            "关于做好2024年防汛工作的通知\n各县（市、区）人民政府，市政府各工作部门：\n现将有关事项通知如下。\n")
NEWS = """首页
新闻动态
内部资料
市保密局开展保密宣传教育月活动
发布时间：2024-02-19　来源：市保密局
为增强全市干部保密意识，市保密局开展保密宣传教育月活动，强调要保守国家秘密，加强涉密人员管理，
任何人不得泄露国家秘密。
对标有
“秘密★”
“机密★”
的文件资料，要严格按照规定管理，内部资料注意保存。
密级标注应为“绝密★长期”等形式。"""
QUIZ = "首页\n保密知识\n保密知识问答\n国家秘密的密级分为：\n绝密★\n机密★\n秘密★\n三个等级。"


def attachment_page(kind: str, text: str, url: str = f"{HOME}files/a") -> Page:
    """An attachment as the monitor reads it: the file's extracted text on a page without HTML."""
    extracted = extract_text(make_attachment(kind, text))
    assert extracted.scannable
    return Page(url=f"{url}.{kind}", final_url=f"{url}.{kind}", status=200, error=None, fetched_at=NOW,
                html="", text=extracted.text)


def findings_of(page: Page) -> list:
    return secrecy_marking.check(make_snapshot(make_page(html="<html><body>首页</body></html>"), pages=[page]), CTX)


@pytest.mark.parametrize("kind", ["pdf", "docx", "doc", "xlsx"])
def test_attachment_marked_at_the_top_is_a_veto(kind: str) -> None:
    page = attachment_page(kind, DOCUMENT.format(mark="秘密★1年"))
    [finding] = findings_of(page)
    assert finding.indicator == "secrecy_marking"
    assert finding.message == "存在涉密标识信息：附件版头标有“秘密★1年”"
    assert finding.evidence[0].url == page.url and "秘密★1年" in finding.evidence[0].excerpt
    assert finding.data["marks"][0]["where"] == "attachment_head" and finding.data["attachment"] is True
    verdict, _, [rated] = evaluate([finding], resolve("gov-2019"))
    assert verdict == "fail" and rated.severity == "veto"


@pytest.mark.parametrize("mark, shown", [
    ("机密★5年", "机密★5年"), ("绝密★长期", "绝密★长期"), ("秘密 ★ 6个月", "秘密★6个月"), ("机密", "机密"),
    ("内部资料 注意保存", "内部资料注意保存"), ("内部资料，请勿外传", "内部资料，请勿外传"), ("内部文件", "内部文件"),
    ("不宜公开", "不宜公开"),
])
def test_head_marks_of_attachments(mark: str, shown: str) -> None:
    for kind in ("pdf", "docx"):
        [finding] = findings_of(attachment_page(kind, DOCUMENT.format(mark=mark)))
        assert f"“{shown}”" in finding.message, (kind, finding.message)


def test_marked_list_shows_no_personal_number_in_its_evidence() -> None:
    ids = ["610502199001011233", "610525198512310024"]   # valid check digits
    page = attachment_page("docx", f"内部资料 注意保存\n困难群众花名册\n1\t张三\t{ids[0]}\n2\t李四\t{ids[1]}")
    [finding] = findings_of(page)
    dumped = json.dumps(asdict(finding), ensure_ascii=False)
    assert "610502********1233" in dumped and all(n not in dumped and n[:10] not in dumped for n in ids)


def test_html_page_reproducing_a_marked_document() -> None:
    # The mark split over inline elements, below the article title, as a CMS renders a pasted 公文.
    html = ("<html><head><title>关于做好2024年防汛工作的通知_渭南市人民政府</title></head><body>"
            "<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
            "<h1>关于做好2024年防汛工作的通知</h1><p>发布时间：2024-02-19</p>"
            "<p>机密<span>★</span>1年</p><p>渭南市人民政府办公室</p><p>渭政办发〔2024〕12号</p>"
            "<p>各县（市、区）人民政府：现将有关事项通知如下。</p></body></html>")
    page = make_page(f"{HOME}zwgk/a.html", html, title="关于做好2024年防汛工作的通知_渭南市人民政府")
    [finding] = findings_of(page)
    assert finding.message == "存在涉密标识信息：页面标有“机密★1年”"
    assert finding.evidence[0].snapshot == page.snapshot_key
    # A bare level above the title counts when the 版头's 文号 stands between (a pasted document's head).
    bare = make_page(f"{HOME}zwgk/b.html", text="首页\n政务公开\n秘密\n渭南市人民政府办公室文件\n"
                     "渭政办发〔2024〕13号\n关于做好安全生产工作的通知\n正文。", title="关于做好安全生产工作的通知")
    [finding] = findings_of(bare)
    assert finding.data["marks"][0]["mark"] == "秘密" and finding.data["marks"][0]["where"] == "page_head"


def test_text_about_secrecy_is_not_a_marking() -> None:
    news = make_page(f"{HOME}news/1.html", text=NEWS, title="市保密局开展保密宣传教育月活动_渭南市人民政府")
    quiz = make_page(f"{HOME}news/2.html", text=QUIZ, title="保密知识问答")
    nav = make_page(f"{HOME}news/3.html", text="首页\n内部资料\n机密\n关于表彰先进集体的通知\n正文。",
                    title="关于表彰先进集体的通知")
    # An emphasised mark in a sentence becomes a line of its own in the visible text; still a sentence.
    emphasis = make_page(f"{HOME}news/4.html", (
        "<html><body><div>首页</div><h1>市保密局开展涉密载体清查</h1><p>凡印有<b>机密★</b>字样的，一律不得上网，"
        "由专人保管。</p></body></html>"), title="市保密局开展涉密载体清查")
    assert findings_of(news) == [] and findings_of(quiz) == [] and findings_of(nav) == []
    assert findings_of(emphasis) == []
    for kind in ("pdf", "docx"):
        for text in ("国家秘密定密管理暂行规定\n第一条 为了规范国家秘密的确定工作，制定本规定。",
                     "关于印发《内部资料管理办法》的通知\n各单位：现将办法印发给你们。",
                     "内部文件管理制度\n第一条 为规范本单位文件管理。",
                     "关于开展保密检查的通知\n请各单位对照“秘密★”“机密★”标志逐件清查。",
                     NEWS.replace("\n", ""),
                     "保密事项一览表\n序号\t事项\t密级\t保密期限\n1\t某类统计数据汇总\t秘密\t10年"):
            assert findings_of(attachment_page(kind, text)) == [], (kind, text[:20])


def test_scan_takes_one_texts_and_url() -> None:
    """The page-level entry: text and URL of one page or attachment, no snapshot needed."""
    url = f"{HOME}files/x.pdf"
    [finding] = secrecy_marking.scan("绝密★\n渭南市文件\n正文", url, CTX, attachment=True, observed_at=NOW)
    assert finding.evidence[0].url == url and finding.evidence[0].observed_at == NOW.isoformat()
    assert secrecy_marking.scan("保守国家秘密，人人有责。", url, CTX, attachment=True) == []


def test_real_pages_have_no_marking() -> None:
    if not REAL.is_dir():
        pytest.skip("shared corpus of real pages absent")
    names = sorted(p.name for p in REAL.glob("*.html"))
    assert names
    for name in names:
        page = real_page(name, f"{HOME}{name}")
        assert secrecy_marking.check(make_snapshot(page), CTX) == [], name
        # The same text read as a file (head window, no line rule) is clean too.
        assert secrecy_marking.scan(page_text(page), page.url, CTX, attachment=True) == [], name


def test_monitor_reports_a_marked_attachment_as_a_veto_problem() -> None:
    from services.checker.monitor import ledger
    from services.common.db import get_engine
    from tests.checker.monitor.site import Site
    from tests.checker.monitor.test_monitor import cycle, register, rel, settings

    site = Site("127.0.9.41", lists=1, per_list=2)
    site.files["/files/marked.pdf"] = ("application/pdf", make_attachment("pdf", DOCUMENT.format(mark="秘密★1年")))
    site.files["/files/notice.docx"] = ("application/octet-stream",
                                        make_attachment("docx", NEWS.replace("内部资料\n", "")))
    site.start()
    try:
        site_id = 881401
        register(site_id, site)
        asyncio.run(cycle(site_id, settings()))
        with Session(get_engine()) as session:
            problems = [p for p in ledger.open_problems(session, site_id) if p.indicator == "secrecy_marking"]
        assert [rel(site, p.url) for p in problems] == ["/files/marked.pdf"]
        [problem] = problems
        assert problem.severity == "veto" and problem.message == "存在涉密标识信息：附件版头标有“秘密★1年”"
        assert "秘密★1年" in json.dumps(problem.evidence, ensure_ascii=False)
    finally:
        site.stop()
