import time
from datetime import date
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from services.checker.wordlists import CATEGORIES, Entry, Matcher, builtin_entries, builtin_whitelist, default_matcher

REAL = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "real"


def test_builtin_lists_cover_every_category_without_clashes():
    entries = builtin_entries()
    assert {e.category for e in entries} == set(CATEGORIES)
    words = [e.word for e in entries]
    assert len(words) == len(set(words))
    assert not set(words) & set(builtin_whitelist())
    names = {e.word: e for e in entries if e.obsolete_since}
    assert names["国家工商行政管理总局"].suggestion == "国家市场监督管理总局"
    assert names["国家卫生和计划生育委员会"].obsolete_since == date(2018, 3, 27)


def test_match_reports_word_category_suggestion_position_and_context():
    text = "前" * 40 + "台湾国" + "后" * 40
    [match] = default_matcher().find(text)
    assert (match.word, match.category, match.suggestion) == ("台湾国", "serious_error", "中国台湾")
    assert (match.start, match.end) == (40, 43) and text[match.start:match.end] == "台湾国"
    assert match.before == "前" * 30 and match.after == "后" * 30
    assert match.context == "前" * 30 + "台湾国" + "后" * 30


def test_context_is_clipped_at_text_edges_and_whitespace_collapsed():
    [match] = default_matcher().find("按装\n\n  设备")
    assert (match.before, match.after) == ("", "设备")


def test_whitelist_suppresses_only_what_it_covers():
    matcher = default_matcher()
    assert matcher.find("各级农业部门要加强指导") == []
    assert matcher.find("原农业部有关文件") == []
    [match] = matcher.find("农业部门和农业部")
    assert match.start == 5


def test_longest_leftmost_match_wins_on_overlap():
    matcher = Matcher([Entry("保险监督", "typo", "x"), Entry("中国保险监督管理委员会", "typo", "国家金融监督管理总局")])
    [match] = matcher.find("原是中国保险监督管理委员会的")
    assert match.word == "中国保险监督管理委员会"


def test_category_filter_and_ascii_case():
    matcher = default_matcher()
    assert [m.category for m in matcher.find("BET365 台湾国", ("sensitive_content",))] == ["sensitive_content"]
    assert matcher.find("Bet365")[0].word == "Bet365"


def test_extended_adds_organisation_entries_and_whitelist():
    base = default_matcher()
    org = base.extended([Entry("某某县人民正府", "typo", "某某县人民政府")], ["台湾国旗帜"])
    assert org.find("某某县人民正府")[0].suggestion == "某某县人民政府"
    assert org.find("台湾国旗帜") == [] and base.find("台湾国旗帜") != []
    assert len(org) == len(base) + 1


def test_empty_matcher_and_empty_text():
    assert Matcher([]).find("任何文本") == []
    assert default_matcher().find("") == []


def _real_texts() -> dict[str, str]:
    texts = {}
    for path in sorted((REAL / "govcn").glob("*.html")):
        tree = LexborHTMLParser(path.read_text(encoding="utf-8"))
        tree.strip_tags(["script", "style"])
        texts[path.name] = tree.body.text(separator="\n")
    return texts


def test_real_gov_pages_produce_no_serious_or_sensitive_matches():
    matcher = default_matcher()
    for name, text in _real_texts().items():
        assert len(text) > 500, name
        assert matcher.find(text, ("serious_error", "sensitive_content")) == [], name


def test_real_dark_link_rules_as_an_organisation_list_catch_spam():
    rules = (REAL / "wordlists" / "darklinkscaner_rules.txt").read_text(encoding="utf-8-sig").split("|")
    spam = [Entry(w, "sensitive_content", "暗链关键词") for w in rules if len(w) >= 3]
    matcher = default_matcher().extended(spam)
    found = {m.word for m in matcher.find("<a style='display:none'>澳门新濠天地 北京赛车 六合彩开奖</a>")}
    assert {"澳门新濠天地", "北京赛车", "六合彩开奖"} <= found


def test_built_once_then_fast():
    matcher = default_matcher()
    text = "\n".join(_real_texts().values()) * 5
    start = time.perf_counter()
    matcher.find(text)
    assert time.perf_counter() - start < 1.0   # a few MB/s at the very least; bench/wordlists.py measures
