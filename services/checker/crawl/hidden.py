"""Hidden-link (暗链) detection from inline styles, simple <style> rules, HTML attributes and scripts.

Reasons are stable codes: display_none, visibility_hidden, opacity_zero, font_size_zero, tiny_size,
off_screen, text_indent, same_colour, hidden_attribute, script_written; a link inside a hidden
element gets the element's reason prefixed with "ancestor:".
"""
import re
import threading
from collections.abc import Iterable
from urllib.parse import unquote

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

_engines = threading.local()


def css(node: LexborNode, query: str) -> list[LexborNode]:
    """`node.css(query)` through one CSS engine per thread: selectolax builds one per tree on the tree's first
    query, and most parsed trees get one query or none (≈ 5 µs less per farm page, bench/RESULTS-parse.md)."""
    engine = getattr(_engines, "engine", None)
    if engine is None:
        engine = _engines.engine = LexborCSSSelector()
    return engine.find(query, node)


_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SIMPLE = re.compile(r"^([a-z][a-z0-9]*)?([.#][\w-]+)$", re.I)
_NUMBER = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|)$")
_NAMED = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
          "yellow": "#ffff00", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0"}
_FAR = -500.0  # px; further left/up than any screen shows


def declarations(style: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            out[name.strip().lower()] = value.replace("!important", "").strip().lower()
    return out


_BRACE = re.compile(r"[{}]")


def _top_level_rules(css: str) -> list[tuple[str, str]]:
    """(prelude, body) of top-level rules; at-rule blocks (@media …) are skipped whole."""
    rules, depth, start, prelude = [], 0, 0, ""
    for brace in _BRACE.finditer(css):  # only braces move the state: no walk over every character
        i = brace.start()
        if css[i] == "{":
            if depth == 0:
                prelude, start = css[start:i].strip(), i + 1
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                if not prelude.startswith("@"):
                    rules.append((prelude, css[start:i]))
                start = i + 1
    return rules


class StyleRules:
    """Declarations from the page's <style> blocks for simple selectors (.cls, #id, tag.cls, tag#id)."""

    def __init__(self, tree: LexborHTMLParser, styles: Iterable[LexborNode] | None = None) -> None:
        """`styles`: the tree's <style> elements when the caller has them already."""
        self.rules: dict[str, dict[str, str]] = {}
        for style in tree.css("style") if styles is None else styles:
            css = _COMMENT.sub("", style.text(deep=True) or "")
            for prelude, body in _top_level_rules(css):
                simple = [s for s in map(str.strip, prelude.split(",")) if _SIMPLE.match(s)]
                if simple:  # most rules of a site's CSS have none (".nav li a"): their body is not read
                    decls = declarations(body)
                    for selector in simple:
                        self.rules.setdefault(selector.lower(), {}).update(decls)

    def for_node(self, node: LexborNode, attrs: dict[str, str | None] | None = None) -> dict[str, str]:
        attrs = node.attributes if attrs is None else attrs
        if not self.rules:
            return declarations(attrs["style"] or "") if attrs.get("style") else {}
        tag = node.tag or ""
        keys = [f".{c.lower()}" for c in (attrs.get("class") or "").split()]
        keys += [f"{tag}{k}" for k in keys]
        if attrs.get("id"):
            ident = f"#{attrs['id'].lower()}"
            keys += [ident, f"{tag}{ident}"]
        merged: dict[str, str] = {}
        for key in keys:
            if (rule := self.rules.get(key)) is not None:
                merged.update(rule)
        if style := attrs.get("style"):
            merged.update(declarations(style))
        return merged


def _px(value: str | None) -> float | None:
    match = _NUMBER.match((value or "").strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    return number * 16 if unit in ("em", "rem") else number * 4 / 3 if unit == "pt" else number


def colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()
    if value in _NAMED:
        return _NAMED[value]
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    rgb = re.fullmatch(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\d.]+\s*)?\)", value)
    return "#%02x%02x%02x" % tuple(int(g) for g in rgb.groups()) if rgb else None


def _background(decls: dict[str, str], node: LexborNode, attrs: dict[str, str | None] | None = None) -> str | None:
    if "background-color" in decls:
        return colour(decls["background-color"])
    for token in decls.get("background", "").split():
        if (found := colour(token)) is not None:
            return found
    return colour((node.attributes if attrs is None else attrs).get("bgcolor"))


def _tiny(value: str | None) -> bool:
    size = _px(value)
    return size is not None and size <= 1


def reason_for(decls: dict[str, str], node: LexborNode, attrs: dict[str, str | None] | None = None) -> str | None:
    """Why this element alone hides its content, or None."""
    attrs = node.attributes if attrs is None else attrs
    if "hidden" in attrs:
        return "hidden_attribute"
    if decls.get("display") == "none":
        return "display_none"
    if decls.get("visibility") in ("hidden", "collapse"):
        return "visibility_hidden"
    if _px(decls.get("opacity")) == 0:
        return "opacity_zero"
    if _tiny(decls.get("font-size")):
        return "font_size_zero"
    clipped = decls.get("overflow", "") in ("hidden", "clip") or node.tag in ("img", "iframe", "marquee")
    sizes = [decls.get("width"), decls.get("height"), attrs.get("width"), attrs.get("height")]
    if clipped and any(_tiny(v) for v in sizes):
        return "tiny_size"
    if re.sub(r"\s", "", decls.get("clip", "")) in ("rect(0000)", "rect(0,0,0,0)", "rect(0px,0px,0px,0px)",
                                                     "rect(0px0px0px0px)"):
        return "tiny_size"
    positioned = decls.get("position") in ("absolute", "fixed", "relative")
    offsets = [decls.get("margin-left"), decls.get("margin-top")]
    if positioned:
        offsets += [decls.get("left"), decls.get("top")]
    if any((v := _px(o)) is not None and v <= _FAR for o in offsets):
        return "off_screen"
    if (indent := _px(decls.get("text-indent"))) is not None and indent <= _FAR:
        return "text_indent"
    return None


