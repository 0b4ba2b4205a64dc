import os
from collections.abc import Iterator

import pytest

from services.common.settings import get_settings
from tests.checker.crawl.govsite import build_site
from tests.fixtures.hostile import GarbageServer, RawServer, hostile_routes


@pytest.fixture(scope="session", autouse=True)
def allow_private_targets() -> Iterator[None]:
    """The test servers live on 127.0.0.0/8, which the SSRF guard refuses by default."""
    previous = os.environ.get("GOVWATCH_ALLOW_PRIVATE_TARGETS")
    os.environ["GOVWATCH_ALLOW_PRIVATE_TARGETS"] = "1"
    get_settings.cache_clear()
    yield
    if previous is None:
        os.environ.pop("GOVWATCH_ALLOW_PRIVATE_TARGETS", None)
    else:
        os.environ["GOVWATCH_ALLOW_PRIVATE_TARGETS"] = previous
    get_settings.cache_clear()


@pytest.fixture
def private_targets_refused(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("GOVWATCH_ALLOW_PRIVATE_TARGETS", raising=False)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def hostile() -> Iterator[RawServer]:
    server = RawServer("127.0.0.2", hostile_routes()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def garbage() -> Iterator[RawServer]:
    server = GarbageServer("127.0.0.2").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def site(hostile: RawServer) -> Iterator[RawServer]:
    server = RawServer("127.0.0.3")
    server.routes.update(build_site(hostile))
    server.start()
    yield server
    server.stop()
