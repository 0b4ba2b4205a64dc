"""Word lists (错敏词): built-in entries per category, per-organisation additions and a whitelist,
matched with one Aho-Corasick automaton built once and reused."""
from services.checker.wordlists.builtin import builtin_entries, builtin_version, builtin_whitelist, default_matcher
from services.checker.wordlists.matcher import CATEGORIES, Category, Entry, Match, Matcher

__all__ = [
    "CATEGORIES", "Category", "Entry", "Match", "Matcher",
    "builtin_entries", "builtin_version", "builtin_whitelist", "default_matcher",
]
