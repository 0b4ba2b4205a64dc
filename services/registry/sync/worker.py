"""The push worker: claims due outbox rows (FOR UPDATE SKIP LOCKED, so any number of workers may run),
pushes each to the national system with its idempotency key, and records the outcome.

The row stays locked in its transaction while it is pushed: a worker killed mid-push leaves the row
`pending` (its transaction dies with it) and another worker pushes it again with the same key, which the
national system de-duplicates. Per subject, rows go out in order (a later row waits for earlier open ones).
"""
import logging
import random
import signal
import threading
import time
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session

from services.common.db import get_engine
from services.common.settings import Settings, get_settings, require_client_secrets
from services.registry.models_base import utcnow
from services.registry.sync.models import OutboxRow, OutboxState
from services.registry.sync.service import claim_query

log = logging.getLogger("govwatch.sync")


class NationalClient:
    """Client-credentials REST client of the national system (token cached until shortly before expiry)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.http = httpx.Client(base_url=self.settings.national_url, timeout=self.settings.national_timeout_seconds)
        self._token: str | None = None
        self._expires = 0.0

    def close(self) -> None:
        self.http.close()

    def token(self, refresh: bool = False) -> str:
        if refresh or self._token is None or time.monotonic() > self._expires:
            response = self.http.post("/oauth/token", data={
                "grant_type": "client_credentials", "client_id": self.settings.national_client_id,
                "client_secret": self.settings.national_client_secret})
            response.raise_for_status()
            body = response.json()
            self._token = body["access_token"]
            self._expires = time.monotonic() + max(30, int(body.get("expires_in", 300)) - 30)
        return self._token

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        response = self.http.request(method, path, headers={**headers, "Authorization": f"Bearer {self.token()}"},
                                     **kwargs)
        if response.status_code == 401:
            response = self.http.request(method, path, headers={
                **headers, "Authorization": f"Bearer {self.token(refresh=True)}"}, **kwargs)
        return response

    def push(self, row: OutboxRow) -> httpx.Response:
        return self.request("POST", "/api/records", json=row.record, headers={"Idempotency-Key": row.key})

    def status(self, key: str) -> httpx.Response:
        return self.request("GET", f"/api/records/{key}")

    def register(self, kind: str | None, org_path: str | None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"type": kind, "org_path": org_path}.items() if v}
        response = self.request("GET", "/api/register", params=params)
        response.raise_for_status()
        return response.json()["items"]


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
        text = body.get("message") or body.get("error") or str(body) if isinstance(body, dict) else str(body)
        code = body.get("code") if isinstance(body, dict) else None
        return f"HTTP {response.status_code}" + (f" {code}" if code else "") + f": {text}"
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:500]}"


def backoff(settings: Settings, attempts: int) -> timedelta:
    delay = min(settings.national_backoff_seconds * 2 ** max(0, attempts - 1), settings.national_backoff_max_seconds)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def _transient(row: OutboxRow, settings: Settings, error: str, status: int | None) -> None:
    row.attempts += 1
    row.last_error, row.last_status = error[:2000], status
    if row.attempts >= settings.national_max_attempts:
        row.state = OutboxState.failed
    else:
        row.next_attempt_at = utcnow() + backoff(settings, row.attempts)


def handle(row: OutboxRow, client: NationalClient, settings: Settings) -> None:
    """One push (or, for a `sent` row, one acknowledgement query); updates the row in place."""
    now = utcnow()
    row.updated_at = now
    try:
        response = client.status(row.key) if row.state == OutboxState.sent else client.push(row)
    except httpx.HTTPError as exc:
        _transient(row, settings, f"{type(exc).__name__}: {exc}"[:2000], None)
        return
    status = response.status_code
    if row.state == OutboxState.sent and status == 404:
        # The national system lost a record it had accepted: push it again (same key).
        row.state, row.next_attempt_at, row.last_status = OutboxState.pending, now, status
        row.last_error = "national system no longer knows the record; pushing again"
        return
    if status in (200, 201, 202):
        body = response.json()
        row.national_id = body.get("national_id") or row.national_id
        row.last_status, row.last_error = status, None
        if body.get("status") == "acknowledged":
            row.state, row.acknowledged_at = OutboxState.acknowledged, now
            row.sent_at = row.sent_at or now
        else:
            row.state, row.sent_at = OutboxState.sent, row.sent_at or now
            row.attempts += 1
            row.next_attempt_at = now + backoff(settings, row.attempts)  # poll for the acknowledgement
        return
    if status in (408, 409, 425, 429) or status >= 500:
        _transient(row, settings, _error_text(response), status)
        return
    # Anything else is the national system's refusal of the record: not retried automatically.
    row.attempts += 1
    row.state, row.last_error, row.last_status = OutboxState.failed, _error_text(response), status


def process_one(client: NationalClient, settings: Settings | None = None) -> bool:
    """Claims and handles one due row; False when nothing was due."""
    settings = settings or get_settings()
    with Session(get_engine()) as session:
        row = session.exec(claim_query()).first()
        if row is None:
            session.rollback()
            return False
        handle(row, client, settings)
        session.add(row)
        session.commit()
        log.info("outbox %s (%s %s %s): %s", row.id, row.subject_kind, row.subject_id, row.action, row.state)
        return True


def drain(client: NationalClient | None = None, max_rows: int = 10_000) -> int:
    """Processes due rows until none is due (tests and one-shot runs)."""
    own = client is None
    client = client or NationalClient()
    try:
        done = 0
        while done < max_rows and process_one(client):
            done += 1
        return done
    finally:
        if own:
            client.close()


def run(stop: threading.Event | None = None, once: bool = False) -> None:
    settings = get_settings()
    stop = stop or threading.Event()
    client = NationalClient(settings)
    last_reconcile = time.monotonic()
    log.info("sync worker pushing to %s", settings.national_url)
    try:
        while not stop.is_set():
            try:
                busy = process_one(client, settings)
            except Exception:  # noqa: BLE001 - the loop survives database or network trouble
                log.exception("sync worker iteration failed")
                busy = False
            if settings.national_reconcile_minutes > 0 and \
                    time.monotonic() - last_reconcile > settings.national_reconcile_minutes * 60:
                last_reconcile = time.monotonic()
                try:
                    from services.registry.sync import reconciliation
                    reconciliation.scheduled(client)
                except Exception:  # noqa: BLE001
                    log.exception("scheduled reconciliation failed")
            if once and not busy:
                return
            if not busy:
                stop.wait(settings.national_poll_seconds)
    finally:
        client.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    require_client_secrets("national_client_secret")  # no start with an empty or well-known secret
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run(stop)
