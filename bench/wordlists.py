"""Word-list matching throughput: MB/s (UTF-8) of real gov.cn page text against a 20,000-entry list.

Run: .venv/bin/python -m bench.wordlists [--entries 20000] [--mb 20]
Beside `Matcher.find` (what the checks call: scan, whitelist, leftmost-longest, context) it times, on the
same text in the same run, the floor (case folding plus daachorse's bare overlapping scan, no Python per
match) and the peer (the previous pyahocorasick path, tests/checker/wordlists/reference.py).
The text is the visible text of the real pages in ../shared/corpus/real/govcn, repeated; the list is the
built-in entries plus generated ones (3-6 characters drawn from the same pages' characters, so the
automaton walks deep prefixes as a real list would).
"""
import argparse
import os
import random
import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from services.checker.wordlists import CATEGORIES, Entry, Matcher, builtin_entries, builtin_whitelist
from services.checker.wordlists.matcher import _fold
from tests.checker.wordlists.reference import ReferenceMatcher

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "govcn"


def corpus_text() -> str:
    texts = []
    for path in sorted(CORPUS.glob("*.html")):
        tree = LexborHTMLParser(path.read_text(encoding="utf-8"))
        tree.strip_tags(["script", "style"])
        texts.append(tree.body.text(separator="\n"))
    return "\n".join(texts)


def generated_entries(count: int, alphabet: str, seed: int = 2019) -> list[Entry]:
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choices(alphabet, k=rng.randint(3, 6))))
    return [Entry(w, CATEGORIES[i % len(CATEGORIES)], "x") for i, w in enumerate(sorted(words))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--mb", type=float, default=20.0, help="size of the text to scan, in MB of UTF-8")
    args = parser.parse_args()

    base = corpus_text()
    alphabet = "".join(sorted({c for c in base if "\u4e00" <= c <= "\u9fff"}))
    entries = list(builtin_entries())
    entries += generated_entries(args.entries - len(entries), alphabet)
    started = time.perf_counter()
    matcher = Matcher(entries, builtin_whitelist())
    build_s = time.perf_counter() - started
    peer = ReferenceMatcher(entries, builtin_whitelist())

    repeat = max(1, int(args.mb * 1e6 / len(base.encode())))
    text = "\n".join([base] * repeat)
    megabytes = len(text.encode()) / 1e6
    print(f"entries={len(matcher)} build={build_s * 1000:.0f} ms "
          f"text={megabytes:.1f} MB ({len(text):,} chars); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    # Clean pages (the usual case), then pages with a listed word every ~1,000 characters.
    dirty_words = [e.word for e in builtin_entries()]
    dirty = "".join(chunk + dirty_words[i % len(dirty_words)]
                    for i, chunk in enumerate(text[i:i + 1000] for i in range(0, len(text), 1000)))
    runs = (("find", matcher.find), ("floor", lambda t: matcher._automaton.find_overlapping(_fold(t))),
            ("peer", peer.find))
    for label, sample in (("clean", text), ("dirty", dirty)):
        size = len(sample.encode()) / 1e6
        for what, run in runs:
            best = cpu = float("inf")
            for _ in range(3):
                started, cpu_started = time.perf_counter(), time.process_time()
                matches = run(sample)
                best = min(best, time.perf_counter() - started)
                cpu = min(cpu, time.process_time() - cpu_started)
            # CPU time too: on a shared machine the wall clock also counts other processes' turns.
            print(f"{label} {what}: matches={len(matches):,} time={best:.3f} s throughput: {size / best:.1f} MB/s; "
                  f"CPU {cpu:.3f} s, {size / cpu:.1f} MB/s per CPU second")


if __name__ == "__main__":
    main()
