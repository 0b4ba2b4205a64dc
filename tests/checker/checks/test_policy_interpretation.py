"""政策解读 detection and matching (checks/policy_interpretation.py) and 转载 matching (checks/repost_missing.py):
what makes a page a policy document or a 解读, look-alikes that are neither (a cited 文号, a phone number, a
date, a court case number, a statistics bulletin), the real gov.cn pages of the shared corpus, and the site
judgement's counts, findings and thresholds."""
from datetime import date

import pytest
from selectolax.lexbor import LexborHTMLParser

from services.checker.checks import policy_interpretation as pi
from services.checker.checks import repost_missing
from services.checker.crawl.parse import parse_page
from services.checker.indicators.model import RepostItem
from services.checker.model import Link, Page
from services.checker.monitor.models import PageKind
from services.checker.monitor.pipeline import read_facts
from services.checker.monitor.service import Recorded
from tests.checker.crawl.corpus import NOW, ORIGINS, corpus_page

URL = "http://127.0.0.1/art/1.html"


def facts_of(html: str, url: str = URL) -> tuple[str | None, dict | None]:
    page = Page(url=url, final_url=url, status=200, error=None, fetched_at=NOW, html=html)
    tree = parse_page(page, NOW)
    rec = Recorded(status=200, error=None, kind=PageKind.article, fetched_at=NOW)
    read_facts(page, tree or LexborHTMLParser(html), rec)
    return rec.title, rec.policy


def doc_html(title: str, body: str) -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}_测试县人民政府</title></head><body>'
            f'<div class="nav"><a href="/">首页</a><a href="/zcwj/">政策文件</a></div><h1>{title}</h1>{body}'
            '<div class="footer">联系电话：（0913）2123456</div></body></html>')


def test_a_document_is_known_by_its_own_number_on_a_line_or_labelled() -> None:
    title, facts = facts_of(doc_html("测试县人民政府关于印发农村人居环境整治实施方案的通知",
                                     "<p>测政发〔2024〕12号</p><p>各乡镇人民政府：现将方案印发给你们。</p>"))
    assert title == "测试县人民政府关于印发农村人居环境整治实施方案的通知"
    assert facts == {"role": "doc", "no": "测政发〔2024〕12号", "forms": [], "interp_urls": []}
    # 信息公开 metadata table: labelled, with [] brackets and spaces, under any title.
    _, facts = facts_of(doc_html("关于做好秋冬季防火工作", "<table><tr><td>发文字号：</td><td>测政办发 [2023] 第 7 号"
                                 "</td></tr></table><p>正文。</p>"))
    assert facts["no"] == "测政办发〔2023〕7号"


@pytest.mark.parametrize("title,body", [
    # a 文号 cited in running text is another document's
    ("测试县召开农村人居环境整治推进会", "<p>会议要求，根据《测试县人民政府关于印发农村人居环境整治实施方案的通知》"
                                "（测政发〔2024〕12号）精神，抓好落实。</p>"),
    # phone numbers, dates, a court case number and a 12345 hotline look like numbers, not 文号
    ("关于调整办公地点的通知", "<p>咨询电话：(0913)2123456，2024年12月12号起在新址办公。</p>"
                          "<p>（2024）陕0502民初12号</p><p>服务热线12345号</p>"),
    # a cited 文号 on its own line under a news title is not the page's
    ("全县安全生产工作会议召开", "<p>会议传达了以下文件：</p><p>测政发〔2024〕12号</p>"),
])
def test_numbers_that_are_not_the_pages_own_make_no_document(title: str, body: str) -> None:
    assert facts_of(doc_html(title, body))[1] is None


