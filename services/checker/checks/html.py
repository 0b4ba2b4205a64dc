"""HTML access for checks: parse a stored page with selectolax (lexbor) and read its visible text."""
import functools
import re
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from selectolax.lexbor import LexborHTMLParser, LexborNode

from services.checker.model import Page

T = TypeVar("T")

INVISIBLE = ["script", "style", "noscript", "template"]
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"   # where str.splitlines splits
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")


def parse_html(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def parse(page: Page) -> LexborHTMLParser | None:
    return parse_html(page.html) if page.html else None


def visible_text(tree: LexborHTMLParser) -> str:
    """Text of the body without scripts and styles (the tree is modified)."""
    tree.strip_tags(INVISIBLE)
    root = tree.body or tree.root
    return root.text(separator="\n", strip=True) if root is not None else ""


def page_text(page: Page) -> str:
    """The page's visible text: the crawler's, or extracted from the HTML when the crawler left none."""
    if page.text:
        return page.text
    tree = parse(page)
    return visible_text(tree) if tree is not None else ""


def has_descendant(node: LexborNode, selector: str) -> bool:
    """Whether the selector matches inside the node (lexbor's css() includes the node itself)."""
    return any(found != node for found in node.css(selector))


def per_page(read: Callable[[Page], T]) -> Callable[[Page], T]:
    """`read(page)` computed once per page for as long as the page lives: several checks read the same pages
    (message boards, the homepage's navigation and lines), each reading costing a parse or a pass over its
    text. Read again when the page's HTML, text, title, address, links or items change. The value is shared
    (not to be modified by the callers) and must not hold the page: the page would then never be released."""
    memo: dict[int, tuple["weakref.ref[Page]", tuple[Any, ...], T]] = {}

    @functools.wraps(read)
    def once(page: Page) -> T:
        key, state = id(page), (page.html, page.text, page.title, page.url, page.final_url, page.links, page.items)
        held = memo.get(key)
        if held is not None and held[0]() is page and held[1] == state:
            return held[2]
        value = read(page)
        # The callback holds the memo itself: at interpreter exit pages outlive the modules' globals.
        memo[key] = (weakref.ref(page, lambda _, key=key, memo=memo: memo.pop(key, None)), state, value)
        return value

    return once


@per_page
def read_only_tree(page: Page) -> LexborHTMLParser | None:
    """The page parsed once for the checks that only read its tree (the homepage's navigation, its short links
    and its error-report entry each parsed it). Shared: never to be modified (`visible_text` strips the tree
    it is given; take `parse` for that)."""
    return parse(page)


@per_page
def _lines(page: Page) -> frozenset[str]:
    return frozenset(line.strip() for line in page_text(page).splitlines())


def own_text(page: Page, template: Page | None) -> str:
    """The page's text without the lines it shares with the template page (the site's header, navigation
    and footer, as the homepage shows them)."""
    shared = _lines(template) if template is not None else frozenset()
    lines = map(str.strip, page_text(page).splitlines())
    return "\n".join([line for line in lines if line and line not in shared])


def in_own_text(pattern: re.Pattern[str], page: Page, template: Page | None) -> bool:
    """Whether `pattern` matches in `own_text(page, template)`, without building it: whether a line of the
    page's text holding one of its matches is not one of the template's lines. For patterns matching within
    a line and with no white space at their ends (names, words); most pages name such words only in the
    footer they share with the homepage."""
    shared = _lines(template) if template is not None else frozenset()
    text = page_text(page)
    for match in pattern.finditer(text):
        start = max(text.rfind(c, 0, match.start()) for c in LINE_BREAKS) + 1
        end = _LINE_BREAK.search(text, match.end())
        if text[start:end.start() if end is not None else len(text)].strip() not in shared:
            return True
    return False
