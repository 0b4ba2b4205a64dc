"""Builds the shipped word lists (data/*.tsv, data/whitelist.txt, data/VERSION) from sources/.

    python -m services.checker.wordlists.build --konsheng <checkout of konsheng/Sensitive-lexicon>

Hand-curated sources (sources/*.tsv) are copied with their group and correction; outdated names are
generated from the national reform tables (sources/reforms.toml: every local row expands its stems ×
suffixes); gambling and illegal-service spam phrases are generated from brand/product × suffix tables
(sources/patterns.toml); pornography and weapons/violence terms are taken from the public MIT-licensed
lexicon konsheng/Sensitive-lexicon, filtered (see `_lexicon`). Without --konsheng the lexicon part of
sensitive_content.tsv is kept as it is (rows whose source is `konsheng`), so the generated parts can be
rebuilt and checked anywhere. PROVENANCE.md says where each source comes from.
"""
import argparse
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
SOURCES = HERE / "sources"
DATA = HERE / "data"
HEADER = "# word\tgroup\tcorrection or reason\tobsolete since\tsource (PROVENANCE.md)\n"
CJK = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Row:
    word: str
    group: str
    note: str          # correct form (serious_error, typo) or reason (sensitive_content)
    since: str = ""    # ISO date, outdated names only
    source: str = ""

    def line(self) -> str:
        return "\t".join((self.word, self.group, self.note, self.since, self.source))


