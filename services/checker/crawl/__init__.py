"""The crawler: a government website to a `SiteSnapshot` (see services/checker/model.py)."""
from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.crawler import crawl_site, probe_site, store_snapshots
from services.checker.crawl.fetch import Fetcher

__all__ = ["CrawlSettings", "Fetcher", "crawl_site", "probe_site", "store_snapshots"]
