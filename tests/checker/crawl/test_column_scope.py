"""A 信息公开专栏 is checked within its URL prefix (issue 14, item 1): on a portal whose every page links to the
portal's own columns and to every department's 专栏, the crawl of one 专栏 fetches only its pages, its findings
are its own, and the host-level checks (footer identifiers, 找错, mobile, channels) are left to the portal."""
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest

from services.checker.crawl import CrawlSettings
from services.checker.crawl.crawler import within_scope
from services.checker.engine import HOST_LEVEL, check_site
from services.checker.inspections.jobs import scope_of
from services.checker.model import RegistryFacts
from services.common.settings import get_settings
from tests.fixtures.farm.portal_columns import SERIOUS, ColumnPortal

SETTINGS = replace(CrawlSettings.fast(), page_budget=200, whole_site=True)


@pytest.fixture(scope="module")
def portal() -> Iterator[ColumnPortal]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVWATCH_ALLOW_PRIVATE_TARGETS", "1")
        get_settings.cache_clear()
        with ColumnPortal() as running:
            yield running
    get_settings.cache_clear()


async def _check(portal: ColumnPortal, slug: str, scoped: bool = True):
    prefix = portal.prefix(slug)
    return await check_site(prefix + "index.html", now=portal.now, registry=RegistryFacts(site_id=1, name=slug),
                            settings=SETTINGS, store_snapshot=False, scope=prefix if scoped else None)


def _fetched(result) -> set[str]:
    return {e.url for f in result.findings for e in f.evidence}


async def test_a_clean_column_passes_and_its_crawl_keeps_to_its_prefix(portal):
    result = await _check(portal, "mzj")
    assert result.verdict == "pass", [(f.indicator, f.message) for f in result.findings]
    assert result.target["scope"] == portal.prefix("mzj")
    assert not {f.indicator for f in result.findings} & HOST_LEVEL
    # The very same 专栏 crawled as if it were a site walks into the portal and the other 专栏 and takes
    # their serious errors for its own: what the prefix is for.
    unscoped = await _check(portal, "mzj", scoped=False)
    assert unscoped.verdict == "fail"
    cited = _fetched(unscoped)
    assert any("/zwgk/jd/" in u for u in cited) and any("/bmzl/zrzyj/" in u for u in cited)


async def test_the_scoped_crawl_fetches_only_the_columns_pages(portal):
    from services.checker.crawl.crawler import crawl_site

    prefix = portal.prefix("mzj")
    snapshot = await crawl_site(prefix + "index.html", now=portal.now, registry=RegistryFacts(site_id=1),
                                settings=SETTINGS, store_snapshot=False, scope=prefix)
    fetched = set(snapshot.pages)
    assert fetched and all(u.startswith(prefix) for u in fetched), sorted(fetched)
    own = {portal.url.rstrip("/") + p for p in portal.column("mzj").pages}
    assert own <= fetched  # every page of the 专栏 is reached
    # Its columns are its own navigation's, not the portal's header (新闻中心, the other departments).
    assert {c.name for c in snapshot.columns} == {"工作动态", "通知公告", "政策文件"}
    # Links to the portal are still checked (a broken one would be the 专栏's broken link), never crawled.
    assert portal.url in snapshot.links and portal.url not in fetched


async def test_a_problem_column_fails_with_its_own_evidence_only(portal):
    result = await _check(portal, "zrzyj")
    assert result.verdict == "fail"
    serious = [f for f in result.findings if f.indicator == "serious_error"]
    assert serious and SERIOUS in serious[0].message
    assert all(e.url.startswith(portal.prefix("zrzyj")) for f in result.findings for e in f.evidence)


async def test_a_prefix_is_a_directory_not_a_string(portal):
    """/bmzl/mzjzx/ (救助管理站, with a serious error) begins like /bmzl/mzj: it is not 民政局's page."""
    result = await _check(portal, "mzj")
    assert not any("/bmzl/mzjzx/" in e.url for f in result.findings for e in f.evidence)
    assert within_scope("http://www.a.gov.cn/bmzl/mzj/x.html", "http://a.gov.cn/bmzl/mzj/")
    assert not within_scope("http://a.gov.cn/bmzl/mzjzx/x.html", "http://a.gov.cn/bmzl/mzj/")
    assert not within_scope("http://b.gov.cn/bmzl/mzj/x.html", "http://a.gov.cn/bmzl/mzj/")
    assert not within_scope("http://a.gov.cn:8080/bmzl/mzj/", "http://a.gov.cn/bmzl/mzj/")
    assert within_scope("http://anything.example/", None)


def test_the_worker_scopes_only_columns():
    column = {"kind": "column", "url_prefix": "http://a.gov.cn/bmzl/mzj/", "homepage_url": "http://a.gov.cn/bmzl/mzj/"}
    assert scope_of(column) == "http://a.gov.cn/bmzl/mzj/"
    assert scope_of({"kind": "portal", "homepage_url": "http://a.gov.cn/", "url_prefix": None}) is None
    assert scope_of({"kind": "department", "homepage_url": "http://b.gov.cn/"}) is None


def test_the_command_line_checks_a_column_within_its_prefix(portal):
    """`check-site URL --prefix PREFIX`: the same scoped path as the worker; a bad prefix is a usage error."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "GOVWATCH_ALLOW_PRIVATE_TARGETS": "1"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "services.checker", "check-site", *args, "--now",
                               portal.now.isoformat(), "--fast", "--no-snapshot", "--json"],
                              cwd=root, env=env, capture_output=True, text=True, timeout=120)

    clean = cli(portal.prefix("mzj") + "index.html", "--prefix", portal.prefix("mzj").rstrip("/"))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["target"]["scope"] == portal.prefix("mzj")
    problem = cli(portal.prefix("zrzyj") + "index.html", "--prefix", portal.prefix("zrzyj"))
    assert problem.returncode == 1
    assert "serious_error" in {f["indicator"] for f in json.loads(problem.stdout)["findings"]}
    outside = cli(portal.prefix("mzj") + "index.html", "--prefix", portal.prefix("jyj"))
    assert outside.returncode == 2 and "入口网址应在网址前缀之下" in outside.stderr