def test_interpretations_name_their_document_and_form() -> None:
    _, facts = facts_of(doc_html("一图读懂《测试县人民政府关于印发农村人居环境整治实施方案的通知》", "<img src='/a.png'>"))
    assert facts == {"role": "interp", "form": "图解",
                     "names": [pi.normalise("测试县人民政府关于印发农村人居环境整治实施方案的通知")], "nos": []}
    _, facts = facts_of(doc_html("《关于做好秋冬季防火工作的通知》政策解读", "<p>测政办发〔2023〕7号文件出台背景……</p>"))
    assert facts["form"] == "文字" and facts["nos"] == ["测政办发〔2023〕7号"]
    assert facts_of(doc_html("县应急局负责人就防火工作答记者问", "<p>问：……</p>"))[1]["form"] == "问答"
    assert facts_of(doc_html("《防火工作实施办法》政策问答", "<p>问：……</p>"))[1]["form"] == "问答"
    assert facts_of(doc_html("智能问答", "<p>请输入问题</p>"))[1] is None
    assert facts_of(doc_html("视频解读：防火工作怎么做", "<video src='/v.mp4'></video>"))[1]["form"] == "视频"
    # a column named 政策解读 is not an interpretation
    assert not pi.is_interpretation_title("政策解读")


def test_a_document_linking_to_its_interpretation() -> None:
    _, facts = facts_of(doc_html("测试县人民政府关于印发农村人居环境整治实施方案的通知",
                                 "<p>测政发〔2024〕12号</p><p>相关解读：<a href='/jd/1.html'>图文解读：《测试县人民政府关于印发农村"
                                 "人居环境整治实施方案的通知》</a></p>"))
    assert facts["forms"] == ["图解"] and facts["interp_urls"] == ["http://127.0.0.1/jd/1.html"]


def test_real_gov_pages_hold_no_policy_document_and_the_bulletin_links_its_graphic() -> None:
    """The six real pages are news and statistics bulletins (公报 carry no 文号): none is a policy document or a
    解读; 万载县's 2022 bulletin links its 图文解读 and 江西省's its 解读, each naming the bulletin's own title; the
    “智能问答” service in 北京市教委's nav is no 解读."""
    seen = {}
    for name in ORIGINS:
        page = corpus_page(name)
        tree = LexborHTMLParser(page.html or "")
        rec = Recorded(status=200, error=None, kind=PageKind.article, fetched_at=NOW)
        read_facts(page, tree, rec)
        seen[name] = (rec.title, rec.policy, pi.interpretation_links(page.links))
    assert all(policy is None for _, policy, _ in seen.values()), seen
    assert all(title for title, _, _ in seen.values())
    title, _, links = seen["wanzai_2022_tjgb.html"]
    assert "万载县2022年国民经济和社会发展统计公报" in title
    assert [(x["form"], x["names"]) for x in links] == [("图解", pi.normalise("万载县2022年国民经济和社会发展统计公报"))]
    title, _, links = seen["jiangxi_2022_tjgb_yichun.html"]
    assert [(x["form"], x["names"]) for x in links] == [("文字", pi.normalise("江西省2022年国民经济和社会发展统计公报"))]
    assert pi.normalise("江西省2022年国民经济和社会发展统计公报") in pi.normalise(title)
    assert all(not links for name, (_, _, links) in seen.items()
               if name not in ("wanzai_2022_tjgb.html", "jiangxi_2022_tjgb_yichun.html"))


def _stored(i: int, title: str, facts: dict, published: date, kind: str = "article") -> pi.StoredPage:
    return pi.StoredPage(id=i, url=f"http://s/{i}.html", kind=kind, title=title, published=published, facts=facts)


