"""HTML access for checks: parse a stored page with selectolax (lexbor) and read its visible text."""
from selectolax.lexbor import LexborHTMLParser, LexborNode

from services.checker.model import Page

INVISIBLE = ["script", "style", "noscript", "template"]


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


def own_text(page: Page, template: Page | None) -> str:
    """The page's text without the lines it shares with the template page (the site's header, navigation
    and footer, as the homepage shows them)."""
    shared = {line.strip() for line in page_text(template).splitlines()} if template is not None else set()
    lines = (line.strip() for line in page_text(page).splitlines())
    return "\n".join(line for line in lines if line and line not in shared)
