"""The monitoring tables as migration 0004 creates them: they match the models, URL uniqueness per site,
the frontier's partial index, and links pruned with their pages."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from services.checker.monitor.models import MonitorLink, MonitorPage, MonitorSite
from services.common.db import get_engine

SITE = 990001


@pytest.fixture
def site() -> int:
    with Session(get_engine()) as s:
        s.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :id").bindparams(id=SITE))
        s.add(MonitorSite(site_id=SITE, name="表测试站", homepage_url="http://a.example.gov.cn/", host="example.gov.cn"))
        s.commit()
    yield SITE
    with Session(get_engine()) as s:
        s.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :id").bindparams(id=SITE))
        s.commit()


def test_migration_matches_models() -> None:
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_schemas": True, "compare_type": True,
            "include_object": lambda obj, name, type_, *_: (
                (getattr(obj, "schema", None) if type_ == "table" else getattr(obj.table, "schema", None)) == "checker"
                and (name or "").startswith(("monitor_site", "monitor_page", "monitor_link", "ix_monitor",
                                             "uq_monitor")))})
        tables = [t for t in SQLModel.metadata.sorted_tables if t.name.startswith(("monitor_site", "monitor_page",
                                                                                   "monitor_link"))]
        assert len(tables) == 3
        diff = [d for d in compare_metadata(context, SQLModel.metadata)
                if "monitor_" in repr(d) and "monitor_finding" not in repr(d)]
    assert diff == []


def test_url_unique_per_site_and_links_go_with_pages(site: int) -> None:
    with Session(get_engine()) as s:
        a = MonitorPage(site_id=site, url_hash=1, url="http://a.example.gov.cn/")
        b = MonitorPage(site_id=site, url_hash=2, url="http://a.example.gov.cn/b.html")
        s.add_all([a, b])
        s.flush()
        s.add(MonitorLink(source_id=a.id, target_id=b.id))
        s.commit()
        s.add(MonitorPage(site_id=site, url_hash=2, url="http://a.example.gov.cn/b.html"))
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
        s.exec(text("DELETE FROM checker.monitor_page WHERE id = :id").bindparams(id=b.id))
        s.commit()
        left = s.exec(text("SELECT count(*) FROM checker.monitor_link WHERE source_id = :id")
                      .bindparams(id=a.id)).one()
        assert left[0] == 0
        where = s.exec(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_monitor_page_frontier'")).one()
        assert "WHERE (due_at IS NOT NULL)" in where[0]
