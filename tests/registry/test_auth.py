"""Tokens: password and client-credentials grants, JWKS verification, expiry, forgery, revocation."""
import base64
import json
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
import pytest
from jose import jwt
from sqlmodel import Session, delete

from services.common.auth import JwksVerifier
from services.common.db import get_engine
from services.common.errors import ApiError
from services.common.settings import get_settings
from services.registry.auth.keys import get_signing_key
from services.registry.demo.loader import load
from services.registry.users.models import ApiClient
from tests.registry.helpers import org_id




def claims(**overrides) -> dict:
    now = int(time.time())
    return {"iss": get_settings().jwt_issuer, "sub": "user:1", "org_id": 1, "org_path": "/1/", "role": "admin",
            "ver": 0, "iat": now, "exp": now + 600, "jti": "x", **overrides}


def call_me(registry, token: str):
    return registry.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_password_grant_returns_rs256_token_verifiable_by_jwks(registry):
    response = registry.post("/api/v1/auth/token", data={"username": "linwei_supervisor", "password": "Govwatch@2024"})
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "supervisor" and body["token_type"] == "bearer"
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    jwks = registry.get("/.well-known/jwks.json").json()
    principal = JwksVerifier(lambda: jwks).verify(body["access_token"])
    assert principal.org_path == body["org_path"] and principal.name == "临渭区政务公开办"


def test_wrong_password_and_unknown_user_answer_alike(registry):
    for form in ({"username": "linwei_supervisor", "password": "wrong-password"},
                 {"username": "nobody_here", "password": "wrong-password"}):
        response = registry.post("/api/v1/auth/token", data=form)
        assert response.status_code == 401 and response.json()["detail"]["code"] == "invalid_credentials"


def test_client_credentials_grant(registry):
    settings = get_settings()
    response = registry.post("/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": settings.service_client_id,
        "client_secret": settings.service_client_secret})
    assert response.status_code == 200 and response.json()["role"] == "service"
    bad = registry.post("/api/v1/auth/token", data={"grant_type": "client_credentials",
                                                     "client_id": settings.service_client_id, "client_secret": "x"})
    assert bad.status_code == 401
    odd = registry.post("/api/v1/auth/token", data={"grant_type": "implicit"})
    assert odd.status_code == 400 and odd.json()["detail"]["code"] == "unsupported_grant_type"


def test_reloading_the_demo_adds_a_missing_service_client(registry):
    """An installation whose demo data predates the reporting service's own client gets it on the next
    `./infra/up` (the demo load runs again and leaves everything else alone)."""
    settings = get_settings()
    with Session(get_engine()) as session:
        session.exec(delete(ApiClient).where(ApiClient.client_id == settings.reporting_client_id))
        session.commit()
        assert load(session) is False
    response = registry.post("/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": settings.reporting_client_id,
        "client_secret": settings.reporting_client_secret})
    assert response.status_code == 200 and response.json()["role"] == "service"


def test_missing_expired_forged_and_alg_none_tokens_are_refused(registry):
    assert registry.get("/api/v1/auth/me").status_code == 401
    key = get_signing_key()
    expired = jwt.encode(claims(exp=int(time.time()) - 5), key.pem, algorithm="RS256", headers={"kid": key.kid})
    assert "过期" in call_me(registry, expired).json()["detail"]["message"]

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    forged = jwt.encode(claims(), other, algorithm="RS256", headers={"kid": key.kid})
    assert call_me(registry, forged).status_code == 401

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    none_token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."
    response = call_me(registry, none_token)
    assert response.status_code == 401 and response.json()["detail"]["code"] == "unauthorized"

    public_pem = key.jwk["n"]  # HS256 signed with public material: the classic key-confusion attack
    confused = jwt.encode(claims(), public_pem, algorithm="HS256", headers={"kid": key.kid})
    assert call_me(registry, confused).status_code == 401
    assert call_me(registry, "not.a.token").status_code == 401


def test_password_change_revokes_outstanding_tokens(registry, login):
    admin = login("weinan_admin")
    user = registry.post("/api/v1/users", headers=admin, json={
        "username": "revoke_me", "display_name": "撤销测试", "org_id": org_id("渭南市"), "role": "viewer",
        "password": "Initial#Pass1"}).json()
    old = registry.post("/api/v1/auth/token", data={"username": "revoke_me", "password": "Initial#Pass1"}).json()
    assert call_me(registry, old["access_token"]).status_code == 200
    changed = registry.post("/api/v1/auth/password", headers={"Authorization": f"Bearer {old['access_token']}"},
                            json={"current_password": "Initial#Pass1", "new_password": "Second#Pass2"})
    assert changed.status_code == 204
    assert call_me(registry, old["access_token"]).json()["detail"]["message"].startswith("令牌已被撤销")
    new = registry.post("/api/v1/auth/token", data={"username": "revoke_me", "password": "Second#Pass2"}).json()
    assert call_me(registry, new["access_token"]).status_code == 200

    registry.patch(f"/api/v1/users/{user['id']}", headers=admin, json={"is_active": False})
    assert call_me(registry, new["access_token"]).status_code == 401
    relogin = registry.post("/api/v1/auth/token", data={"username": "revoke_me", "password": "Second#Pass2"})
    assert relogin.status_code == 401


def test_jwks_verifier_refetches_on_unknown_kid():
    fetched = []
    key = get_signing_key()

    def fetch():
        fetched.append(1)
        return {"keys": []} if len(fetched) == 1 else key.jwks()

    verifier = JwksVerifier(fetch, ttl=3600)
    token = jwt.encode(claims(), key.pem, algorithm="RS256", headers={"kid": key.kid})
    assert verifier.verify(token).sub == "user:1" and len(fetched) == 2
    with pytest.raises(ApiError):
        verifier.verify(jwt.encode(claims(), key.pem, algorithm="RS256", headers={"kid": "unknown"}))


def test_me_names_the_callers_unit_and_its_ancestors(registry, login):
    me = registry.get("/api/v1/auth/me", headers=login("minzheng_operator")).json()
    assert [o["name"] for o in me["organisations"]] == ["陕西省", "渭南市", "渭南市民政局"]
    assert me["role"] == "operator" and me["org_id"] == me["organisations"][-1]["id"]
