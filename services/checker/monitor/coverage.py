"""The `coverage` block of a site result, without the ledger's database models: a check-site run (no ledger)
builds it from the crawl alone and imports nothing of SQLAlchemy for it (ledger.py uses the same rows)."""
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from services.checker.model import SiteSnapshot

NOT_REACHED_LABELS = {
    "budget": "超出单站页面上限，未抓取", "error": "访问出错", "timeout": "访问超时", "too_large": "文件过大，未下载",
    "not_scannable": "附件无法提取文字", "image_only": "图片型附件，无文字可检", "encrypted": "附件已加密",
    "corrupt": "附件已损坏", "unsupported": "不支持的附件格式", "robots": "robots.txt 禁止抓取",
    "gone": "页面已删除（404/410）", "sample": "抽查仅抓取样本页面，其余未抓取", "politeness": "受访问频率限制，本周期未轮到",
}


def not_reached_rows(counts: dict[str, int]) -> list[dict[str, Any]]:
    return [{"reason": reason, "label": NOT_REACHED_LABELS.get(reason, "其他原因未抓取"), "count": int(count)}
            for reason, count in sorted(counts.items(), key=lambda kv: (-int(kv[1]), kv[0])) if count]


def jsonable(value: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in value.items()}


def crawl_coverage(snapshot: SiteSnapshot, status: str = "never") -> dict[str, Any]:
    """What this crawl covered (source "crawl"): the pages it fetched, and the same-site pages it did not reach."""
    fetched = [p for p in [snapshot.home, *snapshot.pages.values()] if p is not None]
    urls = {u for p in fetched for u in (p.url, p.final_url)}
    host = urlsplit(snapshot.homepage_url).netloc.lower()
    # Most links lead to a fetched page (the navigation's on every page): that is looked up before any URL is split.
    unfetched = {link.url for p in fetched for link in p.links
                 if link.tag == "a" and link.url not in urls and urlsplit(link.url).netloc.lower() == host}
    errors = sum(1 for p in fetched if p.error not in (None, "not_html"))
    reasons = {"sample": len(unfetched), "error": errors}
    last = max((p.fetched_at for p in fetched), default=None)
    return jsonable({
        "site_id": snapshot.registry.site_id, "site_name": snapshot.registry.name or "",
        "homepage_url": snapshot.homepage_url, "status": status, "source": "crawl",
        "pages_known": len(urls | unfetched), "pages_fetched_cycle": len({p.final_url for p in fetched}),
        "attachments_known": 0, "attachments_scanned": 0, "attachments_unscannable": 0,
        "links_checked": len(snapshot.links), "links_broken": sum(1 for s in snapshot.links.values() if s.broken),
        "not_reached": not_reached_rows(reasons), "cycle_started_at": None, "last_full_cycle_at": None,
        "last_fetch_at": last, "open_findings": None, "open_veto_findings": None})
