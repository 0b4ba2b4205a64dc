"""The matcher as it was before daachorse (pyahocorasick over UTF-8 bytes read as latin-1), kept as the
reference the fast path must agree with match for match; bench/wordlists.py also times it as the peer."""
from bisect import bisect_right
from collections.abc import Collection, Iterable

import ahocorasick

from services.checker.wordlists.matcher import CONTEXT_CHARS, Entry, Match, _fold, _squash


def _key(text: str) -> str:
    return _fold(text).encode("utf-8").decode("latin-1")


class ReferenceMatcher:
    def __init__(self, entries: Iterable[Entry], whitelist: Iterable[str] = ()):
        self._automaton = ahocorasick.Automaton()
        for entry in entries:
            if entry.word:
                self._automaton.add_word(_key(entry.word), (len(_key(entry.word)), entry))
        for word in whitelist:
            if word:
                self._automaton.add_word(_key(word), (len(_key(word)), None))
        if len(self._automaton):
            self._automaton.make_automaton()

    def find(self, text: str, categories: Collection[str] | None = None) -> list[Match]:
        if not text or self._automaton.kind != ahocorasick.AHOCORASICK:
            return []
        key = _key(text)
        hits, allowed = [], []
        for last, (length, entry) in self._automaton.iter(key):
            start, end = last - length + 1, last + 1
            if entry is None:
                allowed.append((start, end))
            elif categories is None or entry.category in categories:
                hits.append((start, end, entry))
        if not hits:
            return []
        if allowed:
            allowed.sort()
            starts = [s for s, _ in allowed]
            reach: list[int] = []
            for _, end in allowed:
                reach.append(max(end, reach[-1]) if reach else end)
            hits = [h for h in hits if (i := bisect_right(starts, h[0]) - 1) < 0 or reach[i] < h[1]]
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        kept, taken_until = [], -1
        for hit in hits:
            if hit[0] >= taken_until:
                kept.append(hit)
                taken_until = hit[1]
        raw = key.encode("latin-1")
        out, byte_at, char_at = [], 0, 0
        for start, end, entry in kept:
            char_at += len(raw[byte_at:start].decode("utf-8"))
            length = len(raw[start:end].decode("utf-8"))
            byte_at = start
            s, e = char_at, char_at + length
            out.append(Match(word=text[s:e], entry=entry, start=s, end=e,
                             before=_squash(text[max(0, s - CONTEXT_CHARS):s]),
                             after=_squash(text[e:e + CONTEXT_CHARS])))
        return out
