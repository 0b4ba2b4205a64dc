"""Crawl state of whole-site monitoring (全站监测), in the `checker` schema.

Sized for 1e5 pages per site and 1e8 page rows nationally, so rows are narrow and nothing large is kept:
- `monitor_site`: one row per monitored site (registry id), its cycle and the coverage counters;
- `monitor_page`: one row per known URL of a site (pages, attachments, resources, external targets) with
  what the last fetch said (status, validators, 64-bit content hash — never the body or its text) and the
  frontier on the same row (priority, due_at, lease_until). Uniqueness is (site_id, url_hash), a 64-bit
  hash of the normalised URL, so the URL text itself is not indexed. The frontier is the partial index
  `(site_id, priority, due_at) WHERE due_at IS NOT NULL`: only due rows are in it, however big the site.
- `monitor_link`: the link graph as (source page, target page) pairs; a page's outgoing edges are replaced
  each time it is parsed, and edges go with their pages (ON DELETE CASCADE) when removed pages are pruned.
"""
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Identity, Index, Integer,
                        SmallInteger, String, Text, UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.checker.inspections.models import SCHEMA, utcnow


class PageKind(StrEnum):
    home = "home"
    column = "column"            # first page of a column list (hub: short cycle)
    list = "list"                # further pages of a column list (pagination)
    article = "article"
    attachment = "attachment"    # pdf, doc(x), xls(x), wps, txt … fetched and scanned
    service = "service"          # 办事 pages
    interaction = "interaction"  # 互动交流 pages
    other = "other"
    resource = "resource"        # same-site image, script, stylesheet: status-checked, not parsed
    external = "external"        # another site's URL: status-checked, never crawled


# Kinds fetched and parsed (or extracted) rather than only status-checked.
CRAWLED = (PageKind.home, PageKind.column, PageKind.list, PageKind.article, PageKind.attachment,
           PageKind.service, PageKind.interaction, PageKind.other)
CHECKED_ONLY = (PageKind.resource, PageKind.external)


class Priority:
    """Lower is claimed first. New URLs come before re-validation of known ones."""
    hub = 0          # homepage, column lists and their first pagination pages
    new = 10         # discovered, never fetched
    retry = 20       # failed with a transport error, tried again
    revalidate = 30  # known, re-validated with a conditional request


def ts(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


class MonitorSite(SQLModel, table=True):
    __tablename__ = "monitor_site"
    __table_args__ = (
        Index("ix_monitor_site_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    site_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    name: str = Field(default="", max_length=200)
    homepage_url: str = Field(sa_column=Column(Text, nullable=False))
    host: str = Field(max_length=255, description="registrable host of the homepage; same-site rule")
    supervising_org_id: int | None = None  # supervising office (registry supervising_org_id)
    host_org_id: int | None = None     # host unit (主办单位)
    org_path: str = Field(default="", max_length=400, description="host unit's path; the scope key")
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true")))
    # Per site overrides of the settings (from the organisation's indicator set); NULL = default.
    hub_interval_hours: int | None = None
    revalidate_days: int | None = None
    cycle: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    cycle_started_at: datetime | None = ts()
    last_full_cycle_at: datetime | None = ts()     # end of the last cycle with nothing due and nothing leased
    last_hub_at: datetime | None = ts()            # when hub pages were last made due
    last_fetch_at: datetime | None = ts()
    sitemap_at: datetime | None = ts()             # when robots.txt / sitemap.xml were last read
    wordlist_version: str | None = Field(default=None, max_length=32)
    synced_at: datetime | None = ts()
    # Coverage (refreshed from monitor_page by service.refresh_coverage; fetched_cycle counted as we go).
    pages_known: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    pages_fetched_cycle: int = Field(default=0, sa_column=Column(Integer, nullable=False,
                                                                 server_default=text("0")))
    attachments_known: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    attachments_scanned: int = Field(default=0, sa_column=Column(Integer, nullable=False,
                                                                 server_default=text("0")))
    attachments_unscannable: int = Field(default=0, sa_column=Column(Integer, nullable=False,
                                                                     server_default=text("0")))
    links_checked: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    links_broken: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    # {reason: count} of pages not reached: budget (max pages), error, too_large, not_scannable, robots …
    not_reached: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False,
                                                                               server_default=text("'{}'")))
    coverage_at: datetime | None = ts()
    # The last site pass (monitor/site_pass.py): policy documents, share with 解读, forms, reposts found.
    policy_summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))


