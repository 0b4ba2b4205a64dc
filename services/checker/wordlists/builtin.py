"""The built-in word lists shipped as data files beside this module."""
from datetime import date
from functools import cache
from pathlib import Path

from services.checker.wordlists.matcher import CATEGORIES, Entry, Matcher

DATA = Path(__file__).with_name("data")


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@cache
def builtin_entries() -> tuple[Entry, ...]:
    """Entries of every category; `<category>.tsv` lines are word, suggestion[, obsolete-since date]."""
    entries = []
    for category in CATEGORIES:
        for line in _lines(DATA / f"{category}.tsv"):
            word, suggestion, *since = line.split("\t")
            entries.append(Entry(word.strip(), category, suggestion.strip() or None,  # type: ignore[arg-type]
                                 date.fromisoformat(since[0].strip()) if since else None))
    return tuple(entries)


@cache
def builtin_whitelist() -> tuple[str, ...]:
    return tuple(line.strip() for line in _lines(DATA / "whitelist.txt"))


@cache
def default_matcher() -> Matcher:
    """The built-in matcher, built once per process; extend it with `Matcher.extended` per organisation."""
    return Matcher(builtin_entries(), builtin_whitelist())
