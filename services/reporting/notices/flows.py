"""Issuing in the background. `POST …/issue` claims the notice (state `rendering`, `render.attempt` 1) and
queues `render_notice`; the reporting worker renders the docx, then the PDF (warm LibreOffice) beside the
xlsx, stores the files and records the version. Progress lives in `notice.render` (step, heartbeat).

Exactly one version per issue: every write of a rendering is guarded by its attempt number, and the
version is recorded by one UPDATE that only the current attempt of a notice still `rendering` passes.
A rendering whose worker died stops beating; the worker's reclaim (every few seconds) then queues the
next attempt, and after `render_max_attempts` the notice is `render_failed`, issuable again.
Users read Chinese only: the exception text goes to the worker's log, never to `notice.error`.
"""
import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from arq import ArqRedis
from sqlalchemy import cast, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.db import get_engine
from services.reporting.clients import ServiceClient, UpstreamError
from services.reporting.models_base import utcnow
from services.reporting.notices import fitting, service, storage
from services.reporting.notices.models import (
    FileFormat, Notice, NoticeContent, NoticeFile, NoticeState, NoticeVersion,
)
from services.reporting.notices.render_docx import render_docx
from services.reporting.notices.render_xlsx import render_xlsx
from services.reporting.settings import get_reporting_settings

log = logging.getLogger(__name__)

FAILED = "文件生成失败，请稍后重新印发；多次失败请联系系统管理员"
INTERRUPTED = "文件生成多次中断，请稍后重新印发"


class Superseded(Exception):
    """This attempt is no longer the notice's current one (reclaimed, or finished by another)."""


def job_id(notice_id: int, version: int, run: str, attempt: int) -> str:
    # arq's job keys are global to the Redis database: the queue name keeps test runs apart. arq keeps a
    # finished job's id for an hour and silently refuses a second job of that id, so every issue has a run
    # of its own: issuing again after a failed rendering, or the next version after revise, starts again
    # at attempt 1 of a new run.
    return f"{get_reporting_settings().reporting_queue}:notice:{notice_id}:v{version}:{run}:render:{attempt}"


def _iso(value: datetime) -> str:
    return value.isoformat()


# ---------------------------------------------------------------------------------------------------
# The request


def request_issue(session: Session, principal: Principal, client: ServiceClient, notice_id: int,
                  formats: tuple[str, ...]) -> Notice:
    """Claim the notice for rendering (409 when it is not issuable); the caller queues `render_notice`."""
    now = _iso(utcnow())
    render = {"run": secrets.token_hex(4), "attempt": 1, "formats": list(dict.fromkeys(["docx", *formats])), "step": "queued", "done": [],
              "requested_by": principal.sub, "requested_at": now, "claimed_at": now}
    return service.claim_issue(session, principal, client, notice_id, render)


async def enqueue(redis: ArqRedis, notice_id: int, version: int, run: str, attempt: int) -> None:
    """Queue the rendering of `version` (the one being made), attempt `attempt` of the issue's `run`."""
    await redis.enqueue_job("render_notice", notice_id, attempt, _job_id=job_id(notice_id, version, run, attempt),
                            _queue_name=get_reporting_settings().reporting_queue)


# ---------------------------------------------------------------------------------------------------
# The rendering (in the worker)


def _ours(notice_id: int, attempt: int) -> Any:
    return ((Notice.id == notice_id) & (Notice.state == NoticeState.rendering)
            & (Notice.render["attempt"].astext == str(attempt)))  # type: ignore[index]


def _mark(notice_id: int, attempt: int, **changes: Any) -> None:
    """Merge `changes` into the rendering's record, if this attempt is still the current one."""
    with Session(get_engine()) as session:
        done = session.exec(update(Notice).where(_ours(notice_id, attempt)).values(
            render=Notice.render.op("||")(cast(changes, JSONB))))  # type: ignore[union-attr]
        session.commit()
    if done.rowcount != 1:
        raise Superseded()


