"""信息公开专栏 in inspections (issue 14, item 1): a 专栏 registered on a portal is a target of its own; the worker
crawls only its prefix (the portal's and the other 专栏's pages are not its), gives it its own verdict, and leaves
the host-level checks to the portal."""
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from services.checker.engine import HOST_LEVEL
from services.common.auth import Role
from services.common.db import get_engine
from services.registry.orgs.models import Organisation, OrgKind
from services.registry.sites.models import Site, SiteKind, SiteState
from tests.checker.inspections.harness import _org, _user, wait_for
from tests.fixtures.farm.portal_columns import ColumnPortal


@pytest.fixture(scope="module")
def portal_world(world):
    """The ColumnPortal (its own address) registered as a county's site with two departments' 专栏 on it, in a
    county of its own (the world's counties are planned whole by other tests, which count their sites)."""
    with ColumnPortal(address="127.0.14.2") as portal:
        with Session(get_engine()) as session:
            city = session.exec(select(Organisation).where(Organisation.name == "渭南市")).one()
            county = _org(session, "专栏检查测试县", OrgKind.county, city)
            dept = _org(session, "专栏检查测试县民政局", OrgKind.department, county)
            _user(session, "ct_column_supervisor", county, Role.supervisor)
            # Kind department: a portal under 渭南市 would change the count of its portals other tests read.
            host = Site(name="专栏检查测试县门户", homepage_url=portal.url, kind=SiteKind.department,
                        host_org_id=county.id, supervising_org_id=county.id, org_path=county.path,
                        state=SiteState.active)
            session.add(host)
            session.flush()
            columns = {slug: Site(name=portal.column(slug).name, homepage_url=portal.prefix(slug) + "index.html",
                                  kind=SiteKind.column, host_site_id=host.id, url_prefix=portal.prefix(slug),
                                  host_org_id=dept.id, supervising_org_id=county.id, org_path=dept.path,
                                  state=SiteState.active)
                       for slug in ("mzj", "zrzyj")}
            session.add_all(columns.values())
            session.commit()
            ids = {slug: c.id for slug, c in columns.items()}
            county_id = county.id
        yield portal, ids, county_id


def test_each_column_is_checked_within_its_prefix_with_its_own_verdict(checker, tokens, worker, world, portal_world):
    portal, ids, county_id = portal_world
    headers = tokens("ct_column_supervisor")
    now = portal.now.astimezone(UTC)
    response = checker.post("/api/v1/inspections", headers=headers, json={
        "name": "专栏复查", "scope_org_id": county_id, "target_kinds": ["site"], "now": now.isoformat(),
        "targets": [{"kind": "site", "target_id": i} for i in ids.values()]})
    assert response.status_code == 202, response.text
    inspection = wait_for(checker, headers, response.json()["id"])
    assert inspection["progress"]["total"] == 2

    def detail(slug: str) -> dict:
        answer = checker.get(f"/api/v1/inspections/{inspection['id']}/results/site/{ids[slug]}", headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    clean, problem = detail("mzj"), detail("zrzyj")
    assert clean["status"] == "ok" and problem["status"] == "ok"
    assert clean["result"]["target"]["scope"] == portal.prefix("mzj")
    # The clean 专栏's pages link to the portal's 解读 page and to 自然资源局's 专栏, both with a serious error:
    # neither is its finding.
    assert clean["verdict"] == "pass", clean["findings"]
    assert not {f["indicator"] for f in clean["findings"]} & (HOST_LEVEL | {"serious_error"})
    assert problem["verdict"] == "fail"
    serious = [f for f in problem["findings"] if f["indicator"] == "serious_error"]
    assert serious and all(e["url"].startswith(portal.prefix("zrzyj")) for f in serious for e in f["evidence"])
