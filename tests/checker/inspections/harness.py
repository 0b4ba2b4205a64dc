"""Test harness of the inspection machinery: the real registry under uvicorn on a loopback port, real
arq workers as subprocesses, a small set of loopback government sites, and an organisation subtree
of our own (a test county and its neighbour) added to the demo inventory.

Imported by the conftest files of tests/checker/inspections and tests/checker/api.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import redis
import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.checker.inspections.config import get_checker_settings
from services.common.auth import Role
from services.common.db import get_engine
from services.common.settings import get_settings
from services.registry.accounts.models import Account, AccountState, Platform
from services.registry.auth.service import hash_secret
from services.registry.orgs.models import Organisation, OrgKind
from services.registry.sites.models import ColumnCategory, Site, SiteColumn, SiteState
from services.registry.users.models import User

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Checker@2024"
TEST_REDIS_DB = 5
TODAY = date(2024, 6, 14)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------------
# Loopback sites


@dataclass
class SiteSpec:
    name: str
    ip: str
    delay: float = 0.0           # seconds before every answer (slow sites, for the kill test)
    down_every: int = 0          # every n-th homepage request answers 503 (availability probes)
    hits: int = 0
    extra_pages: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{SiteFarm.port}/"


def homepage(spec: SiteSpec) -> str:
    items = "".join(f'<li><a href="/gzdt/{i}.html">{spec.name}工作动态第{i}条</a>'
                    f'<span>{(TODAY - timedelta(days=i)).isoformat()}</span></li>' for i in range(1, 6))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{spec.name}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
            f'<div class="nav"><a href="/">首页</a><a href="/gzdt/">工作动态</a><a href="/hdjl/">互动交流</a></div>'
            f'<div class="news"><h2>工作动态</h2><ul>{items}</ul></div>'
            '<a href="/hdjl/">我要咨询</a><a href="/zhaocuo/">我为政府网站找错</a>'
            '<div class="footer">网站标识码6105990001 陕ICP备12345678号 陕公网安备 61050202000001号</div>'
            '</body></html>')


def article(spec: SiteSpec, path: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{spec.name}</title></head><body>'
            f'<h1>{spec.name} {path}</h1><p>发布时间：{(TODAY - timedelta(days=1)).isoformat()}</p>'
            '<p>为深入贯彻落实有关工作部署，我单位召开专题会议。</p></body></html>')


class SiteFarm:
    """One ThreadingHTTPServer per site, each on its own loopback address and the same port."""
    port = 0

    def __init__(self, specs: list[SiteSpec]):
        SiteFarm.port = free_port()
        self.specs = {s.ip: s for s in specs}
        self.servers: list[ThreadingHTTPServer] = []

    def start(self) -> "SiteFarm":
        for spec in self.specs.values():
            server = ThreadingHTTPServer((spec.ip, self.port), self._handler(spec))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    @staticmethod
    def _handler(spec: SiteSpec) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.do_GET(head=True)

            def do_GET(self, head: bool = False) -> None:
                if spec.delay:
                    time.sleep(spec.delay)
                path = self.path.split("?", 1)[0]
                status, body = 200, ""
                if path == "/":
                    spec.hits += 1
                    if spec.down_every and spec.hits % spec.down_every == 0:
                        status, body = 503, "维护中"
                    else:
                        body = homepage(spec)
                elif path in spec.extra_pages:
                    body = spec.extra_pages[path]
                elif path.endswith((".html", "/")):
                    body = article(spec, path)
                else:
                    status, body = 404, "not found"
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not head:
                    try:
                        self.wfile.write(data)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client (a killed worker, a timed-out probe) went away

        return Handler


# ---------------------------------------------------------------------------------------------------
# The registry on a loopback port


class ThreadedUvicorn:
    def __init__(self, app_path: str, port: int):
        self.server = uvicorn.Server(uvicorn.Config(app_path, host="127.0.0.1", port=port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> "ThreadedUvicorn":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("registry did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


# ---------------------------------------------------------------------------------------------------
# Our own corner of the inventory


@dataclass
class World:
    county: Organisation
    dept: Organisation
    neighbour: Organisation
    sites: dict[str, Site]
    accounts: dict[str, Account]
    farm: SiteFarm


def _org(session: Session, name: str, kind: OrgKind, parent: Organisation) -> Organisation:
    existing = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if existing:
        return existing
    org = Organisation(name=name, kind=kind, parent_id=parent.id, region_code=parent.region_code)
    session.add(org)
    session.flush()
    org.path = f"{parent.path}{org.id}/"
    return org


def _user(session: Session, username: str, org: Organisation, role: Role) -> None:
    if session.exec(select(User).where(User.username == username)).first() is None:
        session.add(User(username=username, display_name=username, org_id=org.id, role=role,
                         password_hash=hash_secret(PASSWORD)))


def build_world(session: Session, farm: SiteFarm) -> World:
    city = session.exec(select(Organisation).where(Organisation.name == "渭南市")).one()
    county = _org(session, "检查测试县", OrgKind.county, city)
    dept = _org(session, "检查测试县教育局", OrgKind.department, county)
    neighbour = _org(session, "检查邻县", OrgKind.county, city)
    _user(session, "ct_supervisor", county, Role.supervisor)
    _user(session, "ct_viewer", county, Role.viewer)
    _user(session, "ct_operator", dept, Role.operator)
    _user(session, "nb_supervisor", neighbour, Role.supervisor)
    session.flush()
    owners = {"portal": county, "edu": dept, "slow": county, "flaky": dept, "closed": county,
              "neighbour": neighbour, "closing": dept}
    sites: dict[str, Site] = {}
    for n, (key, spec) in enumerate(zip(owners, farm.specs.values(), strict=True), start=1):
        org = owners[key]
        site = session.exec(select(Site).where(Site.name == spec.name)).first()
        if site is None:
            site = Site(name=spec.name, homepage_url=spec.url, site_code=f"CT99{n:04d}", icp_number=f"陕ICP备9{n:07d}号",
                        psb_number=f"陕公网安备 6105990{n:07d}号", has_badge=True, host_org_id=org.id,
                        supervising_org_id=county.id if org is not neighbour else neighbour.id, org_path=org.path,
                        state={"closed": SiteState.closed, "closing": SiteState.closing}.get(key, SiteState.active))
            if key == "closing":     # in its notice period, without the 关停公告 on its homepage
                site.closure_notice_on = date(2024, 6, 1)
                site.migration_target_url = "http://www.example.gov.cn/"
            session.add(site)
            session.flush()
            session.add(SiteColumn(site_id=site.id, name="工作动态", url=f"{spec.url}gzdt/",
                                   category=ColumnCategory.news, should_update=True))
        site.homepage_url = spec.url  # the farm port changes between runs
        sites[key] = site
    accounts: dict[str, Account] = {}
    for key, (name, org) in {"county": ("检查测试县发布", county), "edu": ("测试县教育", dept),
                             "neighbour": ("邻县发布", neighbour)}.items():
        account = session.exec(select(Account).where(Account.registered_name == name)).first()
        if account is None:
            account = Account(platform=Platform.weibo, platform_id=f"ct-{key}", registered_name=name,
                              host_org_id=org.id, supervising_org_id=county.id, org_path=org.path,
                              state=AccountState.active)
            session.add(account)
            session.flush()
        accounts[key] = account
    session.commit()
    for row in [county, dept, neighbour, *sites.values(), *accounts.values()]:
        session.refresh(row)
    return World(county, dept, neighbour, sites, accounts, farm)


def farm_specs() -> list[SiteSpec]:
    return [SiteSpec("检查测试县人民政府", "127.0.3.1"), SiteSpec("检查测试县教育局网站", "127.0.3.2"),
            SiteSpec("检查测试县慢站", "127.0.3.3", delay=0.5), SiteSpec("检查测试县不稳定站", "127.0.3.4", down_every=3),
            SiteSpec("检查测试县已关停网站", "127.0.3.5"), SiteSpec("检查邻县人民政府", "127.0.3.6"),
            SiteSpec("检查测试县关停中网站", "127.0.3.7")]


# ---------------------------------------------------------------------------------------------------
# Workers


def worker_env(registry_url: str, **extra: str) -> dict[str, str]:
    settings = get_settings()
    env = dict(os.environ)
    env.update(GOVWATCH_DATABASE_URL=settings.database_url, GOVWATCH_REDIS_URL=settings.redis_url,
               GOVWATCH_REGISTRY_URL=registry_url, GOVWATCH_ALLOW_PRIVATE_TARGETS="1",
               GOVWATCH_S3_ENDPOINT=settings.s3_endpoint, GOVWATCH_S3_ACCESS_KEY=settings.s3_access_key,
               GOVWATCH_S3_SECRET_KEY=settings.s3_secret_key,
               GOVWATCH_CHECKER_QUEUE=get_checker_settings().checker_queue,
               GOVWATCH_CHECKER_MAX_TRIES="5", GOVWATCH_CHECKER_CRAWL_PROFILE="fast",
               GOVWATCH_ORPHAN_GRACE_SECONDS="5", GOVWATCH_SWEEP_EVERY_SECONDS="5", PYTHONUNBUFFERED="1",
               # Whole-site monitoring would crawl these sites too and skew the farm's hit counters.
               GOVWATCH_MONITOR_ENABLED="0")
    env.update(extra)
    return env


class WorkerProcess:
    """`arq services.checker.worker.WorkerSettings` (or another worker's settings) as a real subprocess."""
    settings_path = "services.checker.worker.WorkerSettings"

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        arq = Path(sys.executable).with_name("arq")
        self.proc = subprocess.Popen([str(arq), self.settings_path], cwd=ROOT, env=self.env,
                                     stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


# ---------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def checker_env(demo_loaded: None) -> Iterator[str]:
    """Redis db 5 for the checker tests, the registry on a loopback port, private targets allowed."""
    settings = get_settings()
    saved = (settings.redis_url, settings.registry_url, settings.allow_private_targets)
    settings.redis_url = settings.redis_url.rsplit("/", 1)[0] + f"/{TEST_REDIS_DB}"
    settings.allow_private_targets = True
    # Leftovers of this queue only: other runs share the database with queues of their own.
    queue = get_checker_settings().checker_queue
    client = redis.Redis.from_url(settings.redis_url)
    for key in [queue.encode(), *client.scan_iter(match=f"arq:*:{queue}:*")]:
        client.delete(key)
    server = ThreadedUvicorn("services.registry.main:app", free_port()).start()
    settings.registry_url = server.url
    yield server.url
    server.stop()
    settings.redis_url, settings.registry_url, settings.allow_private_targets = saved


@pytest.fixture(scope="session")
def world(checker_env: str) -> Iterator[World]:
    farm = SiteFarm(farm_specs()).start()
    with Session(get_engine()) as session:
        yield build_world(session, farm)
    farm.stop()


@pytest.fixture(scope="session")
def tokens(checker_env: str, world: World):
    cache: dict[str, str] = {}

    def headers(username: str, password: str = PASSWORD) -> dict[str, str]:
        if username not in cache:
            from services.registry.demo.loader import DEFAULT_PASSWORD
            if not username.startswith(("ct_", "nb_")):
                password = DEFAULT_PASSWORD
            response = httpx.post(f"{checker_env}/api/v1/auth/token",
                                  data={"username": username, "password": password})
            assert response.status_code == 200, response.text
            cache[username] = response.json()["access_token"]
        return {"Authorization": f"Bearer {cache[username]}"}

    return headers


@pytest.fixture(scope="session")
def checker(checker_env: str) -> Iterator[TestClient]:
    from services.checker.main import app
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def worker(checker_env: str, world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = WorkerProcess(worker_env(checker_env, GOVWATCH_PROBE_WINDOW_SCALE="0.00001",
                                       GOVWATCH_CHECKER_CHECK_TIMEOUT="60"), log).start()
    yield process
    process.stop()


@pytest.fixture
def quiet_worker(worker: WorkerProcess) -> Iterator[WorkerProcess]:
    """The run's worker paused for one test: its sweeper closes targets of any running inspection whose job
    it cannot see (tests running their own workers on queues of their own) and clears pending snapshot
    marks of pages other tests stored in the run's store."""
    worker.stop()
    yield worker
    worker.start()


def wait_for(client: TestClient, headers: dict[str, str], inspection_id: int, *, states=("completed",),
             timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/inspections/{inspection_id}", headers=headers).json()
        if body.get("state") in states:
            return body
        time.sleep(0.3)
    raise AssertionError(f"inspection {inspection_id} still {body.get('state')}: {body.get('progress')}")
