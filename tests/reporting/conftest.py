"""Harness of the reporting tests: the real registry (uvicorn in a thread) and the real checker API (its
own uvicorn process) on loopback ports (the reporting service reaches both over HTTP with its service token, as in production), checker
results written into the checker's tables the way its workers write them, and the reporting app."""
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.checker.inspections.models import (
    Finding, Inspection, InspectionResult, InspectionState, InspectionTarget, ResultStatus, TargetKind, Verdict,
)
from services.common.db import get_engine
from services.common.settings import get_settings
from services.registry.accounts.models import Account
from services.registry.demo.data import platform_id as _platform_id
from services.registry.demo.loader import DEFAULT_PASSWORD, DEMO_NOTE
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site
from services.reporting.settings import get_reporting_settings
from tests.checker.inspections.harness import ThreadedUvicorn, free_port

ROOT = Path(__file__).resolve().parents[2]


class CheckerApi:
    """`uvicorn services.checker.main:app` as its own process (as deployed; it shares no state with us)."""

    def __init__(self, registry_url: str, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "GOVWATCH_REGISTRY_URL": registry_url, "PYTHONUNBUFFERED": "1"}
        uvicorn = Path(sys.executable).with_name("uvicorn")
        self.proc = subprocess.Popen([str(uvicorn), "services.checker.main:app", "--host", "127.0.0.1", "--port",
                                      str(self.port), "--log-level", "warning"], cwd=ROOT, env=env,
                                     stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self) -> "CheckerApi":
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"checker API exited ({self.proc.returncode})")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("checker API did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@pytest.fixture(scope="session")
def upstream(demo_loaded: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    settings, rs = get_settings(), get_reporting_settings()
    saved = (settings.registry_url, rs.checker_url)
    registry = ThreadedUvicorn("services.registry.main:app", free_port()).start()
    settings.registry_url = registry.url
    checker = CheckerApi(registry.url, tmp_path_factory.mktemp("checker-api") / "checker.log").wait()
    rs.checker_url = checker.url
    yield {"registry": registry.url, "checker": checker.url}
    checker.stop()
    registry.stop()
    settings.registry_url, rs.checker_url = saved


@pytest.fixture(scope="session")
def render_worker(upstream: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The reporting worker that renders issued notices (its own process, as deployed)."""
    from tests.reporting.issuing import reporting_worker
    worker = reporting_worker(upstream, tmp_path_factory.mktemp("reporting-worker") / "worker.log").start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def reporting(upstream: dict[str, str], render_worker: Any) -> Iterator[TestClient]:
    from services.reporting.main import app
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def auth(upstream: dict[str, str]):
    cache: dict[str, str] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in cache:
            response = httpx.post(f"{upstream['registry']}/api/v1/auth/token",
                                  data={"username": username, "password": DEFAULT_PASSWORD})
            assert response.status_code == 200, response.text
            cache[username] = response.json()["access_token"]
        return {"Authorization": f"Bearer {cache[username]}"}

    return headers


def org(session: Session, name: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.name == name)).one()


def registry_sites(session: Session, under: Organisation) -> list[Site]:
    return list(session.exec(select(Site).where(Site.org_path.startswith(under.path)).order_by(Site.id)).all())


def registry_accounts(session: Session, under: Organisation) -> list[Account]:
    return list(session.exec(select(Account).where(Account.org_path.startswith(under.path))
                             .order_by(Account.id)).all())


def make_inspection(session: Session, scope: Organisation, name: str, now: datetime,
                    targets: list[dict[str, Any]], state: InspectionState = InspectionState.completed,
                    window: tuple[datetime, datetime] | None = None) -> Inspection:
    """An inspection with its targets, results and findings, as the checker's workers leave them.

    targets: [{kind, target_id, name, org_path, url, platform, verdict, findings: [(code, severity, msg, data)],
               checked_at (default: now)}]
    """
    inspection = Inspection(name=name, scope_org_id=scope.id, scope_org_path=scope.path, now=now,
                            target_kinds=[TargetKind.site, TargetKind.account], state=state,
                            created_by="user:test", target_count=len(targets),
                            # A running one started just now, so no worker's orphan sweeper completes it under the test.
                            started_at=now if state == InspectionState.completed else datetime.now(UTC),
                            finished_at=now if state == InspectionState.completed else None,
                            window_start=window[0] if window else None, window_end=window[1] if window else None)
    session.add(inspection)
    session.flush()
    results = []
    for t in targets:
        kind = TargetKind(t["kind"])
        session.add(InspectionTarget(inspection_id=inspection.id, kind=kind, target_id=t["target_id"], name=t["name"],
                                     url=t.get("url"), platform=t.get("platform"), org_path=t["org_path"],
                                     facts={}, job_id=f"{inspection.id}:{kind}:{t['target_id']}"))
        row = InspectionResult(inspection_id=inspection.id, kind=kind, target_id=t["target_id"], name=t["name"],
                               url=t.get("url"), org_path=t["org_path"],
                               status=ResultStatus.error if t["verdict"] is None else ResultStatus.ok,
                               verdict=Verdict(t["verdict"]) if t["verdict"] else None,
                               score=100.0 if t["verdict"] == "pass" else 0.0, checked_at=t.get("checked_at") or now,
                               result={"target": {"kind": t["kind"], "id": t["target_id"],
                                                  ("url" if kind == TargetKind.site else "platform"):
                                                      t.get("url") or t.get("platform")},
                                       "indicator_set": "gov-2019"})
        results.append((row, t.get("findings") or []))
    session.add_all([r for r, _ in results])
    session.flush()
    for row, findings in results:
        for code, severity, message, data in findings:
            session.add(Finding(result_id=row.id, inspection_id=inspection.id, kind=row.kind, target_id=row.target_id,
                                indicator=code, severity=severity, message=message, data=data,
                                evidence=[{"url": row.url or "https://example.gov.cn/", "excerpt": message}]))
    session.commit()
    session.refresh(inspection)
    return inspection


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------------
# Seed 004 as inspections of 渭南市 (the demo inventory carries seed 004's sites and named accounts)


PLATFORM_OF_LABEL = {"微信订阅号": "wechat_subscription", "微信服务号": "wechat_service", "新浪微博": "weibo",
                     "抖音短视频": "douyin"}
EXTRA_ACCOUNT_BASE = 9_000_000  # accounts only the result targets know (not in the demo registry)


def seed004_targets(session: Session, *, previous: bool) -> list[dict[str, Any]]:
    from tests.reporting import seed004 as seed

    city = org(session, "渭南市")
    # The demo inventory's sites and accounts only (other test packages add their own under 渭南市).
    sites = [s for s in registry_sites(session, city) if s.rule_override_reason == DEMO_NOTE]
    assert len(sites) == seed.SITES_TOTAL, len(sites)
    by_name = {s.name: s for s in sites}
    targets: list[dict[str, Any]] = []
    site_rows = {} if previous else {name: (verdict, findings) for name, verdict, findings in seed.SITE_ROWS}
    prev_failing = {s.name for s in sites[-(seed.SITES_TOTAL - seed.PREV_SITES_PASSED):]} if previous else set()
    for site in sites:
        verdict, findings = site_rows.get(site.name, ("pass", []))
        if previous:
            verdict = "fail" if site.name in prev_failing else "pass"
        targets.append({"kind": "site", "target_id": site.id, "name": site.name, "org_path": site.org_path,
                        "url": site.homepage_url, "verdict": verdict, "findings": findings})
    assert all(name in by_name for name, _, _ in seed.SITE_ROWS)

    accounts = [a for a in registry_accounts(session, city)
                if a.platform_id == _platform_id(str(a.platform), a.registered_name)]
    named = {name: (label, findings) for name, label, findings, _ in seed.ACCOUNT_ROWS}
    account_targets = []
    for account in accounts:
        label, findings = named.get(account.registered_name, (None, []))
        verdict = "fail" if label and not previous else "pass"
        if label:
            assert PLATFORM_OF_LABEL[label] == account.platform, account.registered_name
        account_targets.append({"kind": "account", "target_id": account.id, "name": account.registered_name,
                                "org_path": account.org_path, "platform": str(account.platform),
                                "verdict": verdict, "findings": [] if previous else findings})
    assert sum(1 for t in account_targets if t["verdict"] == "fail") == (0 if previous else seed.ACCOUNTS_FAILED)
    for n in range(seed.ACCOUNTS_TOTAL - len(account_targets)):
        account_targets.append({"kind": "account", "target_id": EXTRA_ACCOUNT_BASE + n, "name": f"渭南政务账号{n + 1}",
                                "org_path": city.path, "platform": "wechat_subscription", "verdict": "pass",
                                "findings": []})
    if previous:
        for t in account_targets[-(seed.ACCOUNTS_TOTAL - seed.PREV_ACCOUNTS_PASSED):]:
            t["verdict"] = "fail"
    else:  # when seed 004's targets were checked: the sites 2月19日—2月20日, the accounts 2月23日 (Beijing)
        for n, t in enumerate(targets):
            t["checked_at"] = seed.SITES_CHECKED[n % len(seed.SITES_CHECKED)]
        for t in account_targets:
            t["checked_at"] = seed.ACCOUNTS_CHECKED
    return targets + account_targets


@pytest.fixture(scope="session")
def seed004(upstream: dict[str, str]) -> dict[str, int]:
    """Ids of the two inspections of 渭南市: `previous` (2023年第四次) and `current` (2024年第一次)."""
    with Session(get_engine()) as session:
        city = org(session, "渭南市")
        prev = make_inspection(session, city, "2023年第四次全面检查", utc(2023, 11, 20),
                               seed004_targets(session, previous=True))
        now = make_inspection(session, city, "2024年第一次全面检查", utc(2024, 2, 20),
                              seed004_targets(session, previous=False),
                              window=(utc(2024, 2, 19), utc(2024, 2, 20)))
        return {"previous": prev.id, "current": now.id}
