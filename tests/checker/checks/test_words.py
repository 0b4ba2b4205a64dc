from datetime import date

from services.checker.checks import CheckContext, sensitive_content, serious_error, typo
from services.checker.indicators import resolve
from services.checker.wordlists import Entry, default_matcher
from tests.checker.checks.snap import CTX, HOME, NOW, link, make_page, make_snapshot, real_page


def test_serious_error_with_context_and_evidence():
    page = make_page(f"{HOME}a.html", text="本报讯 我县深入学习中国特色社会主意思想，推动发展。")
    [finding] = serious_error.check(make_snapshot(pages=[page]), CTX)
    assert finding.message == "存在严重表述错误：“中国特色社会主意”应为“中国特色社会主义”"
    assert finding.evidence[0].url == page.url and "深入学习中国特色社会主意思想" in finding.evidence[0].excerpt
    assert finding.evidence[0].snapshot == page.snapshot_key
    assert finding.data["matches"][0]["position"] > 0


def test_template_repetition_counts_once():
    text = "主办：某县人民政府 国土资源局 承办：信息中心"
    pages = [make_page(f"{HOME}{i}.html", text=text) for i in range(5)]
    findings = typo.check(make_snapshot(make_page(text=text), pages=pages), CTX)
    assert len(findings) == 1 and findings[0].count == 1
    assert findings[0].message == "使用已变更的机构名称：“国土资源局”应为“自然资源局”"


def test_outdated_name_is_fine_in_text_dated_before_the_reform():
    old = make_page(f"{HOME}2016.html", text="经国家工商行政管理总局批准", page_date=date(2016, 5, 1))
    new = make_page(f"{HOME}2023.html", text="经国家工商行政管理总局批准", page_date=date(2023, 5, 1))
    assert typo.check(make_snapshot(pages=[old]), CTX) == []
    assert len(typo.check(make_snapshot(pages=[new]), CTX)) == 1


def test_typos_several_in_one_page_and_whitelist():
    page = make_page(f"{HOME}t.html", text="请按装修标准按装设备，各级农业部门再接再励。")
    [finding] = typo.check(make_snapshot(pages=[page]), CTX)
    assert finding.count == 2
    assert finding.message == "存在错别字：“按装”应为“安装”；存在错别字：“再接再励”应为“再接再厉”"


def test_sensitive_text_and_visible_link_address():
    page = make_page(f"{HOME}s.html", text="友情链接 皇冠体育 最新开奖",
                     links=[link("http://xvideos.example.com/", "视频")])
    findings = sensitive_content.check(make_snapshot(pages=[page]), CTX)
    assert [f.message for f in findings] == [
        "存在违法违规信息：“皇冠体育”（赌博）",
        "存在违法违规链接：http://xvideos.example.com/（涉及“xvideos”）",
    ]


def test_crackdown_news_is_not_sensitive():
    page = make_page(f"{HOME}n.html", text="我县开展扫黄打非专项行动，严厉打击网络赌博和色情信息传播。")
    assert sensitive_content.check(make_snapshot(pages=[page]), CTX) == []


def test_text_is_taken_from_html_when_the_crawler_left_none():
    page = make_page(f"{HOME}h.html", "<html><body><p>台湾国</p><script>var x='台湾国';</script></body></html>")
    [finding] = serious_error.check(make_snapshot(pages=[page]), CTX)
    assert finding.count == 1


def test_organisation_additions_reach_the_checks():
    matcher = default_matcher().extended([Entry("某县人民正府", "typo", "某县人民政府")])
    ctx = CheckContext.for_set(resolve("gov-2019"), NOW, matcher)
    page = make_page(f"{HOME}o.html", text="某县人民正府办公室")
    assert len(typo.check(make_snapshot(pages=[page]), ctx)) == 1


def test_real_gov_pages_have_no_serious_or_sensitive_findings():
    for name in ["wanzai_2015_tjgb.html", "wanzai_2022_tjgb.html", "yichun_2022_tjgb.html",
                 "jiangxi_2022_tjgb_yichun.html", "jiangsu_gov_article_clone.html", "jw_beijing_article_clone.html"]:
        snap = make_snapshot(pages=[real_page(name, f"{HOME}{name}")])
        assert serious_error.check(snap, CTX) == [], name
        assert sensitive_content.check(snap, CTX) == [], name


def test_a_page_without_any_word_is_scanned_once_for_the_three_checks(monkeypatch):
    matcher = default_matcher().extended([])
    scans = []
    find = matcher.find
    monkeypatch.setattr(matcher, "find", lambda text, categories=None: scans.append(categories) or find(text, categories))
    ctx = CheckContext.for_set(resolve("gov-2019"), NOW, matcher)
    clean = make_page(f"{HOME}c.html", text="本县召开安全生产工作会议。")
    dirty = make_page(f"{HOME}d.html", text="请按装修标准按装设备。")
    snapshot = make_snapshot(make_page(text="首页"), pages=[clean, dirty])
    assert serious_error.check(snapshot, ctx) == [] and sensitive_content.check(snapshot, ctx) == []
    assert [f.evidence[0].url for f in typo.check(snapshot, ctx)] == [dirty.url]
    # The homepage and the clean page once each; the dirty page for every category, then for the check's own.
    assert scans == [None, None, None, ("serious_error",), None, ("sensitive_content",), None, ("typo",)]
    # Its words are found again when its text changes, and by another word list.
    clean.text = "各级部门再接再励。"
    assert len(typo.check(snapshot, ctx)) == 2
    other = default_matcher().extended([Entry("安全生产工作", "typo", "安全生产")])
    clean.text = "本县召开安全生产工作会议。"
    [finding] = typo.check(make_snapshot(pages=[clean]), CheckContext.for_set(resolve("gov-2019"), NOW, other))
    assert finding.data["matches"][0]["word"] == "安全生产工作"
