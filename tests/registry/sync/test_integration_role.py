"""The inbound side: an integration client (client-credentials token, `integration` role) reads sites,
accounts and the checker's inspections of its scope, and changes nothing."""
import itertools
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from services.common.auth import JwksVerifier
from services.common.db import get_engine
from services.registry.auth.keys import get_signing_key
from tests.registry.helpers import org_id

_n = itertools.count(1)


@pytest.fixture
def integration(registry, login) -> dict[str, str]:
    """An integration client of 韩城市, created by the city admin; its bearer headers."""
    client_id = f"national-hancheng-{next(_n)}-{id(registry) % 10000}"
    created = registry.post("/api/v1/clients", headers=login("weinan_admin"), json={
        "client_id": client_id, "name": "全国报送系统（韩城）", "org_id": org_id("韩城市"), "role": "integration"})
    assert created.status_code == 201, created.text
    token = registry.post("/api/v1/auth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                       "client_secret": created.json()["client_secret"]})
    assert token.status_code == 200 and token.json()["role"] == "integration"
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_integration_reads_sites_and_accounts_of_its_scope_only(registry, login, integration):
    hancheng = registry.get(f"/api/v1/orgs/{org_id('韩城市')}", headers=login("weinan_supervisor")).json()["path"]
    for kind in ("sites", "accounts"):
        page = registry.get(f"/api/v1/{kind}", headers=integration, params={"limit": 500})
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        assert items and all(i["org_path"].startswith(hancheng) for i in items)
        city = registry.get(f"/api/v1/{kind}", headers=login("weinan_supervisor"), params={"limit": 500}).json()
        outside = next(i for i in city["items"] if not i["org_path"].startswith(hancheng))
        assert registry.get(f"/api/v1/{kind}/{outside['id']}", headers=integration).status_code == 404
        assert registry.get(f"/api/v1/{kind}/{items[0]['id']}", headers=integration).status_code == 200
        assert registry.get(f"/api/v1/{kind}/export", headers=integration).status_code == 200
    assert registry.get("/api/v1/filings", headers=integration).status_code == 200


def test_integration_changes_nothing(registry, login, integration):
    site = registry.get("/api/v1/sites", headers=integration).json()["items"][0]
    assert registry.post(f"/api/v1/sites/{site['id']}/filings", headers=integration,
                         json={"kind": "suspend"}).status_code == 403
    assert registry.post("/api/v1/sync/reconciliations", headers=integration, json={}).status_code == 403
    assert registry.post("/api/v1/sync/outbox/1/retry", headers=integration).status_code == 403
    assert registry.get("/api/v1/audit", headers=integration).status_code == 403


@pytest.fixture
def checker(registry) -> Iterator[TestClient]:
    """The checker app in-process, verifying registry tokens with the registry's own key (no JWKS fetch)."""
    from services.checker.main import app
    saved = app.state.verifier
    app.state.verifier = JwksVerifier(lambda: get_signing_key().jwks())
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.state.verifier = saved


def test_integration_reads_inspections_of_its_scope(registry, login, integration, checker):
    from services.checker.inspections.models import Inspection
    from services.registry.models_base import utcnow
    hancheng = registry.get(f"/api/v1/orgs/{org_id('韩城市')}", headers=login("weinan_supervisor")).json()
    city = registry.get(f"/api/v1/orgs/{org_id('渭南市')}", headers=login("weinan_supervisor")).json()
    with Session(get_engine()) as session:
        mine = Inspection(name="韩城市专项检查(集成测试)", scope_org_id=hancheng["id"], scope_org_path=hancheng["path"],
                          now=utcnow(), created_by="user:test", state="completed")
        other = Inspection(name="渭南市全面检查(集成测试)", scope_org_id=city["id"], scope_org_path=city["path"],
                           now=utcnow(), created_by="user:test", state="completed")
        session.add_all([mine, other])
        session.commit()
        mine_id, other_id = mine.id, other.id
    listed = checker.get("/api/v1/inspections", headers=integration, params={"limit": 500})
    assert listed.status_code == 200, listed.text
    ids = {i["id"] for i in listed.json()["items"]}
    assert mine_id in ids and other_id not in ids
    assert checker.get(f"/api/v1/inspections/{mine_id}", headers=integration).status_code == 200
    assert checker.get(f"/api/v1/inspections/{other_id}", headers=integration).status_code == 404
    results = checker.get(f"/api/v1/inspections/{mine_id}/results", headers=integration)
    assert results.status_code == 200 and results.json()["total"] == 0
    assert checker.get(f"/api/v1/inspections/{mine_id}/findings", headers=integration).status_code == 200
    # Running or reviewing stays with supervisors.
    assert checker.post("/api/v1/inspections", headers=integration,
                        json={"name": "集成客户端不能创建", "scope_org_id": hancheng["id"]}).status_code == 403
