"""Shared fixtures. `./infra/test` provides the real services and the environment (database, Redis,
S3 store); the registry's demo inventory is loaded once per session and tests add what they change."""
import os
from collections.abc import AsyncIterator, Iterator
from functools import cache

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

if "GOVWATCH_DATABASE_URL" not in os.environ:
    pytest.exit("run the tests with ./infra/test (it starts the services and sets the environment)", 2)

from services.common.db import get_engine  # noqa: E402
from services.registry.demo.loader import DEFAULT_PASSWORD, load  # noqa: E402
from services.registry.main import app as registry_app  # noqa: E402


@pytest.fixture(scope="session")
def demo_loaded() -> None:
    with Session(get_engine()) as session:
        load(session)


@pytest.fixture(scope="session")
def registry(demo_loaded: None) -> Iterator[TestClient]:
    with TestClient(registry_app) as client:
        yield client


@pytest.fixture
def session() -> Iterator[Session]:
    with Session(get_engine()) as s:
        yield s


@cache
def _token(client_id: int, username: str, password: str) -> str:
    client = _clients[client_id]
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


_clients: dict[int, TestClient] = {}


@pytest.fixture(scope="session")
def login(registry: TestClient):
    """login("weinan_supervisor") → Authorization headers (tokens cached for the session)."""
    _clients[id(registry)] = registry

    def headers(username: str, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {_token(id(registry), username, password)}"}

    return headers


@pytest.fixture(scope="session", autouse=True)
async def feed_clients_closed() -> AsyncIterator[None]:
    """The account checks keep their feed clients per event loop (as a worker does for its life); the tests'
    session loop closes them at its end, as the worker's shutdown does."""
    yield
    from services.checker.platforms import transport
    await transport.close_clients()