def test_site_judgement_counts_matches_and_findings() -> None:
    today = date(2024, 6, 30)
    old, recent = date(2024, 3, 1), date(2024, 6, 20)
    a, b, c, d, e = ("测试县关于印发甲方案的通知", "测试县关于印发乙办法的通知", "测试县关于丙工作的意见",
                     "测试县关于丁工作的通知", "测试县关于戊工作的决定")
    doc = lambda no, forms=(): {"role": "doc", "no": no, "forms": list(forms), "interp_urls": []}  # noqa: E731
    pages = [
        _stored(1, a, doc("测政发〔2024〕1号"), old),                  # 解读 links to it (graph)
        _stored(2, b, doc("测政发〔2024〕2号"), old),                  # 解读 quotes its title only
        _stored(3, c, doc("测政发〔2024〕3号"), old),                  # 解读 names its 文号 only
        _stored(4, d, doc("测政发〔2024〕4号"), old),                  # none, old: finding
        _stored(5, e, doc("测政发〔2024〕5号"), recent),               # none, recent: no finding yet
        _stored(6, d, doc("测政发〔2024〕4号"), old, "attachment"),    # the same document's file: counted once
        _stored(10, "解读", {"role": "interp", "form": "文字", "names": [], "nos": []}, old),
        _stored(11, "一图读懂", {"role": "interp", "form": "图解", "names": [pi.normalise(b)], "nos": []}, old),
        _stored(12, "答记者问", {"role": "interp", "form": "问答", "names": [], "nos": ["测政发〔2024〕3号"]}, old),
    ]
    summary, findings = pi.judge(pages, [(10, 1)], today, "http://s/", age_days=30, min_share=0.8, min_forms=2)
    assert summary.as_dict() == {"documents": 5, "with_interpretation": 3, "share": 0.6, "overdue": 1,
                                 "interpretations": 3, "forms": ["文字", "图解", "问答"]}
    reasons = sorted((f.data["reason"], f.data["target"]) for f in findings)
    assert reasons == [("missing", "http://s/4.html"), ("share", "share")]
    missing = next(f for f in findings if f.data["reason"] == "missing")
    assert "测政发〔2024〕4号" in missing.message and "30天" in missing.message
    # Looser thresholds: no share finding; one form only is a finding.
    summary, findings = pi.judge(pages[:2] + pages[6:8], [(10, 1)], today, "http://s/", min_share=0.5, min_forms=3)
    assert [f.data["reason"] for f in findings] == ["forms"]


def test_reposts_match_titles_without_punctuation_and_wait_their_days() -> None:
    items = [RepostItem(title="国务院关于印发《新污染物治理行动方案》的通知", source="中国政府网", issued=date(2024, 6, 1), days=7),
             RepostItem(title="国务院办公厅关于优化营商环境的意见", source="中国政府网", issued=date(2024, 6, 1)),
             RepostItem(title="陕西省人民政府关于进一步做好稳就业工作的通知", source="陕西省人民政府", issued=date(2024, 6, 28)),
             RepostItem(title="国务院关于未来事项的通知", source="中国政府网", issued=date(2024, 7, 30))]
    titles = ["国务院关于印发新污染物治理行动方案的通知 _ 测试县人民政府", "国务院办公厅关于优化营商环境的工作动态"]
    summary, findings = repost_missing.judge(items, titles, date(2024, 6, 30), "http://s/", days=10)
    assert summary.as_dict() == {"required": 3, "found": 1, "pending": 1,
                                 "missing": ["国务院办公厅关于优化营商环境的意见"]}
    assert len(findings) == 1 and "中国政府网" in findings[0].message and "10天" in findings[0].message
    assert repost_missing.reposted("国务院关于印发《新污染物治理行动方案》的通知", titles) == titles[0]
    assert repost_missing.reposted("通知", titles) is None


def test_an_interpretation_quoting_the_plan_a_notice_issues_matches_the_notice() -> None:
    """解读 usually quote the plan (《…实施方案》) that the notice (关于印发《…实施方案》的通知) issues; a quoted title
    shorter than MIN_TITLE or naming another plan matches nothing."""
    today = date(2024, 6, 30)
    notice = _stored(1, "测试县人民政府关于印发《农村人居环境整治实施方案》的通知",
                     {"role": "doc", "no": "测政发〔2024〕1号", "forms": [], "interp_urls": []}, date(2024, 1, 1))
    other = _stored(2, "测试县人民政府关于印发《森林防火工作方案》的通知",
                    {"role": "doc", "no": "测政发〔2024〕2号", "forms": [], "interp_urls": []}, date(2024, 1, 1))
    interp = _stored(3, "《农村人居环境整治实施方案》解读",
                     {"role": "interp", "form": "文字", "names": [pi.normalise("农村人居环境整治实施方案")], "nos": []},
                     date(2024, 1, 2))
    short = _stored(4, "《方案》解读", {"role": "interp", "form": "文字", "names": [pi.normalise("方案")], "nos": []},
                    date(2024, 1, 2))
    summary, findings = pi.judge([notice, other, interp, short], [], today, "http://s/", min_share=0.5, min_forms=1)
    assert (summary.documents, summary.with_interpretation, summary.overdue) == (2, 1, 1)
    assert [f.data["target"] for f in findings] == ["http://s/2.html"]
