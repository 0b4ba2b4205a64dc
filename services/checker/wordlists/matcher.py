"""Aho-Corasick matching of word-list entries, with whitelist suppression and context."""
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple, get_args

import daachorse

Category = Literal["serious_error", "sensitive_content", "typo"]
CATEGORIES: tuple[str, ...] = get_args(Category)
CONTEXT_CHARS = 30

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _fold(text: str) -> str:
    """Case-folded text with the same character offsets as the original. str.lower() is fast, but a few
    characters (e.g. "İ") lower to two; such text falls back to ASCII-only folding."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class Entry:
    word: str
    category: Category
    suggestion: str | None = None
    # For outdated names of reorganised bodies: text dated before this day used the name rightly.
    obsolete_since: date | None = None
    # What kind of error or content it is, in zh-CN (赌博, 机构名称变更, 涉台港澳表述 …); None for additions.
    group: str | None = None


class Match(NamedTuple):
    """A named tuple rather than a frozen dataclass: a dirty page has a match every few hundred characters,
    and a frozen dataclass's __init__ (one object.__setattr__ per field) cost more than the scan per match."""
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
    def group(self) -> str | None:
        return self.entry.group

    @property
    def context(self) -> str:
        return f"{self.before}{self.word}{self.after}"


Hit = tuple[int, int, Entry]   # start, end (exclusive), entry


def _squash(text: str) -> str:
    # Most contexts hold no whitespace at all (isprintable is False for every separator but the ASCII space).
    if text.isprintable() and " " not in text:
        return text
    return " ".join(text.split())


class Matcher:
    """Built once from entries and whitelist phrases; `find` is then safe to call from any thread.

    A whitelist phrase suppresses every match it covers (e.g. "农业部门" covers "农业部"). Overlapping
    matches keep the leftmost, then the longest.
    """

    def __init__(self, entries: Iterable[Entry], whitelist: Iterable[str] = (), version: str | None = None):
        # The version of the built-in lists this matcher was built from (an extension keeps it).
        self.version = version
        self._entries: dict[str, Entry] = {_fold(e.word): e for e in entries if e.word}
        self._whitelist: tuple[str, ...] = tuple(dict.fromkeys(w for w in whitelist if w))
        whitelisted = {_fold(w) for w in self._whitelist}   # a whitelisted word is never reported
        reported = [e for key, e in self._entries.items() if key not in whitelisted]
        # Pattern ids below len(reported) are entries, the rest whitelist phrases.
        self._values: list[Entry] = reported
        patterns = [_fold(e.word) for e in reported] + list(whitelisted)
        # daachorse's character-wise double array walks code points directly (no UTF-8 round trip, no
        # byte→character offset mapping) and finds a child in O(1) however many words share a node.
        self._automaton = daachorse.CharwiseDoubleArrayAhoCorasick(patterns) if patterns else None

    def __len__(self) -> int:
        return len(self._entries)

    def extended(self, entries: Iterable[Entry] = (), whitelist: Iterable[str] = ()) -> "Matcher":
        """This matcher plus an organisation's own entries and whitelist (its entries win on clashes)."""
        return Matcher([*self._entries.values(), *entries], [*self._whitelist, *whitelist], self.version)

    def find(self, text: str, categories: Collection[str] | None = None) -> list[Match]:
        if not text or self._automaton is None:
            return []
        raw = self._automaton.find_overlapping(_fold(text))   # (start, end, pattern id), by end
        values, n = self._values, len(self._values)
        if categories is None:
            hits = [(s, -e, values[p]) for s, e, p in raw if p < n]
        else:
            hits = [(s, -e, values[p]) for s, e, p in raw if p < n and values[p].category in categories]
        if not hits:
            return []
        # Leftmost, then longest. (start, -end) never ties: one span is one folded word, one pattern.
        hits.sort()
        allowed = sorted((s, e) for s, e, p in raw if p >= n)
        kept: list[Hit] = []
        taken_until = -1
        reach, i = -1, 0   # the furthest end of the whitelist spans starting at or before the hit
        for start, neg_end, entry in hits:
            if start < taken_until:
                continue
            while i < len(allowed) and allowed[i][0] <= start:
                reach = max(reach, allowed[i][1])
                i += 1
            if reach < -neg_end:   # not covered by a whitelist phrase
                kept.append((start, -neg_end, entry))
                taken_until = -neg_end
        return [self._match(text, start, end, entry) for (start, end, entry) in kept]

    @staticmethod
    def _match(text: str, start: int, end: int, entry: Entry) -> Match:
        return Match(text[start:end], entry, start, end, _squash(text[max(0, start - CONTEXT_CHARS):start]),
                     _squash(text[end:end + CONTEXT_CHARS]))
