"""信息公开专栏 as registry targets (issue 14, item 1): a site row of kind column, hosted on another site's domain
under its own URL prefix, filed and approved like a site, listed with its kind."""
from tests.registry.helpers import new_unit, org_id, site_payload, upload

CITY = "渭南市"
SUP, DECIDER = "weinan_supervisor", "weinan_admin"


def _portal(registry, login) -> dict:
    """The host site (a department site: a portal here would change the count of 渭南市's portals other tests read)."""
    host, _ = new_unit(CITY)
    response = registry.post("/api/v1/sites", headers=login(SUP), json=site_payload(host, org_id(CITY)))
    assert response.status_code == 201, response.text
    return registry.get(f"/api/v1/sites/{response.json()['subject_id']}", headers=login(SUP)).json()


def _column(portal: dict, path: str, **extra) -> dict:
    host, name = new_unit(CITY)
    base = portal["homepage_url"].rstrip("/")
    return {"name": f"{name}信息公开专栏", "homepage_url": f"{base}/{path}index.html", "kind": "column",
            "host_site_id": portal["id"], "url_prefix": f"{base}/{path}", "host_org_id": host,
            "supervising_org_id": org_id(CITY), **extra}


def _message(response) -> str:
    return str(response.json()["detail"])


def test_a_column_is_filed_approved_and_listed_with_its_prefix(registry, login):
    portal = _portal(registry, login)
    h = login(SUP)
    created = registry.post("/api/v1/sites", headers=h, json=_column(portal, "bmzl/mzj/"))
    assert created.status_code == 201, created.text
    filing = created.json()
    assert filing["kind"] == "open" and filing["missing_evidence"] == ["approval_document"]
    site = registry.get(f"/api/v1/sites/{filing['subject_id']}", headers=h).json()
    assert site["kind"] == "column" and site["host_site_id"] == portal["id"]
    assert site["url_prefix"] == portal["homepage_url"].rstrip("/") + "/bmzl/mzj/"
    assert site["state"] == "pending_open"

    assert upload(registry, h, filing["id"], "approval_document").status_code == 201
    decided = registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=login(DECIDER), json={"note": "同意"})
    assert decided.status_code == 200, decided.text
    active = registry.get(f"/api/v1/sites/{site['id']}", headers=h).json()
    assert active["state"] == "active"
    assert active["preconditions"] == {"approval": True}  # footer ids, ICP and badge are the host site's

    listed = registry.get("/api/v1/sites", headers=h, params={"kind": "column", "limit": 500}).json()
    assert site["id"] in {s["id"] for s in listed["items"]}
    assert all(s["kind"] == "column" for s in listed["items"])
    # Hosts a 专栏 may name: running sites, never a 专栏.
    hosts = registry.get("/api/v1/sites/hosts", headers=h, params={"q": portal["homepage_url"]}).json()
    assert [x["id"] for x in hosts] == [portal["id"]]
    hosts = registry.get("/api/v1/sites/hosts", headers=h, params={"q": site["name"]}).json()
    assert hosts == []

    # The entry page may move within its prefix, never out of it.
    outside = registry.post(f"/api/v1/sites/{site['id']}/filings", headers=h, json={
        "kind": "rename", "payload": {"new_name": site["name"] + "（新）",
                                      "new_homepage_url": portal["homepage_url"] + "other/"}})
    assert outside.status_code == 422 and "网址前缀" in _message(outside)


def test_the_prefix_defaults_to_the_entry_pages_directory(registry, login):
    portal = _portal(registry, login)
    body = _column(portal, "zwgk/bm/jyj/")
    del body["url_prefix"]
    created = registry.post("/api/v1/sites", headers=login(SUP), json=body)
    assert created.status_code == 201, created.text
    site = registry.get(f"/api/v1/sites/{created.json()['subject_id']}", headers=login(SUP)).json()
    assert site["url_prefix"] == portal["homepage_url"].rstrip("/") + "/zwgk/bm/jyj/"


