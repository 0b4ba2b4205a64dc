"""What an account check saw, as figures a reviewer reads beside the findings (issue 16, item 11): the last
post, posts within the update window (14 days), original posts within the original window (3 months), and
every menu and interaction entry the check followed with what it found. Derived from the snapshot only."""
from datetime import timedelta
from typing import Any

from services.checker.checks.account_common import broken, dated
from services.checker.checks.base import CheckContext, aware
from services.checker.platforms.base import AccountSnapshot, Entry
from services.checker.platforms.collect import checkable


def _entry(snapshot: AccountSnapshot, entry: Entry) -> dict[str, Any]:
    status = snapshot.links.get(entry.url) if entry.url else None
    if entry.reported:
        outcome = "reported"             # a reviewer recorded it as not working
    elif not entry.url:
        outcome = "no_link"
    elif not checkable(entry.url):
        outcome = "not_checkable"        # mini-program or in-app link: cannot be followed from outside
    elif status is None:
        outcome = "not_checked"
    else:
        outcome = "broken" if status.broken else "ok"
    return {"name": entry.name, "kind": entry.kind, "url": entry.url, "outcome": outcome,
            "status": status.status if status else None, "reason": broken(snapshot, entry)}


def account_activity(snapshot: AccountSnapshot, ctx: CheckContext) -> dict[str, Any]:
    now = aware(ctx.now)
    posts = dated(snapshot, ctx)
    update_days, original_days = ctx.params.account_update_days, ctx.params.account_original_days
    recent = [(when, p) for when, p in posts if when >= now - timedelta(days=update_days)]
    window = [(when, p) for when, p in posts if when >= now - timedelta(days=original_days)]
    originals = [(when, p) for when, p in posts if p.original]
    last = posts[0] if posts else None
    return {
        "source": snapshot.source, "observed_at": snapshot.observed_at.isoformat(),
        "exists": snapshot.profile.exists, "live_name": snapshot.profile.name,
        "interaction_enabled": snapshot.profile.interaction_enabled,
        "posts_seen": len(posts),
        "last_post_at": last[0].isoformat() if last else None,
        "last_post_title": (last[1].title or last[1].text[:60]) if last else None,
        "last_post_url": last[1].url if last else None,
        "update_days": update_days, "posts_in_update_window": len(recent),
        "original_days": original_days, "posts_in_original_window": len(window),
        "original_in_window": sum(1 for _, p in window if p.original),
        "last_original_at": originals[0][0].isoformat() if originals else None,
        "entries": [_entry(snapshot, e) for e in snapshot.entries],
    }
