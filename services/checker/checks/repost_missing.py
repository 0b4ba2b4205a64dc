"""转载: important central and provincial information an indicator set requires every site to repost within N days
(the set's `reposts`: title, source, issue date, days). Judged over a whole monitored site by monitor/site_pass.py:
an item is reposted when a page or attachment of the site carries its title — compared without whitespace and
punctuation (“国务院关于…的通知” matches 国务院关于…的通知 and “国务院关于…的通知_XX县人民政府”), never by a
looser similarity, so a page about something else is never taken for the repost. An item not found once its
time is up is a finding (one per item, on the homepage); one still within its time is only counted."""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.checker.checks.policy_interpretation import normalise
from services.checker.indicators.model import RepostItem
from services.checker.model import Evidence, Finding

CODE = "repost_missing"
DAYS = 7                 # default time to repost when neither the item nor the set says
MIN_TITLE = 6            # a shorter normalised title identifies nothing


@dataclass
class RepostSummary:
    required: int = 0
    found: int = 0
    pending: int = 0                     # not found yet, still within its time
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"required": self.required, "found": self.found, "pending": self.pending, "missing": self.missing}


def reposted(item_title: str, titles: Iterable[str]) -> str | None:
    """The site's title that carries the item's title, if any."""
    wanted = normalise(item_title)
    if len(wanted) < MIN_TITLE:
        return None
    for title in titles:
        if wanted in normalise(title):
            return title
    return None


def judge(items: Sequence[RepostItem], titles: Sequence[str], today: date, homepage_url: str, *,
          days: int = DAYS) -> tuple[RepostSummary, list[Finding]]:
    """Which required items the site shows; findings for those missing past their time."""
    summary = RepostSummary()
    findings: list[Finding] = []
    compact = [normalise(t) for t in titles if t]
    for item in items:
        if item.issued > today:
            continue
        summary.required += 1
        wanted = normalise(item.title)
        if len(wanted) >= MIN_TITLE and any(wanted in t for t in compact):
            summary.found += 1
            continue
        due = item.issued + timedelta(days=item.days or days)
        if today <= due:
            summary.pending += 1
            continue
        summary.missing.append(item.title)
        message = (f"未按要求转载{item.source}发布的《{item.title}》（{item.issued.year}年{item.issued.month}月"
                   f"{item.issued.day}日发布，应在{item.days or days}天内转载）")
        findings.append(Finding(CODE, message, [Evidence(url=homepage_url, excerpt=message,
                                                         observed_at=today.isoformat())],
                                data={"target": f"repost:{wanted[:60]}", "reason": "missing"}))
    return summary, findings
