"""New-media platform adapters (政务新媒体): one interface (`PlatformAdapter`: profile, posts since a time,
menu and interaction entries), a JSON-feed adapter, an RSS/Atom adapter and reviewer observations
(platform exports or hand-recorded observations with screenshots, stored in the checker schema).
`collect` turns one account into an `AccountSnapshot` for the account checks."""
from services.checker.platforms.base import (
    FEED_ERRORS, PLATFORM_LABELS, PLATFORMS, AccountRef, AccountSnapshot, Entry, FeedError, PlatformAdapter, Post,
    Profile,
)
from services.checker.platforms.collect import collect
from services.checker.platforms.config import FeedConfig, feed_config, feed_configs
from services.checker.platforms.json_feed import JsonFeedAdapter
from services.checker.platforms.rss import RssAdapter


def adapter_for(config: FeedConfig) -> PlatformAdapter:
    if config.kind == "json":
        return JsonFeedAdapter(config)
    if config.kind == "rss":
        return RssAdapter(config)
    from services.checker.platforms.observed import ObservationAdapter  # needs the database
    return ObservationAdapter(config)


__all__ = [
    "FEED_ERRORS", "PLATFORMS", "PLATFORM_LABELS", "AccountRef", "AccountSnapshot", "Entry", "FeedConfig",
    "FeedError", "JsonFeedAdapter", "PlatformAdapter", "Post", "Profile", "RssAdapter", "adapter_for", "collect",
    "feed_config", "feed_configs",
]
