"""References to absolute URLs, with the joins kept across the pages of a crawl."""
from functools import lru_cache
from urllib.parse import urldefrag, urljoin, urlsplit


def absolute(base: str, ref: str) -> str | None:
    """Absolute http(s) URL without fragment, or None for javascript:, mailto:, data: … targets."""
    return Resolver(base)(ref)


class Resolver:
    """`absolute` against one base, for all the references of a page.

    The same navigation links recur on every page of a site: a join is computed once per distinct (part of
    the base it depends on, reference). An absolute reference depends only on whether the base has its
    scheme (urljoin), a root-relative one only on the base's scheme and host, a relative one on all of it.
    Those parts of the base are read once per page, and what kind a reference is once per distinct text.
    """
    __slots__ = ("base", "_parts")

    def __init__(self, base: str) -> None:
        self.base = base
        # by _reference's kind: nowhere, absolute, root-relative, relative
        self._parts = ("", base[:base.find(":") + 1].lower(), _origin(base), base)

    def __call__(self, ref: str) -> str | None:
        kind, cleaned = _REFERENCES.get(ref) or _reference(ref)
        if not kind:
            return None
        key = (self._parts[kind], cleaned)
        found = _JOINS.get(key, _JOINS)
        if found is not _JOINS:
            return found  # type: ignore[return-value]
        return _joined(key, self.base)

    def any_scheme(self, ref: str) -> str:
        """`urldefrag(urljoin(base, ref.strip())).url`, whatever the scheme (ValueError as urljoin's):
        the kept join where `__call__` reads the reference the same way (no backslash) and gives http(s)."""
        stripped = ref.strip()
        if "\\" not in stripped and (url := self(ref)) is not None:
            return url
        return urldefrag(urljoin(self.base, stripped)).url


_REFERENCES: dict[str, tuple[int, str]] = {}
_JOINS: dict[tuple[str, str], str | None] = {}
_MAX_CACHED = 65536


def _reference(ref: str) -> tuple[int, str]:
    """(kind, reference cleaned): kind 0 for none (empty, a fragment), 1 absolute http(s), 2 root-relative,
    3 any other (relative, scheme-relative, javascript: …)."""
    cleaned = ref.strip().replace("\\", "/")
    if not cleaned or cleaned.startswith("#"):
        kind = 0
    elif cleaned[:8].lower().startswith(("http://", "https://")):
        kind = 1
    elif cleaned.startswith("/") and not cleaned.startswith("//"):
        kind = 2
    else:
        kind = 3
    if len(_REFERENCES) >= _MAX_CACHED:
        _REFERENCES.clear()
    found = _REFERENCES[ref] = (kind, cleaned)
    return found


@lru_cache(maxsize=4096)
def _origin(base: str) -> str:
    try:
        parts = urlsplit(base)
    except ValueError:
        return base
    return f"{parts.scheme}://{parts.netloc}"


def _joined(key: tuple[str, str], base: str) -> str | None:
    """The join of `key`'s reference to `base`, kept under `key`: any base with that part gives the same."""
    try:
        url: str | None = urldefrag(urljoin(base, key[1])).url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            url = None
    except ValueError:
        url = None
    if len(_JOINS) >= _MAX_CACHED:
        _JOINS.clear()
    _JOINS[key] = url
    return url