class Heartbeat:
    """Beats `render.heartbeat_at` while the rendering runs, so the reclaim tells a live one from a dead one."""

    def __init__(self, notice_id: int, attempt: int) -> None:
        self.notice_id, self.attempt = notice_id, attempt
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"heartbeat-{notice_id}")

    def _run(self) -> None:
        every = max(1.0, get_reporting_settings().render_stale_seconds / 5)
        while not self.stopped.wait(every):
            try:
                _mark(self.notice_id, self.attempt, heartbeat_at=_iso(utcnow()))
            except Superseded:
                return
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next one
                log.warning("heartbeat of notice %s: %r", self.notice_id, exc)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)


def render_files(content: NoticeContent, formats: list[str], step: Callable[[str, str], None]) -> dict[str, bytes]:
    """docx first (the PDF is made from it), then the PDF in LibreOffice while the xlsx is built here:
    two processes, two cores."""
    step("docx", "")
    files = {"docx": render_docx(content)}
    step("pdf" if "pdf" in formats else "xlsx", "docx")
    with ThreadPoolExecutor(max_workers=1) as pool:
        xlsx = pool.submit(render_xlsx, content) if "xlsx" in formats else None
        if "pdf" in formats:
            # The PDF's own .docx: LibreOffice moves a kept paragraph whole where Word moves its last lines.
            files["pdf"] = fitting.notice_pdf(content)
            step("xlsx" if xlsx is not None and not xlsx.done() else "pdf", "pdf")
        if xlsx is not None:
            files["xlsx"] = xlsx.result()
            step("xlsx", "xlsx")
    return files


def render(notice_id: int, attempt: int, client: ServiceClient | None = None) -> str:
    """The job: render, store and record the version of this attempt. Returns what happened."""
    with Session(get_engine()) as session:
        notice = session.get(Notice, notice_id)
        if notice is None or notice.state != NoticeState.rendering or (notice.render or {}).get("attempt") != attempt:
            return "superseded"
        record, content, version = dict(notice.render or {}), notice.content, notice.version + 1
    done: list[str] = []

    def step(name: str, finished: str) -> None:
        if finished:
            done.append(finished)
        _mark(notice_id, attempt, step=name, done=list(dict.fromkeys(done)), heartbeat_at=_iso(utcnow()))

    stored: list[storage.Stored] = []
    try:
        _mark(notice_id, attempt, step="docx", started_at=_iso(utcnow()), heartbeat_at=_iso(utcnow()), done=[])
        with Heartbeat(notice_id, attempt):
            files = render_files(NoticeContent.model_validate(content), record["formats"], step)
            step("store", "")
            stored = storage.store_version(notice_id, version, files)
            _record(notice_id, attempt, version, record, stored)
    except Superseded:
        _discard(notice_id, stored)
        log.info("notice %s: attempt %s superseded", notice_id, attempt)
        return "superseded"
    except Exception:
        _discard(notice_id, stored)
        log.exception("notice %s: rendering attempt %s failed", notice_id, attempt)
        _fail(notice_id, attempt, FAILED)
        return "failed"
    _open_tasks(notice_id, client)
    return "issued"


def _record(notice_id: int, attempt: int, version: int, record: dict[str, Any], stored: list[storage.Stored]) -> None:
    """The version, its files and the notice's new state in one transaction, passed by one attempt only."""
    now = utcnow()
    with Session(get_engine()) as session:
        finished = {**record, "step": "done", "done": [*record["formats"], "store"], "finished_at": _iso(now)}
        claimed = session.exec(update(Notice).where(_ours(notice_id, attempt), Notice.version == version - 1).values(
            state=NoticeState.issued, version=version, error=None, issued_at=now, issued_by=record["requested_by"],
            updated_at=now, render=finished))
        if claimed.rowcount != 1:
            session.rollback()
            raise Superseded()
        notice = session.get(Notice, notice_id)
        assert notice is not None
        session.add(NoticeVersion(notice_id=notice_id, version=version, content=notice.content,
                                  issued_by=record["requested_by"], issued_at=now))
        for obj in stored:
            session.add(NoticeFile(notice_id=notice_id, version=version, format=FileFormat(obj.format),
                                   bucket=obj.bucket, key=obj.key, sha256=obj.sha256, size=obj.size,
                                   content_type=obj.content_type, created_at=now))
        session.commit()


