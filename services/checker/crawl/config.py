"""Every limit the crawler obeys, in one place, with deployment defaults."""
from dataclasses import dataclass


@dataclass(frozen=True)
class CrawlSettings:
    page_budget: int = 60                 # HTML pages fetched per site (homepage, columns, articles …)
    max_columns: int = 40                 # columns whose list page is fetched
    articles_per_column: int = 2          # newest articles sampled per column
    max_articles: int = 20
    max_message_pages: int = 3            # 留言 detail pages sampled from the interaction column
    max_service_guides: int = 3           # 办事指南 pages sampled
    per_host_concurrency: int = 2
    per_host_delay: float = 0.5           # seconds between request starts to one host (politeness)
    connect_timeout: float = 10.0
    read_timeout: float = 15.0            # between two received chunks
    page_deadline: float = 30.0           # whole request, redirects and body included (ends slow drips)
    probe_deadline: float = 15.0          # indicators.md: no complete response within 15 s = failed probe
    link_deadline: float = 15.0
    max_bytes: int = 5 * 1024 * 1024      # body after decompression
    snapshot_hold_bytes: int = 32 * 1024 * 1024  # page bodies held per crawl until findings cite them
    max_redirects: int = 10
    link_check_concurrency: int = 16
    max_link_checks: int = 1500           # distinct link targets checked per site
    max_links_per_page: int = 2000
    verify_tls: bool = True               # a broken certificate is what a citizen's browser sees too
    whole_site: bool = False              # after the sample, every page of the site's host the links reach
    user_agent: str = "Mozilla/5.0 (compatible; govwatch-checker/0.1; government website inspection)"

    @classmethod
    def fast(cls) -> "CrawlSettings":
        """Tight limits for tests against local servers."""
        return cls(page_budget=30, per_host_concurrency=4, per_host_delay=0.0, connect_timeout=1.0,
                   read_timeout=1.0, page_deadline=2.0, probe_deadline=2.0, link_deadline=2.0,
                   max_bytes=512 * 1024, max_redirects=5, link_check_concurrency=16,
                   max_link_checks=300)
