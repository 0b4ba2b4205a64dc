"""The daachorse path finds exactly what the previous pyahocorasick path found (tests/.../reference.py):
same words, entries, offsets, context, whitelist suppression and obsolete_since, on the real corpus."""
import random
from datetime import date
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from services.checker.wordlists import CATEGORIES, Entry, Matcher, builtin_entries, builtin_whitelist
from tests.checker.wordlists.reference import ReferenceMatcher

REAL = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "real"


def _pages() -> dict[str, str]:
    """Each real page twice: its visible text, and its raw HTML (mixed-case ASCII, markup, URLs)."""
    out = {}
    for path in sorted((REAL / "govcn").glob("*.html")):
        html = path.read_text(encoding="utf-8")
        tree = LexborHTMLParser(html)
        tree.strip_tags(["script", "style"])
        out[f"{path.name}:text"] = tree.body.text(separator="\n")
        out[f"{path.name}:html"] = html
    return out


def _real_lists() -> list[Entry]:
    porn = (REAL / "wordlists" / "konsheng_porn_words.txt").read_text(encoding="utf-8").splitlines()
    rules = (REAL / "wordlists" / "darklinkscaner_rules.txt").read_text(encoding="utf-8-sig").split("|")
    return [Entry(w.strip(), "sensitive_content", "不良信息") for w in porn + rules if w.strip()]


def _from_pages(texts: list[str], seed: int) -> tuple[list[Entry], list[str]]:
    """Entries cut from the pages themselves (so the real text is full of matches, overlapping and nested,
    some in upper case, some outdated) and whitelist phrases that cover some of them and not others."""
    rng = random.Random(seed)
    entries: list[Entry] = []
    whitelist: list[str] = []
    for i in range(3000):
        text = rng.choice(texts)
        at = rng.randrange(len(text) - 20)
        word = text[at:at + rng.randint(2, 7)].strip()
        if not any("\u4e00" <= c <= "\u9fff" for c in word):   # markup alone would match everywhere
            continue
        since = date(2018, 3, 27) if i % 7 == 0 else None
        entries.append(Entry(word.upper() if i % 11 == 0 else word, CATEGORIES[i % 3], f"建议{i}", since))
        if i % 5 == 0:   # a phrase around the word (covers it) or overlapping it (does not)
            lo, hi = (at - rng.randint(0, 2), at + len(word) + rng.randint(0, 2)) if i % 10 else (at + 1, at + 9)
            whitelist.append(text[max(0, lo):hi])
    return entries, whitelist


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return _pages()


@pytest.mark.parametrize("seed", [1, 2])
def test_same_matches_as_the_previous_matcher_on_the_real_corpus(pages, seed):
    cut, cut_whitelist = _from_pages(list(pages.values()), seed)
    entries = [*builtin_entries(), *_real_lists(), *cut]
    whitelist = [*builtin_whitelist(), *cut_whitelist]
    new, old, bare = Matcher(entries, whitelist), ReferenceMatcher(entries, whitelist), Matcher(entries)
    total = suppressed = 0
    for name, text in pages.items():
        for categories in (None, ("typo",), ("serious_error", "sensitive_content")):
            found = new.find(text, categories)
            assert found == old.find(text, categories), (name, categories)
            total += len(found)
        suppressed += len(bare.find(text)) - len(new.find(text))
    assert total > 2000 and suppressed > 20   # the comparison saw plenty of matches and whitelist work
    assert any(m.entry.obsolete_since for t in pages.values() for m in new.find(t))


def test_same_matches_with_listed_words_planted_through_the_real_pages(pages):
    """The dirty case of bench/wordlists.py: a built-in or real-list word every ~1,000 characters,
    some next to whitelist phrases, some across line breaks (context is squashed)."""
    words = [e.word for e in (*builtin_entries(), *_real_lists())] + list(builtin_whitelist())
    text = "\n".join(pages.values())
    dirty = "".join(text[i:i + 1000] + words[(i // 1000) % len(words)] for i in range(0, len(text), 1000))
    entries = [*builtin_entries(), *_real_lists()]
    new, old = Matcher(entries, builtin_whitelist()), ReferenceMatcher(entries, builtin_whitelist())
    found = new.find(dirty)
    assert found == old.find(dirty)
    assert len(found) > 500 and any("\n" in dirty[m.start - 30:m.end + 30] for m in found)


def test_same_matches_for_case_folding_edge_text():
    """Text whose lower() changes length ("İ") falls back to ASCII folding in both; others fold fully."""
    entries = [Entry("bet365", "sensitive_content"), Entry("ⅱ类", "typo", "Ⅱ类"), Entry("台湾国", "serious_error")]
    new, old = Matcher(entries), ReferenceMatcher(entries)
    for text in ("BET365 Ⅱ类 台湾国", "İstanbul BET365 Ⅱ类 台湾国", "😀台湾国😀bet365", "ⅱ类ⅱ类ⅱ类"):
        assert new.find(text) == old.find(text), text
    assert [m.word for m in new.find("İ BET365 Ⅱ类")] == ["BET365"]   # Ⅱ is not ASCII: not folded here
