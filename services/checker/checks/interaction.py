"""Recognising interaction channels (留言/咨询/信箱/互动) and whether a link to one works."""
import re

from services.checker.checks.base import is_ok
from services.checker.model import Link, SiteSnapshot

CHANNEL = re.compile(r"留言|咨询|信箱|互动|问政|我要写信|我要提问|网民来信|意见建议|建言献策|征集|政民|民声|热线")
CHANNEL_URL = re.compile(r"liuyan|hudong|guestbook|gbook|mailbox|consult|jact/front/mail", re.I)
# Petitions and discipline reports are separate legal channels; they do not count (indicators.md).
NOT_CHANNEL = re.compile(r"信访|纪检|纪委|监委|举报|xinfang|jubao", re.I)
MAX_LABEL = 12  # channel labels are short (县长信箱, 意见征集); a long text is an article title


def is_channel(text: str, url: str = "") -> bool:
    label = text.strip()
    if NOT_CHANNEL.search(f"{label} {url}"):
        return False
    if label and len(label) <= MAX_LABEL and CHANNEL.search(label):
        return True
    return bool(CHANNEL_URL.search(url)) and len(label) <= MAX_LABEL


def link_works(url: str, snapshot: SiteSnapshot) -> bool | None:
    """True/False from the link check or a fetched page; None when nothing was checked."""
    status = snapshot.links.get(url)
    if status is not None and (status.status is not None or status.error is not None):
        return not status.broken
    page = snapshot.pages.get(url)
    return is_ok(page) if page is not None else None


def channel_links(snapshot: SiteSnapshot) -> list[Link]:
    """Visible links to channels on the fetched pages, each target once."""
    found: dict[str, Link] = {}
    for page in [snapshot.home, *snapshot.pages.values()]:
        for l in page.links if page is not None else []:
            if l.tag in ("a", "area", "iframe") and not l.hidden and is_channel(l.text, l.url):
                found.setdefault(l.url, l)
    return list(found.values())
