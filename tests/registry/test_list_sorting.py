"""List sorting (issue 16): the site, account and filing lists sort by their main columns on the server, with
whitelisted keys (anything else a zh-CN 422); keyset pages stay right for every sort, a column with empty values
(网站标识码) included."""
import pytest

from tests.registry.helpers import new_unit, org_id, site_payload
from tests.registry.test_list_read_path import listed, orm_page, principal

SUPERVISOR = "weinan_supervisor"


def _follow(registry, headers, path: str, sort: str, **params) -> list[int]:
    ids, cursor = [], None
    while True:
        page = registry.get(path, headers=headers, params={"sort": sort, "limit": 7, **params,
                                                          **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        ids += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return ids


@pytest.fixture(scope="module")
def sites_without_codes(registry, login) -> None:
    """Sites with no 网站标识码 (NULL): they sort as empty text, first ascending, last descending."""
    for _ in range(3):
        unit, _ = new_unit("渭南市")
        body = site_payload(unit, org_id("渭南市"))
        body.pop("site_code")
        assert registry.post("/api/v1/sites", headers=login("weinan_admin"), json=body).status_code == 201


@pytest.mark.parametrize("path,sort", [
    ("/api/v1/sites", "site_code"), ("/api/v1/sites", "-site_code"), ("/api/v1/sites", "kind"),
    ("/api/v1/sites", "-kind"), ("/api/v1/accounts", "platform_id"), ("/api/v1/accounts", "-platform_id"),
    ("/api/v1/accounts", "-state")])
def test_new_sort_keys_page_by_keyset_as_the_orm_orders(registry, login, sites_without_codes, path, sort):
    headers = login(SUPERVISOR)
    whole = [item["id"] for item in listed(registry, headers, path, sort=sort)["items"]]
    assert _follow(registry, headers, path, sort) == whole  # every row once, in order, across pages
    assert orm_page(path, principal(headers), {"sort": sort})[0] == whole
    if path.endswith("sites") and sort.endswith("site_code"):
        items = listed(registry, headers, path, sort=sort)["items"]
        codes = [item["site_code"] or "" for item in items]
        assert codes == sorted(codes, reverse=sort.startswith("-")) and "" in codes


@pytest.mark.parametrize("sort", ["subject_name", "-subject_name", "kind", "state", "-requested_at", "decided_at"])
def test_filings_sort_by_their_columns(registry, login, sort):
    items = registry.get("/api/v1/filings", headers=login(SUPERVISOR),
                         params={"sort": sort, "limit": 100}).json()["items"]
    name = sort.lstrip("-")
    values = [item[name] for item in items if item[name] is not None]
    assert len(values) > 5
    assert values == sorted(values, reverse=sort.startswith("-"))


@pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/accounts", "/api/v1/filings"])
@pytest.mark.parametrize("sort", ["password", "-org_path; DROP TABLE x", "requested_by"])
def test_an_unknown_sort_key_is_a_chinese_422(registry, login, path, sort):
    response = registry.get(path, headers=login(SUPERVISOR), params={"sort": sort})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_sort" and detail["message"].startswith("不支持的排序字段")
    assert detail["field"] == "sort"
