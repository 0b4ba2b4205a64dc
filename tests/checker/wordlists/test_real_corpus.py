"""The shipped lists against every real page of the shared corpus: nothing reported there.

The pages are parsed as the crawler parses them (title, visible text, page date) and go through the three
word checks; the raw HTML (attributes, scripts, comments) is scanned too. Read from ../shared, never copied.
"""
from pathlib import Path

import pytest

from services.checker.checks import sensitive_content, serious_error, typo
from services.checker.crawl.parse import parse_page
from services.checker.wordlists import builtin_entries, default_matcher
from services.checker.wordlists.dating import still_right
from tests.checker.checks.snap import CTX, HOME, NOW, make_page, make_snapshot

REAL = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "real"
PAGES = sorted((REAL / "govcn").glob("*.html"))


def test_the_corpus_is_there():
    assert len(PAGES) >= 6


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_word_checks_report_nothing_on_a_real_page(path: Path):
    page = make_page(f"{HOME}{path.stem}.html", path.read_text(encoding="utf-8"))
    parse_page(page, NOW)
    assert len(page.text) > 500 and page.page_date is not None
    snapshot = make_snapshot(pages=[page])
    for check in (serious_error, sensitive_content, typo):
        assert check.check(snapshot, CTX) == [], (path.name, check.CODE)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_raw_html_has_no_serious_or_sensitive_match(path: Path):
    html = path.read_text(encoding="utf-8")
    assert default_matcher().find(html, ("serious_error", "sensitive_content")) == [], path.name
    # In the raw HTML only outdated names may match (the visible-text test above judges them by date).
    assert all(m.entry.obsolete_since for m in default_matcher().find(html, ("typo",))), path.name


def test_outdated_names_on_real_pages_are_right_for_their_dates():
    """The corpus holds real outdated names (江西银保监局 in a 2023-05 bulletin, 省环保厅 in the 2015
    bulletin a new CMS re-published in 2022): found by the matcher, right for the text's own date."""
    seen = {}
    for path in PAGES:
        page = make_page(f"{HOME}{path.stem}.html", path.read_text(encoding="utf-8"))
        parse_page(page, NOW)
        for match in default_matcher().find(f"{page.title}\n{page.text}", ("typo",)):
            seen[match.word] = still_right(match.entry.obsolete_since, page.page_date, page.title)
    assert {"银保监局", "环保厅", "银保监分局"} <= set(seen)
    assert all(seen.values())


def test_public_dark_link_keywords_caught_where_specific_and_ordinary_words_left_alone():
    """lsc183754539/DarkLinkScaner's keywords (not shipped: no licence) advertised as spam: the shipped
    list finds the gambling and porn names among them, and leaves alone the ordinary words the scanner
    only uses as hints inside hidden links (a sports page or the legal lottery is no violation)."""
    rules = (REAL / "wordlists" / "darklinkscaner_rules.txt").read_text(encoding="utf-8-sig").split("|")
    specific = [w.strip() for w in rules if len(w.strip()) >= 3 and not w.strip().isascii()]
    found = {w for w in specific if default_matcher().find(f"{w}开户网址", ("sensitive_content",))}
    assert len(specific) > 60 and len(found) / len(specific) > 0.4   # the rest are ordinary words
    assert {"澳门新濠天地", "北京赛车", "皇冠足球", "分分彩", "三级片", "黄色视频"} <= found
    for ordinary in ("足球赛事", "大乐透", "欧洲杯", "初始密码", "同城交友", "人体艺术"):
        assert default_matcher().find(f"本站发布{ordinary}相关信息") == [], ordinary


def test_public_porn_lexicon_is_caught_where_shipped():
    """konsheng's 色情词库 (MIT; a copy sits in the shared corpus): every shipped entry taken from it is
    found in text, and whatever was left out was left out on purpose (short, non-Chinese or reviewed)."""
    lexicon = {w.strip() for w in (REAL / "wordlists" / "konsheng_porn_words.txt").read_text(
        encoding="utf-8-sig").splitlines() if w.strip()}
    shipped = {e.word for e in builtin_entries() if e.group == "色情"}
    taken = lexicon & shipped
    assert len(taken) > 100
    for word in sorted(taken)[:50]:
        assert default_matcher().find(f"前文{word}后文", ("sensitive_content",))[0].group == "色情"


def test_real_notices_have_no_match():
    """The real inspection notices in ../shared/seeds (80 KB of government prose about the same errors and
    content this list names): nothing of any category is found in them."""
    seeds = sorted((REAL.parents[1] / "seeds").glob("*.txt"))
    assert len(seeds) >= 5
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        assert len(text) > 2000 and default_matcher().find(text) == [], path.name
