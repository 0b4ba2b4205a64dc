"""A deregistered site's record is closed for good: its columns cannot be edited (issue 16, item 14)."""
from services.registry.sites.models import Site, SiteState
from tests.registry.helpers import new_unit, org_id, site_payload

SUP = "weinan_supervisor"


def test_columns_of_a_deregistered_site_cannot_be_edited(registry, login, session):
    host, _ = new_unit("渭南市")
    filing = registry.post("/api/v1/sites", headers=login(SUP), json=site_payload(host, org_id("渭南市"))).json()
    site = session.get(Site, filing["subject_id"])
    columns = [{"name": "通知公告", "url": "https://example.weinan.gov.cn/tzgg/", "category": "notice"}]
    url = f"/api/v1/sites/{site.id}/columns"
    assert registry.put(url, headers=login(SUP), json=columns).status_code == 200
    site.state = SiteState.deregistered
    session.commit()
    refused = registry.put(url, headers=login(SUP), json=[])
    assert refused.status_code == 409
    assert refused.json()["detail"] == {"code": "site_deregistered", "message": "该网站已注销，栏目不能再编辑",
                                        "field": None, "state": "deregistered"}
    detail = registry.get(f"/api/v1/sites/{site.id}", headers=login(SUP)).json()
    assert [c["name"] for c in detail["columns"]] == ["通知公告"]
