"""栏目缺漏 / 栏目设置不规范: a column the indicator set requires of the site's kind is not on the site.

Columns are judged from what the site shows: its navigation, the crawl's columns and the short links of the
homepage (portals put 政务公开 blocks there). A sub-column (政府信息公开指南 under 政府信息公开) is looked for
there and on its parent column's page; when that page was not read and nothing else names it, it is not
judged (a column the crawl did not see is not missing)."""
from services.checker.checks.base import CheckContext, clip, is_ok, iso
from services.checker.checks.navigation import Entry, link_entries, nav_entries
from services.checker.indicators import RequiredColumn
from services.checker.model import Evidence, Finding, Page, SiteSnapshot

CODE = "column_missing"
DEFAULT_KIND = "department"  # a site the registry does not say is a portal is held to the smaller list
NAV_IN_EVIDENCE = 30


def _terms(name: str, column: RequiredColumn) -> tuple[str, ...]:
    return (name, *column.synonyms)


def _matches(entry: Entry, terms: tuple[str, ...]) -> bool:
    return any(term and term in entry.name for term in terms)


def _find(name: str, column: RequiredColumn, entries: list[Entry],
          children: list[tuple[str, RequiredColumn]]) -> Entry | None:
    """The first entry naming the column; an entry naming one of its sub-columns (政府信息公开年报) is that
    sub-column, not the parent."""
    terms = _terms(name, column)
    for entry in entries:
        if _matches(entry, terms) and not any(_matches(entry, _terms(n, c)) for n, c in children):
            return entry
    return None


def _page_at(snapshot: SiteSnapshot, url: str) -> Page | None:
    for column in snapshot.columns:
        if column.url == url and is_ok(column.page):
            return column.page
    page = snapshot.pages.get(url)
    return page if is_ok(page) and page is not None and page.html is not None else None


def _evidence(page: Page, names: list[str], label: str) -> Evidence:
    shown = "、".join(names[:NAV_IN_EVIDENCE]) + ("等" if len(names) > NAV_IN_EVIDENCE else "")
    return Evidence(url=page.final_url or page.url, excerpt=clip(f"{label}：{shown or '（无）'}", 400),
                    observed_at=iso(page.fetched_at), snapshot=page.snapshot_key)


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home
    if home is None or not is_ok(home):
        return []  # an unreachable site is `unreachable`, not a site without columns
    kind = snapshot.registry.kind or DEFAULT_KIND
    required = {n: c for n, c in (ctx.required_columns.get(kind) or {}).items() if c is not None}
    if not required:
        return []
    nav = nav_entries(snapshot)
    nav_names = [e.name for e in nav]
    top = nav + link_entries(home)
    findings: list[Finding] = []
    for name, column in required.items():
        if column.within is not None:
            continue
        children = [(n, c) for n, c in required.items() if c.within == name]
        parent = _find(name, column, top, children)
        if parent is None:
            findings.append(Finding(CODE, f"栏目设置不规范，缺少“{name}”栏目", [_evidence(home, nav_names, "导航栏目")],
                                    data={"column": name, "kind": kind, "nav": nav_names}))
            continue
        page = _page_at(snapshot, parent.url)
        around = top + (link_entries(page) if page is not None and page is not home else [])
        for child, spec in children:
            if _find(child, spec, around, []) is not None:
                continue
            if page is None:
                continue  # the parent's page was not read: not judged
            names = [e.name for e in link_entries(page)]
            findings.append(Finding(
                CODE, f"栏目设置不规范，“{parent.name}”栏目缺少“{child}”",
                [_evidence(page, names, f"“{parent.name}”栏目下的栏目")],
                data={"column": child, "within": name, "parent_name": parent.name, "parent_url": parent.url,
                      "kind": kind, "nav": names}))
    return findings
