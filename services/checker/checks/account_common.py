"""Helpers shared by the account checks (modules `account_*`): evidence, usable post dates, link states.
Like the site checks they only judge the `AccountSnapshot`; nothing is fetched here."""
from datetime import datetime

from services.checker.checks.base import FAILURE_CODES, CheckContext, aware, clip, failure_text, iso
from services.checker.model import Evidence
from services.checker.platforms.base import PLATFORM_LABELS, AccountSnapshot, Entry, Post
from services.checker.platforms.collect import FUTURE_SLACK, checkable
from services.common.clock import to_beijing


def profile_url(snapshot: AccountSnapshot) -> str:
    account = snapshot.account
    return snapshot.profile.url or f"{account.platform}:{account.platform_id}"


def evidence(snapshot: AccountSnapshot, excerpt: str, url: str | None = None) -> Evidence:
    shot = snapshot.evidence_keys[0] if snapshot.evidence_keys else None
    return Evidence(url=url or profile_url(snapshot), excerpt=clip(excerpt), observed_at=iso(snapshot.observed_at),
                    snapshot=shot)


def label(snapshot: AccountSnapshot) -> str:
    a = snapshot.account
    return f"{PLATFORM_LABELS.get(a.platform, a.platform)}“{a.registered_name or a.platform_id}”"


def dated(snapshot: AccountSnapshot, ctx: CheckContext) -> list[tuple[datetime, Post]]:
    """Posts with a publication time not after the time point (future dates are not updates), newest first."""
    limit = aware(ctx.now) + FUTURE_SLACK
    return sorted(((p.published, p) for p in snapshot.posts if p.published is not None and p.published <= limit),
                  key=lambda pair: pair[0], reverse=True)


def post_line(post: Post) -> str:
    kind = "原创" if post.original else "转发"
    # The Beijing day: an epoch-stamped post at 07:00 Beijing time is not "yesterday" (its UTC date).
    when = to_beijing(aware(post.published)).date().isoformat() if post.published else "日期不详"
    return f"{when}【{kind}】{post.title or clip(post.text, 40)}"


def broken(snapshot: AccountSnapshot, entry: Entry) -> str | None:
    """Why an entry's link does not work (None when it works or could not be judged)."""
    if entry.reported:
        return entry.reported
    if not entry.url:
        return "未设置链接"
    if not checkable(entry.url):
        return None  # mini-program or in-app links cannot be followed from outside the platform
    status = snapshot.links.get(entry.url)
    if status is None or not status.broken:
        return None
    return status.error or f"HTTP {status.status}"


def in_words(why: str) -> str:
    """`broken`'s reason as the evidence says it: a fetch failure's code becomes its text (the finding's data
    keeps the code)."""
    return failure_text(why) if why in FAILURE_CODES else why


def works(snapshot: AccountSnapshot, entry: Entry) -> bool:
    return broken(snapshot, entry) is None and bool(entry.url)
