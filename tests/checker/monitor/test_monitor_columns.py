"""The monitor leaves 信息公开专栏 to their host site (issue 14, item 1): a 专栏's pages are the host's, crawled with it;
monitored on its own from its entry page, the spread would walk the whole host under the 专栏's id."""
from sqlmodel import Session, text

from services.checker.monitor import service
from services.checker.monitor.models import MonitorSite
from services.common.db import get_engine

SITE, COLUMN = 880101, 880102


def test_a_column_is_not_monitored_and_one_monitored_before_stops():
    with Session(get_engine()) as session:
        session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = ANY(:s)").bindparams(s=[SITE, COLUMN]))
        session.commit()
        portal = {"id": SITE, "name": "测试市人民政府", "kind": "portal", "homepage_url": "http://127.0.7.40/",
                  "org_path": "/1/79/"}
        column = {"id": COLUMN, "name": "测试市民政局信息公开专栏", "kind": "column", "org_path": "/1/79/3/",
                  "homepage_url": "http://127.0.7.40/bmzl/mzj/", "url_prefix": "http://127.0.7.40/bmzl/mzj/"}
        # As an earlier version left it: the 专栏 monitored like a site.
        service.sync_sites(session, [portal, {**column, "kind": "department"}])
        assert session.get(MonitorSite, COLUMN).active
        service.sync_sites(session, [portal, column])
        session.expire_all()
        assert session.get(MonitorSite, SITE).active
        assert not session.get(MonitorSite, COLUMN).active
