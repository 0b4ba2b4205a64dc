"""URL joins: kept joins are the ones urljoin gives, for whichever base of the same kind asked first."""
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from services.checker.crawl.urls import Resolver, absolute

BASES = ["http://www.example.gov.cn/col/a/index.html", "http://www.example.gov.cn/art/2024/1/2/b.html?x=1",
         "https://www.example.gov.cn/", "http://other.gov.cn:8080/p/q"]
REFS = ["/xxgk/index.html", "/a/../b/./c.html?q=1#f", "//cdn.gov.cn/x.js", "x.html", "../y.html", "?page=2",
        "HTTP://Www.Example.gov.cn/Z.html", "https://x.gov.cn/#top", " /sp aces.html ", "javascript:void(0)",
        "mailto:a@b.cn", "#top", "", "\\\\evil.com/x", "/a\\\\b.html", "data:text/html,x", "http://[::1/x"]


def _expected(base: str, ref: str) -> str | None:
    cleaned = ref.strip().replace("\\", "/")
    if not cleaned or cleaned.startswith("#"):
        return None
    try:
        url = urldefrag(urljoin(base, cleaned)).url
        parts = urlsplit(url)
        return url if parts.scheme in ("http", "https") and parts.hostname else None
    except ValueError:
        return None


@pytest.mark.parametrize("order", [BASES, BASES[::-1]])
def test_joins_as_urljoin_whichever_base_came_first(order: list[str]):
    for base in order:
        resolve = Resolver(base)
        for ref in REFS:
            assert resolve(ref) == absolute(base, ref) == _expected(base, ref), (base, ref)


def test_any_scheme_is_urljoin_of_the_stripped_reference():
    for base in BASES:
        resolve = Resolver(base)
        for ref in REFS:
            if ref == "http://[::1/x":
                with pytest.raises(ValueError):
                    resolve.any_scheme(ref)
                continue
            assert resolve.any_scheme(ref) == urldefrag(urljoin(base, ref.strip())).url, (base, ref)
