"""The national-system simulator (its own SQLite storage, uvicorn in a thread) and the registry's sync
settings pointed at it."""
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from services.common.db import get_engine
from services.common.settings import get_settings
from services.registry.sync.models import OutboxRow
from tests.fixtures.national import CLIENT_ID, CLIENT_SECRET, Simulator

SYNC_SETTINGS = {"national_client_id": CLIENT_ID, "national_client_secret": CLIENT_SECRET,
                 "national_backoff_seconds": 0.05, "national_backoff_max_seconds": 0.5,
                 "national_timeout_seconds": 2.0, "national_max_attempts": 8, "national_poll_seconds": 0.05}


@pytest.fixture
def national(tmp_path) -> Iterator[Simulator]:
    simulator = Simulator(str(tmp_path / "national.sqlite3")).start()
    settings = get_settings()
    saved = {k: getattr(settings, k) for k in [*SYNC_SETTINGS, "national_url"]}
    for key, value in {**SYNC_SETTINGS, "national_url": simulator.url}.items():
        setattr(settings, key, value)
    try:
        yield simulator
    finally:
        for key, value in saved.items():
            setattr(settings, key, value)
        simulator.stop()


def worker_env(simulator: Simulator) -> dict[str, str]:
    env = {f"GOVWATCH_{k.upper()}": str(v) for k, v in SYNC_SETTINGS.items()}
    env["GOVWATCH_NATIONAL_URL"] = simulator.url
    return env


def outbox_of(filing_ids: list[int]) -> list[OutboxRow]:
    with Session(get_engine()) as session:
        return list(session.exec(select(OutboxRow).where(OutboxRow.filing_id.in_(filing_ids))
                                 .order_by(OutboxRow.id)).all())