def _discard(notice_id: int, stored: list[storage.Stored]) -> None:
    """Remove what this attempt put, except objects a recorded version names (the same bytes have the
    same key, so another attempt of the same version may have recorded them)."""
    with Session(get_engine()) as session:
        kept = set(session.exec(select(NoticeFile.key).where(NoticeFile.notice_id == notice_id)).all())
    storage.remove([obj for obj in stored if obj.key not in kept])


def _fail(notice_id: int, attempt: int, message: str) -> None:
    now = utcnow()
    with Session(get_engine()) as session:
        session.exec(update(Notice).where(_ours(notice_id, attempt)).values(
            state=NoticeState.render_failed, error=message, updated_at=now,
            render=Notice.render.op("||")(cast({"step": "failed", "finished_at": _iso(now)}, JSONB))))  # type: ignore[union-attr]
        session.commit()


def _open_tasks(notice_id: int, client: ServiceClient | None) -> None:
    """A rectification task per failing target; the sweep opens them when the checker or registry is away."""
    from services.reporting.rectification import flows as rectification
    with Session(get_engine()) as session, (client or ServiceClient()) as upstream:
        notice = session.get(Notice, notice_id)
        try:
            if notice is not None:
                rectification.open_tasks(session, upstream, notice)
        except UpstreamError as exc:
            session.rollback()
            log.warning("notice %s: tasks left to the sweep: %s", notice_id, exc)


# ---------------------------------------------------------------------------------------------------
# Reclaim: renderings whose worker died


def reclaim(now: datetime | None = None) -> list[tuple[int, int, str, int]]:
    """(notice id, version being made, run, attempt) to queue: each rendering that stopped beating gets its next attempt, or fails
    after the last one. A claim never started by any worker counts as stopped after ten beats' time."""
    rs = get_reporting_settings()
    now = now or utcnow()
    stale, unstarted = timedelta(seconds=rs.render_stale_seconds), timedelta(seconds=rs.render_stale_seconds * 10)
    out: list[tuple[int, int, str, int]] = []
    with Session(get_engine()) as session:
        for notice in session.exec(select(Notice).where(Notice.state == NoticeState.rendering)).all():
            r = notice.render or {}
            attempt, beat = int(r.get("attempt", 0)), r.get("heartbeat_at")
            since = datetime.fromisoformat(beat or r.get("claimed_at") or _iso(notice.updated_at))
            if now - since < (stale if beat else unstarted):
                continue
            assert notice.id is not None
            if attempt >= rs.render_max_attempts:
                log.warning("notice %s: rendering stopped %s times, given up", notice.id, attempt)
                _fail(notice.id, attempt, INTERRUPTED)
                continue
            again = {"attempt": attempt + 1, "step": "queued", "done": [], "heartbeat_at": None,
                     "claimed_at": _iso(now)}
            claimed = session.exec(update(Notice).where(_ours(notice.id, attempt)).values(
                render=Notice.render.op("||")(cast(again, JSONB))))  # type: ignore[union-attr]
            session.commit()
            if claimed.rowcount == 1:
                log.warning("notice %s: rendering attempt %s stopped; attempt %s queued", notice.id, attempt, attempt + 1)
                out.append((notice.id, notice.version + 1, str(r.get("run", "")), attempt + 1))
    return out


def issue_now(session: Session, principal: Principal, client: ServiceClient, notice_id: int,
              formats: tuple[str, ...]) -> Notice:
    """Claim and render in this process, no queue and no tasks (scripts, the demo, tests of later steps)."""
    notice = request_issue(session, principal, client, notice_id, formats)
    assert notice.id is not None
    stored: list[storage.Stored] = []
    attempt = int((notice.render or {})["attempt"])
    try:
        files = render_files(service.content_of(notice), notice.render["formats"], lambda *_: None)  # type: ignore[index]
        stored = storage.store_version(notice.id, notice.version + 1, files)
        _record(notice.id, attempt, notice.version + 1, dict(notice.render or {}), stored)
    except Exception:
        _discard(notice.id, stored)
        log.exception("notice %s: rendering failed", notice_id)
        _fail(notice.id, attempt, FAILED)
    session.expire_all()
    refreshed = session.get(Notice, notice.id)
    assert refreshed is not None
    return refreshed