class MonitorPage(SQLModel, table=True):
    __tablename__ = "monitor_page"
    __table_args__ = (
        UniqueConstraint("site_id", "url_hash", name="uq_monitor_page_site_url"),
        # The frontier: only due rows are indexed, so claiming stays cheap on a 1e5-page site.
        Index("ix_monitor_page_frontier", "site_id", "priority", "due_at",
              postgresql_where=text("due_at IS NOT NULL")),
        # Pruning of pages gone (404/410 twice) for long.
        Index("ix_monitor_page_gone", "gone_at", postgresql_where=text("gone_at IS NOT NULL")),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    site_id: int = Field(sa_column=Column(Integer, ForeignKey(f"{SCHEMA}.monitor_site.site_id",
                                                              ondelete="CASCADE"), nullable=False))
    url_hash: int = Field(sa_column=Column(BigInteger, nullable=False))   # 64 bits of sha1(normalised url)
    url: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(default=PageKind.other, sa_column=Column(String(12), nullable=False))
    hub: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false")))
    depth: int = Field(default=0, sa_column=Column(SmallInteger, nullable=False, server_default=text("0")))
    first_seen_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True),
                                                                             nullable=False))
    last_fetched_at: datetime | None = ts()
    last_changed_at: datetime | None = ts()   # content hash last differed
    http_status: int | None = Field(default=None, sa_column=Column(SmallInteger))
    error: str | None = Field(default=None, sa_column=Column(String(32)))
    etag: str | None = Field(default=None, sa_column=Column(String(200)))
    last_modified: str | None = Field(default=None, sa_column=Column(String(64)))
    content_hash: int | None = Field(default=None, sa_column=Column(BigInteger))  # 64 bits of sha1(body)
    size: int | None = Field(default=None, sa_column=Column(Integer))
    published: date | None = Field(default=None, sa_column=Column(Date))
    wordlist_version: str | None = Field(default=None, sa_column=Column(String(32)))
    # Attachments: whether the text could be read, and why not (image_only, encrypted, corrupt, too_large …).
    scannable: bool | None = Field(default=None, sa_column=Column(Boolean))
    reason: str | None = Field(default=None, sa_column=Column(String(20)))
    gone_at: datetime | None = ts()           # answered 404/410 (removed); pruned after monitor_prune_days
    # Read from the last parse: the document's title (转载 matching) and, only on policy documents and 解读
    # pages, what the site pass matches them by (checks/policy_interpretation.page_facts); NULL elsewhere.
    title: str | None = Field(default=None, sa_column=Column(String(200)))
    policy: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    # Frontier (same row): due_at NULL = not due; lease_until = claimed by a slice until then.
    priority: int = Field(default=Priority.new, sa_column=Column(SmallInteger, nullable=False,
                                                                 server_default=text("10")))
    due_at: datetime | None = ts()
    lease_until: datetime | None = ts()
    attempts: int = Field(default=0, sa_column=Column(SmallInteger, nullable=False, server_default=text("0")))


class MonitorLink(SQLModel, table=True):
    __tablename__ = "monitor_link"
    __table_args__ = (
        Index("ix_monitor_link_target", "target_id"),
        {"schema": SCHEMA},
    )
    source_id: int = Field(sa_column=Column(BigInteger, ForeignKey(f"{SCHEMA}.monitor_page.id", ondelete="CASCADE"),
                                            primary_key=True))
    target_id: int = Field(sa_column=Column(BigInteger, ForeignKey(f"{SCHEMA}.monitor_page.id", ondelete="CASCADE"),
                                            primary_key=True))
