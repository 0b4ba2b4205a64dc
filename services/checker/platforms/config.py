"""Which data source serves which platform, from `GOVWATCH_PLATFORM_FEEDS` (JSON), e.g.

    GOVWATCH_PLATFORM_FEEDS='{"weibo": {"base_url": "https://feeds.example/weibo", "token": "…"},
                              "toutiao": {"kind": "rss", "feed_url": "https://rss.example/{platform_id}.xml"},
                              "*": {"kind": "import"}}'

A platform's entry, else the "*" entry, applies. `kind` is `json` (default), `rss` or `import` (only
reviewer-recorded observations). A platform without any entry is checked from observations only.
"""
import json
import os
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Literal

from services.checker.crawl import CrawlSettings
from services.common.settings import get_settings

ENV = "GOVWATCH_PLATFORM_FEEDS"


@dataclass(frozen=True)
class FeedConfig:
    kind: Literal["json", "rss", "import"] = "json"
    base_url: str = ""                   # json: {base_url}/accounts/{platform_id}/profile|posts|entries
    feed_url: str = ""                   # rss: template with {platform_id} and {platform}
    token: str | None = None             # sent as "Authorization: Bearer <token>"
    timeout: float = 10.0                # per request (connect, read, whole answer)
    page_cap: int = 20                   # pages of posts read at most; more is "endless pagination"
    retries: int = 3                     # attempts for 5xx answers and timeouts
    backoff: float = 0.5                 # first wait between attempts (doubles, capped at 8 s)
    max_bytes: int = 5 * 1024 * 1024     # one answer
    link_timeout: float = 10.0           # menu and interaction links (checked through the SSRF guard)
    link_concurrency: int = 8            # per host, shared by the accounts a worker checks at once
    allow_private: bool | None = None    # the (trusted, configured) data source may be on a private address;
                                         # default: the deployment setting. Links found in the data are
                                         # untrusted and always follow GOVWATCH_ALLOW_PRIVATE_TARGETS.
    use_observations: bool = True        # fall back to reviewer observations when the feed has none

    def private_ok(self) -> bool:
        return get_settings().allow_private_targets if self.allow_private is None else self.allow_private

    @staticmethod
    def links_private_ok() -> bool:
        return get_settings().allow_private_targets

    def link_settings(self) -> CrawlSettings:
        t = self.link_timeout
        return CrawlSettings(per_host_concurrency=self.link_concurrency, per_host_delay=0.0, connect_timeout=t,
                             read_timeout=t, page_deadline=t, link_deadline=t, probe_deadline=t,
                             link_check_concurrency=self.link_concurrency)


def _parse(raw: str) -> dict[str, FeedConfig]:
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError(f"{ENV} must be a JSON object of platform → settings")
    known = {f.name for f in fields(FeedConfig)}
    out = {}
    for platform, options in data.items():
        if not isinstance(options, dict):
            raise ValueError(f"{ENV}[{platform!r}] must be an object")
        unknown = set(options) - known
        if unknown:
            raise ValueError(f"{ENV}[{platform!r}]: unknown settings {sorted(unknown)}")
        config = FeedConfig(**options)
        if config.kind == "json" and not config.base_url:
            raise ValueError(f"{ENV}[{platform!r}]: a json feed needs base_url")
        if config.kind == "rss" and not config.feed_url:
            raise ValueError(f"{ENV}[{platform!r}]: an rss feed needs feed_url")
        out[platform] = config
    return out


@lru_cache(maxsize=8)
def _cached(raw: str) -> dict[str, FeedConfig]:
    return _parse(raw)


def feed_configs(raw: str | None = None) -> dict[str, FeedConfig]:
    return _cached(os.environ.get(ENV, "") if raw is None else raw)


def feed_config(platform: str, configs: dict[str, Any] | None = None) -> FeedConfig:
    configs = feed_configs() if configs is None else configs
    return configs.get(platform) or configs.get("*") or FeedConfig(kind="import")