def _tsv(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def _words(path: Path) -> list[str]:
    return [cells[0].strip() for cells in _tsv(path)]


# ----------------------------------------------------------------------------------------- names
def outdated_names() -> list[Row]:
    """The reform tables: national names as listed, local names expanded from stems and suffixes."""
    table = tomllib.loads((SOURCES / "reforms.toml").read_text(encoding="utf-8"))
    rows: list[Row] = []
    for block in table["national"]:
        rows += [Row(old, "机构名称变更", new, block["since"], block["source"]) for old, new in block["names"]]
    for block in table["local"]:
        note = block.get("note", "")
        for stem in block["old"]:
            for suffix in block["suffixes"]:
                new = block["new"] if block.get("replace_whole") else block["new"] + suffix
                rows.append(Row(stem + suffix, "机构名称变更", new + note, block["since"], block["source"]))
        for old, new in block.get("abbreviations", []):
            rows.append(Row(old, "机构名称变更", new + note, block["since"], block["source"]))
    return rows


def name_whitelist(rows: Iterable[Row]) -> list[str]:
    """“原…” (the former body) is how correct text names an abolished body."""
    return [f"原{r.word}" for r in rows]


# -------------------------------------------------------------------------------- formulations
def formulation_typos() -> list[Row]:
    """Single-character misspellings of the official formulations, from a table of the characters each
    is commonly miswritten with (sources/formulations.toml)."""
    table = tomllib.loads((SOURCES / "formulations.toml").read_text(encoding="utf-8"))
    confusions: dict[str, list[str]] = table["confusions"]
    rows = []
    for group, terms in table["terms"].items():
        for term in terms:
            for i, char in enumerate(term):
                for wrong in confusions.get(char, []):
                    rows.append(Row(term[:i] + wrong + term[i + 1:], group, term, source="formulations"))
    return rows


# ------------------------------------------------------------------------------------ patterns
def pattern_rows() -> tuple[list[Row], list[str]]:
    """Gambling and illegal-service spam: every head × every suffix of a block; trade-verb forms also
    whitelist their negated forms (严禁出售…, 非法出售…) that crackdown news uses."""
    table = tomllib.loads((SOURCES / "patterns.toml").read_text(encoding="utf-8"))
    rows, whitelist = [], []
    for block in table["block"]:
        for head in block["heads"]:
            for suffix in block.get("suffixes", [""]):
                rows.append(Row(head + suffix, block["group"], block["reason"], source="patterns"))
            for prefix in block.get("prefixes", []):
                word = prefix + head
                rows.append(Row(word, block["group"], block["reason"], source="patterns"))
                whitelist += [neg + word for neg in table["negations"]]
    return rows, whitelist


# ------------------------------------------------------------------------------------- lexicon
LEXICON_FILES = {"色情词库.txt": "色情", "色情类型.txt": "色情", "涉枪涉爆.txt": "暴力", "暴恐词库.txt": "暴力"}
# 暴恐词库 mixes weapons with cult and political names; only weapon, explosive and killing terms are taken.
VIOLENCE = re.compile(r"枪|弹|炸|爆|雷管|弩|刀|火药|燃烧瓶|毒气|氰化|砒霜|铊|杀手|买凶|雇凶|砍人|恐怖袭击|人体炸弹|自制")
REASONS = {"色情": "色情低俗内容", "暴力": "涉枪涉爆、暴力恐怖内容"}


def _lexicon(root: Path, keep_two: set[str], exclude: set[str], legit: list[str]) -> list[Row]:
    """Entries of the chosen files that are CJK only, at least three characters (or a listed unmistakable
    two-character term), not excluded by hand and not part of an ordinary phrase of government text."""
    rows: dict[str, Row] = {}
    for name, group in LEXICON_FILES.items():
        for raw in (root / "Vocabulary" / name).read_text(encoding="utf-8-sig").splitlines():
            word = raw.strip().replace(" ", "")
            if not CJK.match(word) or word in exclude or word in rows:
                continue
            if len(word) < 3 and word not in keep_two:
                continue
            if name == "暴恐词库.txt" and not VIOLENCE.search(word):
                continue
            if any(word in phrase for phrase in legit):
                continue
            rows[word] = Row(word, group, REASONS[group], source="konsheng")
    return list(rows.values())


# ------------------------------------------------------------------------------------------ main
def _dedupe(rows: Iterable[Row], drop: set[str]) -> list[Row]:
    seen: dict[str, Row] = {}
    for row in rows:
        if row.word and row.word not in drop and row.word not in seen:
            seen[row.word] = row
    return list(seen.values())


def build(konsheng: Path | None) -> dict[str, str]:
    """The text of every data file."""
    curated = {name: [Row(*(c.strip() for c in cells), *([""] * (5 - len(cells))))
                      for cells in _tsv(SOURCES / f"{name}.tsv")]
               for name in ("serious_error", "sensitive_content", "typo")}
    whitelist = _words(SOURCES / "whitelist.txt")
    names = outdated_names()
    patterns, negated = pattern_rows()
    if konsheng is not None:
        lexicon = _lexicon(konsheng, set(_words(SOURCES / "lexicon_two_char.txt")),
                           set(_words(SOURCES / "lexicon_exclude.txt")), _words(SOURCES / "legit_phrases.txt"))
    else:   # keep what the last build took from the lexicon
        lexicon = [Row(*cells) for cells in _tsv(DATA / "sensitive_content.tsv") if cells[4] == "konsheng"]
    drop = set(whitelist) | set(negated) | set(_words(SOURCES / "lexicon_exclude.txt"))
    lists = {
        "serious_error": _dedupe([*curated["serious_error"], *formulation_typos()], drop),
        "sensitive_content": _dedupe([*curated["sensitive_content"], *patterns, *lexicon], drop),
        "typo": _dedupe([*curated["typo"], *names], drop),
    }
    # A word listed in two categories would be reported twice; the first category listed wins.
    taken: set[str] = set()
    for name, rows in lists.items():
        lists[name] = [r for r in rows if r.word not in taken]
        taken |= {r.word for r in lists[name]}
    white = list(dict.fromkeys([*whitelist, *name_whitelist(names), *negated]))
    files = {f"{name}.tsv": HEADER + "".join(r.line() + "\n" for r in sorted(rows, key=lambda r: (r.group, r.word)))
             for name, rows in lists.items()}
    files["whitelist.txt"] = ("# Phrases that contain a listed word but are correct; each suppresses the matches"
                              " it covers.\n" + "".join(w + "\n" for w in white))
    return files


def digest(files: dict[str, str]) -> str:
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return sha.hexdigest()[:8]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--konsheng", type=Path, help="checkout of konsheng/Sensitive-lexicon")
    parser.add_argument("--version", help="release id, e.g. 2026.12.06; default: keep the current one")
    args = parser.parse_args()
    files = build(args.konsheng)
    for name, text in files.items():
        (DATA / name).write_text(text, encoding="utf-8")
    release = args.version or (DATA / "VERSION").read_text(encoding="utf-8").split()[0]
    (DATA / "VERSION").write_text(f"{release} {digest(files)}\n", encoding="utf-8")
    for name, text in files.items():
        print(name, sum(1 for line in text.splitlines() if line and not line.startswith("#")))


if __name__ == "__main__":
    main()
