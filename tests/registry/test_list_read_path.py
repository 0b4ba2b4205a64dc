"""The lean read path of the site and account lists (issue 13): the same rows, order and totals as the ORM
path for every scope, filter, search and sort; keyset paging; estimated totals; bad cursors; revocation."""
import base64
import json

import pytest
from jose import jwt
from sqlmodel import Session

from services.common.auth import Principal
from services.common.db import get_engine
from services.common.settings import get_settings
from services.registry import listing
from services.registry.accounts import service as accounts
from services.registry.sites import service as sites
from services.registry.sites.models import SitePublic
from tests.registry.helpers import org_id

USERS = ("weinan_supervisor", "hancheng_supervisor", "linwei_supervisor", "weinan_viewer")


def principal(headers: dict[str, str]) -> Principal:
    return Principal.model_validate(jwt.get_unverified_claims(headers["Authorization"].split()[1]))


def listed(registry, headers, path: str, **params):
    response = registry.get(path, headers=headers, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()


def orm_page(path: str, who: Principal, params: dict) -> tuple[list[int], int]:
    """The rows the ORM path (services' list_sites/list_accounts, the rule before issue 13) gives."""
    sort = params.pop("sort", "id")
    with Session(get_engine()) as session:
        if path.endswith("sites"):
            rows, total = sites.list_sites(session, who, sort=sort, limit=500, offset=0, **params)
        else:
            rows, total = accounts.list_accounts(session, who, sort=sort, limit=500, offset=0, **params)
    return [r.id for r in rows], total


SITE_CASES = [{}, {"state": "active"}, {"kind": "portal"}, {"q": "政府"}, {"q": "GOV.CN"}, {"q": "HTTP://127.0"},
              {"q": "%"}, {"q": "_"}, {"q": "\\"}, {"q": "/"}, {"sort": "-name"}, {"sort": "updated_at"},
              {"sort": "-state"},
              {"state": "active", "kind": "department", "sort": "-created_at"}]
ACCOUNT_CASES = [{}, {"platform": "weibo"}, {"state": "active"}, {"q": "发布"}, {"q": "WEINAN"},
                 {"sort": "-registered_name"}, {"sort": "platform"}, {"sort": "-updated_at", "q": "渭南"}]


@pytest.mark.parametrize("user", USERS)
def test_same_rows_order_and_total_as_the_orm_path(registry, login, user):
    headers = login(user)
    who = principal(headers)
    subtrees = {"org_id": org_id("韩城市")}, {"org_id": org_id("渭南市")}, {"org_id": 2_000_000_000}
    for path, cases in (("/api/v1/sites", SITE_CASES + list(subtrees)),
                        ("/api/v1/accounts", ACCOUNT_CASES + list(subtrees))):
        for params in cases:
            body = listed(registry, headers, path, **params)
            ids, total = orm_page(path, who, dict(params))
            assert [item["id"] for item in body["items"]] == ids, (path, params)
            assert body["total"] == total and body["total_estimated"] is False, (path, params)
            assert all(item["org_path"].startswith(who.org_path) for item in body["items"])


def test_scope_hides_other_subtrees_and_filters_hold(registry, login):
    hancheng = login("hancheng_supervisor")
    outside = listed(registry, hancheng, "/api/v1/sites", org_id=org_id("临渭区"))
    assert outside["items"] == [] and outside["total"] == 0
    weinan = listed(registry, login("weinan_supervisor"), "/api/v1/sites")
    mine = listed(registry, hancheng, "/api/v1/sites")
    assert 0 < mine["total"] < weinan["total"]
    active = listed(registry, login("weinan_supervisor"), "/api/v1/accounts", state="active", platform="weibo")
    assert active["items"] and {(a["state"], a["platform"]) for a in active["items"]} == {("active", "weibo")}
    # Fields are the public model's: nothing else leaks (e.g. the stored search text).
    assert set(weinan["items"][0]) == set(SitePublic.model_fields)


@pytest.mark.parametrize("path,sort", [("/api/v1/sites", "id"), ("/api/v1/sites", "-name"),
                                       ("/api/v1/sites", "updated_at"), ("/api/v1/accounts", "-created_at"),
                                       ("/api/v1/accounts", "platform")])
def test_keyset_pages_follow_next_cursor_to_the_end(registry, login, path, sort):
    headers = login("weinan_supervisor")
    whole = [item["id"] for item in listed(registry, headers, path, sort=sort)["items"]]
    assert len(whole) > 7
    seen, cursor = [], None
    while True:
        params = {"sort": sort, "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = listed(registry, headers, path, **params)
        seen += [item["id"] for item in body["items"]]
        assert body["total"] == len(whole)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == whole


def test_estimated_total_past_the_threshold(registry, login, monkeypatch):
    headers = login("weinan_supervisor")
    exact = listed(registry, headers, "/api/v1/sites")
    monkeypatch.setattr(listing, "COUNT_EXACT_UP_TO", 3)
    estimated = listed(registry, headers, "/api/v1/sites", count="estimate")
    assert estimated["total_estimated"] is True and estimated["total"] > 3
    assert [i["id"] for i in estimated["items"]] == [i["id"] for i in exact["items"]]
    # The default stays exact: services page through `total` and reports print it.
    assert listed(registry, headers, "/api/v1/sites") == exact and exact["total_estimated"] is False
    code = exact["items"][0]["site_code"]
    few = listed(registry, headers, "/api/v1/sites", q=code, count="estimate")
    assert few["total_estimated"] is False and few["total"] == len(few["items"]) >= 1


def _cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("params", [
    {"cursor": "不是游标"}, {"cursor": "!!!"}, {"cursor": _cursor(["-name", "甲", 1])},
    {"cursor": _cursor(["id", 1, "1"])}, {"cursor": _cursor(["id", 1, 2**40])},
    {"cursor": _cursor(["updated_at", "昨天", 1]), "sort": "updated_at"}, {"cursor": _cursor({"id": 1})},
    {"cursor": _cursor(["id", 1, 1]), "offset": 50}, {"sort": "password"}, {"count": "all"},
])
def test_bad_cursor_sort_or_count_is_a_chinese_422(registry, login, params):
    response = registry.get("/api/v1/sites", headers=login("weinan_supervisor"), params=params)
    assert response.status_code == 422, response.text
    message = response.json()["detail"]["message"] if isinstance(response.json()["detail"], dict) \
        else response.json()["detail"][0]["msg"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and "Traceback" not in response.text


def test_revoked_or_missing_tokens_are_refused_and_services_still_read(registry, login):
    admin = login("weinan_admin")
    user = registry.post("/api/v1/users", headers=admin, json={
        "username": "list_reader", "display_name": "列表读取", "org_id": org_id("渭南市"), "role": "viewer",
        "password": "Initial#Pass1"}).json()
    token = registry.post("/api/v1/auth/token", data={"username": "list_reader",
                                                      "password": "Initial#Pass1"}).json()["access_token"]
    reader = {"Authorization": f"Bearer {token}"}
    assert registry.get("/api/v1/accounts", headers=reader).status_code == 200
    registry.patch(f"/api/v1/users/{user['id']}", headers=admin, json={"is_active": False})
    for path in ("/api/v1/sites", "/api/v1/accounts"):
        refused = registry.get(path, headers=reader)
        assert refused.status_code == 401 and refused.json()["detail"]["message"].startswith("令牌已被撤销")
        assert registry.get(path).status_code == 401
        assert registry.get(path, headers={"Authorization": "Bearer not.a.token"}).status_code == 401
    settings = get_settings()
    service = registry.post("/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": settings.service_client_id,
        "client_secret": settings.service_client_secret}).json()["access_token"]
    assert listed(registry, {"Authorization": f"Bearer {service}"}, "/api/v1/sites")["total"] > 0