def test_a_prefix_must_be_on_its_host_sites_domain(registry, login):
    portal = _portal(registry, login)
    h = login(SUP)
    body = _column(portal, "bmzl/a/")
    body["url_prefix"], body["homepage_url"] = "https://elsewhere.weinan.gov.cn/a/", "https://elsewhere.weinan.gov.cn/a/"
    refused = registry.post("/api/v1/sites", headers=h, json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"]["code"] == "prefix_off_host" and "所在网站" in refused.json()["detail"]["message"]

    missing = registry.post("/api/v1/sites", headers=h, json=_column(portal, "bmzl/b/", host_site_id=999999))
    assert missing.status_code == 422 and missing.json()["detail"]["code"] == "unknown_host_site"

    no_host = _column(portal, "bmzl/c/")
    del no_host["host_site_id"]
    assert registry.post("/api/v1/sites", headers=h, json=no_host).status_code == 422

    entry_outside = _column(portal, "bmzl/d/", homepage_url=portal["homepage_url"] + "bmzl/e/index.html")
    response = registry.post("/api/v1/sites", headers=h, json=entry_outside)
    assert response.status_code == 422 and "专栏入口网址应在网址前缀之下" in _message(response)

    # A site is not a 专栏: host and prefix are refused on it.
    host, _ = new_unit(CITY)
    site = site_payload(host, org_id(CITY), url_prefix=portal["homepage_url"] + "x/")
    response = registry.post("/api/v1/sites", headers=h, json=site)
    assert response.status_code == 422 and "只有信息公开专栏" in _message(response)


def test_a_column_cannot_host_a_column_nor_share_a_prefix(registry, login):
    portal = _portal(registry, login)
    h = login(SUP)
    first = registry.post("/api/v1/sites", headers=h, json=_column(portal, "bmzl/same/"))
    assert first.status_code == 201
    again = registry.post("/api/v1/sites", headers=h, json=_column(portal, "bmzl/same/"))
    assert again.status_code == 409 and again.json()["detail"]["code"] == "duplicate_prefix"
    # …/same (no slash) is the same prefix: it is normalised to a directory, so …/samezx/ stays another 专栏.
    assert registry.post("/api/v1/sites", headers=h, json=_column(
        portal, "bmzl/same", homepage_url=portal["homepage_url"] + "bmzl/same/")).status_code == 409
    assert registry.post("/api/v1/sites", headers=h, json=_column(portal, "bmzl/samezx/")).status_code == 201
    nested = _column(portal, "bmzl/same/sub/", host_site_id=first.json()["subject_id"])
    response = registry.post("/api/v1/sites", headers=h, json=nested)
    assert response.status_code == 422 and response.json()["detail"]["code"] == "unknown_host_site"


def test_one_column_per_unit_in_principle_beside_its_own_site(registry, login):
    portal = _portal(registry, login)
    h = login(SUP)
    body = _column(portal, "bmzl/u1/")
    # The unit's own website does not stop its 专栏 (they are counted apart) …
    own = registry.post("/api/v1/sites", headers=h, json=site_payload(body["host_org_id"], org_id(CITY)))
    assert own.status_code == 201, own.text
    assert registry.post("/api/v1/sites", headers=h, json=body).status_code == 201
    # … a second 专栏 of the same unit needs a recorded reason.
    second = {**_column(portal, "bmzl/u2/"), "host_org_id": body["host_org_id"]}
    refused = registry.post("/api/v1/sites", headers=h, json=second)
    assert refused.status_code == 409 and "原则上一个单位只开设一个专栏" in refused.json()["detail"]["message"]
    assert registry.post("/api/v1/sites", headers=h,
                         json={**second, "override_reason": "机构改革过渡期"}).status_code == 201


def test_a_change_filing_cannot_turn_a_site_into_a_column_or_back(registry, login):
    portal = _portal(registry, login)
    h = login(SUP)
    filing = registry.post("/api/v1/sites", headers=h, json=_column(portal, "bmzl/kind/")).json()
    column = filing["subject_id"]
    open_filing = registry.get("/api/v1/filings", headers=h, params={"subject_id": portal["id"], "subject_kind": "site"})
    for f in [filing, *open_filing.json()["items"]]:
        assert upload(registry, h, f["id"], "approval_document").status_code == 201
        assert registry.post(f"/api/v1/filings/{f['id']}/approve", headers=login(DECIDER),
                             json={"note": "同意"}).status_code == 200
    for site_id, kind, code in ((portal["id"], "column", "column_kind_fixed"), (column, "department", "column_kind_fixed"),
                                (portal["id"], "网站", "invalid_kind")):
        refused = registry.post(f"/api/v1/sites/{site_id}/filings", headers=h,
                                json={"kind": "change", "payload": {"kind": kind}})
        assert refused.status_code == 422 and refused.json()["detail"]["code"] == code, refused.text
    # A change that keeps the kind is filed as before.
    assert registry.post(f"/api/v1/sites/{column}/filings", headers=h,
                         json={"kind": "change", "payload": {"kind": "column"}}).status_code == 201


def test_a_column_is_not_imported_in_bulk_and_exports_with_its_label(registry, login):
    """A 专栏 needs its host site and prefix, which the spreadsheet layout has no place for: a row typed 信息公开专栏
    is refused in Chinese; an export names the kind 信息公开专栏."""
    import io

    from openpyxl import load_workbook

    from tests.registry.test_imports import SITE_HEADERS, post, xlsx

    _, unit = new_unit(CITY)
    rows = [["某局信息公开专栏", "https://www.weinan.gov.cn/bmzl/x/", "信息公开专栏", "", "", "", "否", unit, CITY]]
    refused = post(registry, login(SUP), "sites", xlsx(SITE_HEADERS, rows), "专栏.xlsx")
    assert refused.status_code == 422
    assert refused.json()["detail"]["errors"][0]["message"].startswith("信息公开专栏须逐个登记")
    portal = _portal(registry, login)
    created = registry.post("/api/v1/sites", headers=login(SUP), json=_column(portal, "bmzl/export/"))
    name = registry.get(f"/api/v1/sites/{created.json()['subject_id']}", headers=login(SUP)).json()["name"]
    exported = registry.get("/api/v1/sites/export", headers=login(SUP), params={"q": name, "format": "xlsx"})
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == name)
    assert "信息公开专栏" in row
