"""The well-known default client secrets never authenticate, even where an old installation still holds
a client registered with one; the demo load (run again by ./infra/up) re-keys such a client to the
machine's generated secret and revokes its tokens."""
import time

from sqlmodel import Session, select

from services.common.auth import Role
from services.common.db import get_engine
from services.common.settings import get_settings
from services.registry.audit.models import AuditLog
from services.registry.auth.service import hash_secret
from services.registry.demo.loader import load
from services.registry.orgs.models import Organisation
from services.registry.users.models import ApiClient


def client_token(registry, client_id: str, secret: str):
    return registry.post("/api/v1/auth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                     "client_secret": secret})


def legacy_client(secret: str) -> str:
    """A service client registered with `secret`, as a demo machine loaded before this fix holds it."""
    client_id = f"legacy-checker-{int(time.time() * 1000)}"
    with Session(get_engine()) as session:
        root = session.exec(select(Organisation).where(Organisation.parent_id.is_(None))).one()
        session.add(ApiClient(client_id=client_id, name="旧版检查服务", org_id=root.id, role=Role.service,
                              secret_hash=hash_secret(secret)))
        session.commit()
    return client_id


def test_a_client_registered_with_a_well_known_secret_cannot_log_in(registry):
    for secret in ("change-me-checker-secret", "change-me"):  # settings' and compose's old defaults
        client_id = legacy_client(secret)
        refused = client_token(registry, client_id, secret)
        assert refused.status_code == 401 and refused.json()["detail"]["code"] == "invalid_credentials"


def test_reloading_the_demo_rekeys_a_legacy_service_client(registry):
    settings = get_settings()
    client_id = legacy_client("change-me-checker-secret")
    saved = settings.service_client_id
    settings.service_client_id = client_id  # this machine's checker client is the legacy one
    try:
        with Session(get_engine()) as session:
            assert load(session) is False  # ./infra/up run again on an upgraded machine
    finally:
        settings.service_client_id = saved
    assert client_token(registry, client_id, "change-me-checker-secret").status_code == 401
    fresh = client_token(registry, client_id, settings.service_client_secret)
    assert fresh.status_code == 200 and fresh.json()["role"] == "service"
    with Session(get_engine()) as session:
        client = session.exec(select(ApiClient).where(ApiClient.client_id == client_id)).one()
        assert client.token_version == 1  # tokens obtained with the public secret are revoked
        rekeyed = session.exec(select(AuditLog).where(AuditLog.action == "client.rekey",
                                                      AuditLog.entity_id == client.id)).all()
        assert len(rekeyed) == 1