# Without declarations, only these attributes can hide an element or give it a colour (reason_for, _facts).
_FACT_ATTRIBUTES = frozenset(("hidden", "width", "height", "color", "bgcolor"))
# Without <style> rules, the only elements that can have facts (a style attribute or one of _FACT_ATTRIBUTES).
_DECLARING = ", ".join(f"[{name}]" for name in ("style", *sorted(_FACT_ATTRIBUTES)))
_NO_FACTS: tuple[str | None, str | None, str | None] = (None, None, None)


class HiddenDetector:
    """Facts of elements are read once each. Without <style> rules, the few elements that can have any are
    found by one CSS query and read at once: on most pages none hides or colours, and no link's ancestors
    need a look. With rules, any class or id may bring facts: elements are read as links need them."""

    def __init__(self, tree: LexborHTMLParser, styles: Iterable[LexborNode] | None = None) -> None:
        self.rules = StyleRules(tree, styles)
        self._own: dict[int, tuple[str | None, str | None, str | None]] = {}
        self._up: dict[int, tuple[str | None, str | None, str | None]] = {}
        self._lazy = bool(self.rules.rules)
        if not self._lazy:
            root = tree.root
            for node in css(root, _DECLARING) if root is not None else ():
                if (facts := self._read(node)) != _NO_FACTS:
                    self._own[node.mem_id] = facts
        self.can_hide = self._lazy or bool(self._own)  # False: `reason` is None for every element

    def _facts(self, node: LexborNode) -> tuple[str | None, str | None, str | None]:
        """(hiding reason, text colour, background colour) declared on this element."""
        if not self._lazy:
            return self._own.get(node.mem_id, _NO_FACTS)
        facts = self._own.get(node.mem_id)
        if facts is None:
            facts = self._own[node.mem_id] = self._read(node)
        return facts

    def _read(self, node: LexborNode) -> tuple[str | None, str | None, str | None]:
        # one dict of all attributes: most of the ones read here are missing, and a missing one costs `attrs`
        # an exception
        attrs = node.attributes
        decls = self.rules.for_node(node, attrs)
        if not decls and _FACT_ATTRIBUTES.isdisjoint(attrs):
            return _NO_FACTS
        font = colour(attrs.get("color")) if node.tag == "font" else None
        text_colour = colour(decls.get("color")) or font
        return reason_for(decls, node, attrs), text_colour, _background(decls, node, attrs)

    def _inherited(self, node: LexborNode | None) -> tuple[str | None, str | None, str | None]:
        """For `node` and its ancestors below <html>: the nearest hiding reason, the nearest text colour and
        the nearest background. Kept per element, so the links of one list share their ancestors' walk."""
        chain: list[LexborNode] = []
        known: tuple[str | None, str | None, str | None] | None = None
        current = node
        while current is not None and current.tag not in ("html", "-document", None):
            known = self._up.get(current.mem_id)
            if known is not None:
                break
            chain.append(current)
            current = current.parent
        known = known or _NO_FACTS
        for element in reversed(chain):
            reason, fg, bg = self._facts(element)
            known = (reason, fg, bg) if reason else (known[0], fg or known[1], bg or known[2])
            self._up[element.mem_id] = known
        return known

    def reason(self, node: LexborNode) -> str | None:
        if not self.can_hide:
            return None  # nothing on the page hides or colours
        own, fg, bg = self._facts(node)
        if own:
            return own
        reason, up_fg, up_bg = self._inherited(node.parent)
        if reason:
            return f"ancestor:{reason}"
        fg, bg = fg or up_fg, bg or up_bg
        return "same_colour" if fg is not None and fg == bg else None


_SCRIPT_SINKS = ("document.write", "innerhtml", "insertadjacenthtml", "outerhtml")
_SCRIPT_ANCHOR = re.compile(r"""<a\b[^>]*?href\s*=\s*["']?([^"'\s>]+)[^>]*>(.{0,120}?)</a""", re.I | re.S)
_JS_ESCAPES = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


def script_links(tree: LexborHTMLParser,
                 scripts: Iterable[LexborNode] | None = None) -> list[tuple[str, str, str]]:
    """(href, text, excerpt) of anchors that inline scripts write into the page; `scripts`: the tree's
    <script> elements when the caller has them already."""
    found = []
    for script in tree.css("script") if scripts is None else scripts:
        if script.attributes.get("src"):  # `attrs` would raise and catch for every inline script
            continue
        code = script.text(deep=True) or ""
        if not any(sink in code.lower() for sink in _SCRIPT_SINKS):
            continue
        code = _JS_ESCAPES.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), code)
        code = code.replace("\\/", "/").replace("\\'", "'").replace('\\"', '"')
        if "%3c" in code.lower():  # document.write(unescape('%3Ca%20href…'))
            code = unquote(code)
        for match in _SCRIPT_ANCHOR.finditer(code):
            text = re.sub(r"<[^>]+>|['\"+]", "", match.group(2)).strip()
            found.append((match.group(1), text, match.group(0)[:300]))
    return found
