"""Real gov.cn pages from the shared corpus (read in place, never copied into the repository)."""
from datetime import datetime, timezone
from pathlib import Path

from services.checker.crawl.parse import parse_page
from services.checker.model import Page

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "real" / "govcn"
NOW = datetime(2024, 12, 1, tzinfo=timezone.utc)
# Where each page was published (see MANIFEST.md), so relative links resolve as on the real site.
ORIGINS = {
    "wanzai_2015_tjgb.html": "http://www.wanzai.gov.cn/wzxrmzf/tjgb/202204/a.shtml",
    "wanzai_2022_tjgb.html": "http://www.wanzai.gov.cn/wzxrmzf/tjgb/202308/b.shtml",
    "yichun_2022_tjgb.html": "http://www.yichun.gov.cn/ycsrmzf/tjgb/202305/c.shtml",
    "jiangxi_2022_tjgb_yichun.html": "http://www.yichun.gov.cn/ycsrmzf/tjgb/202305/d.shtml",
    "jiangsu_gov_article_clone.html": "http://www.jiangsu.gov.cn/art/2024/10/14/art_60085_11394426.html",
    "jw_beijing_article_clone.html": "http://jw.beijing.gov.cn/xxgk/gzdt/jyxw/202311/t20231130_3329137.html",
}


def corpus_page(name: str) -> Page:
    url = ORIGINS[name]
    page = Page(url=url, final_url=url, status=200, error=None, fetched_at=NOW,
                html=(CORPUS / name).read_text("utf-8"))
    parse_page(page, NOW)
    return page
