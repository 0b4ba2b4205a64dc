"""Aho-Corasick matching of word-list entries, with whitelist suppression and context."""
from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

import ahocorasick

Category = Literal["serious_error", "sensitive_content", "typo"]
CATEGORIES: tuple[str, ...] = get_args(Category)
CONTEXT_CHARS = 30

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _fold(text: str) -> str:
    """Case-folded text with the same character offsets as the original. str.lower() is fast, but a few
    characters (e.g. "İ") lower to two; such text falls back to ASCII-only folding."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


def _key(text: str) -> str:
    """The automaton walks UTF-8 bytes (as latin-1 characters), not code points: pyahocorasick looks a
    node's children up linearly, and a list of thousands of CJK words gives the root thousands of
    children but only a handful of distinct leading bytes. Measured about ten times faster."""
    return _fold(text).encode("utf-8").decode("latin-1")


@dataclass(frozen=True)
class Entry:
    word: str
    category: Category
    suggestion: str | None = None
    # For outdated names of reorganised bodies: text dated before this day used the name rightly.
    obsolete_since: date | None = None


@dataclass(frozen=True)
class Match:
    word: str            # as written in the text
    entry: Entry
    start: int           # offsets in the text, end exclusive
    end: int
    before: str          # up to CONTEXT_CHARS characters each side, whitespace collapsed
    after: str

    @property
    def category(self) -> str:
        return self.entry.category

    @property
    def suggestion(self) -> str | None:
        return self.entry.suggestion

    @property
    def context(self) -> str:
        return f"{self.before}{self.word}{self.after}"


def _squash(text: str) -> str:
    return " ".join(text.split())


class Matcher:
    """Built once from entries and whitelist phrases; `find` is then safe to call from any thread.

    A whitelist phrase suppresses every match it covers (e.g. "农业部门" covers "农业部"). Overlapping
    matches keep the leftmost, then the longest.
    """

    def __init__(self, entries: Iterable[Entry], whitelist: Iterable[str] = ()):
        self._entries: dict[str, Entry] = {_key(e.word): e for e in entries if e.word}
        self._whitelist: tuple[str, ...] = tuple(dict.fromkeys(w for w in whitelist if w))
        self._automaton = ahocorasick.Automaton()
        for key, entry in self._entries.items():
            self._automaton.add_word(key, (len(key), entry))
        for key in map(_key, self._whitelist):
            self._automaton.add_word(key, (len(key), None))  # a whitelisted word is never reported
        if len(self._automaton):
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._entries)

    def extended(self, entries: Iterable[Entry] = (), whitelist: Iterable[str] = ()) -> "Matcher":
        """This matcher plus an organisation's own entries and whitelist (its entries win on clashes)."""
        return Matcher([*self._entries.values(), *entries], [*self._whitelist, *whitelist])

    def find(self, text: str, categories: Collection[str] | None = None) -> list[Match]:
        if not text or self._automaton.kind != ahocorasick.AHOCORASICK:
            return []
        key = _key(text)
        hits: list[tuple[int, int, Entry]] = []      # byte offsets in the UTF-8 key
        allowed: list[tuple[int, int]] = []
        for last, (length, entry) in self._automaton.iter(key):
            start, end = last - length + 1, last + 1
            if entry is None:
                allowed.append((start, end))
            elif categories is None or entry.category in categories:
                hits.append((start, end, entry))
        if not hits:
            return []
        if allowed:
            hits = _uncovered(hits, allowed)
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        kept = []
        taken_until = -1
        for hit in hits:
            if hit[0] >= taken_until:
                kept.append(hit)
                taken_until = hit[1]
        return [self._match(text, start, end, entry) for (start, end, entry) in _to_chars(key, kept)]

    @staticmethod
    def _match(text: str, start: int, end: int, entry: Entry) -> Match:
        return Match(
            word=text[start:end], entry=entry, start=start, end=end,
            before=_squash(text[max(0, start - CONTEXT_CHARS):start]),
            after=_squash(text[end:end + CONTEXT_CHARS]),
        )


def _to_chars(key: str, hits: list[tuple[int, int, Entry]]) -> list[tuple[int, int, Entry]]:
    """Byte offsets (sorted, on character boundaries since UTF-8 self-synchronises) → character offsets."""
    raw = key.encode("latin-1")
    out = []
    byte_at, char_at = 0, 0
    for start, end, entry in hits:
        char_at += len(raw[byte_at:start].decode("utf-8"))
        length = len(raw[start:end].decode("utf-8"))
        out.append((char_at, char_at + length, entry))
        byte_at = start
    return out


Hit = tuple[int, int, Entry]


def _uncovered(hits: list[Hit], allowed: list[tuple[int, int]]) -> list[Hit]:
    """The hits no whitelist span covers."""
    allowed.sort()
    starts = [s for s, _ in allowed]
    reach: list[int] = []  # furthest end among whitelist spans starting at or before each index
    for _, end in allowed:
        reach.append(max(end, reach[-1]) if reach else end)
    kept = []
    for hit in hits:
        i = bisect_right(starts, hit[0]) - 1
        if i < 0 or reach[i] < hit[1]:
            kept.append(hit)
    return kept
