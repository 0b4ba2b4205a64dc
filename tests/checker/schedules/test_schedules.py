"""Scheduled inspections (定期检查): Beijing periods and names, the API (scope, roles, pause, edit, delete,
next run), and the cron: one inspection per schedule and period however many runs race, none while
paused, started through the plan job like any inspection and recording its schedule."""
import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select

from services.checker.inspections.flows import arq_pool
from services.checker.inspections.models import Audit, Inspection
from services.checker.schedules import flows, service
from services.checker.schedules.models import Frequency, InspectionSchedule
from services.common.db import get_engine
from services.registry.orgs.models import OrgKind
from tests.checker.inspections.harness import _org, wait_for

SUPERVISOR = "ct_supervisor"
TITLE = "政府网站和政务新媒体抽查"


def test_periods_and_names_are_beijing_ones() -> None:
    quarterly = InspectionSchedule(title=TITLE, scope_org_id=1, scope_org_path="/1/", frequency=Frequency.quarterly,
                                   day_of_period=1, hour=9, created_by="user:1")
    # 2026-12-31 16:30 UTC is 2027-01-01 00:30 in Beijing: the first quarter of 2027 already.
    period = service.period_of(quarterly, datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert period.key == "2027Q1" and period.run_at == datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
    assert service.round_name(quarterly, period) == "2027年第一季度政府网站和政务新媒体抽查"
    q4 = service.period_of(quarterly, datetime(2026, 12, 6, 6, 0, tzinfo=UTC))
    assert q4.key == "2026Q4" and service.round_name(quarterly, q4) == "2026年第四季度政府网站和政务新媒体抽查"
    assert q4.end == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    monthly = InspectionSchedule(title="政府网站抽查", scope_org_id=1, scope_org_path="/1/", frequency=Frequency.monthly,
                                 day_of_period=15, hour=8, created_by="user:1")
    december = service.period_of(monthly, datetime(2026, 12, 6, tzinfo=UTC))
    assert december.key == "2026-12" and december.run_at == datetime(2026, 12, 15, 0, 0, tzinfo=UTC)
    assert service.round_name(monthly, december) == "2026年12月政府网站抽查"
    # Before its run time the period's round is next; once created, the next period's.
    assert service.next_run(monthly, datetime(2026, 12, 6, tzinfo=UTC)).key == "2026-12"
    monthly.last_period = "2026-12"
    assert service.next_run(monthly, datetime(2026, 12, 20, tzinfo=UTC)).run_at == datetime(2027, 1, 15, 0, 0, tzinfo=UTC)
    monthly.enabled = False
    assert service.next_run(monthly) is None


@pytest.fixture(scope="module")
def empty_unit(world):
    """A unit of the test county without sites or accounts: its rounds plan nothing and complete at once
    (no crawl of the farm, whose hit counters other tests read)."""
    with Session(get_engine()) as session:
        unit = _org(session, "定期检查测试科", OrgKind.department, world.county)
        session.commit()
        session.refresh(unit)
        return unit


@pytest.fixture
def schedule(checker, tokens, empty_unit):
    created = checker.post("/api/v1/schedules", headers=tokens(SUPERVISOR), json={
        "title": TITLE, "scope_org_id": empty_unit.id, "frequency": "quarterly", "day_of_period": 1, "hour": 0,
        "target_kinds": ["site", "account"], "enabled": False})  # paused: the worker's cron leaves it alone
    assert created.status_code == 201, created.text
    yield created.json()
    checker.delete(f"/api/v1/schedules/{created.json()['id']}", headers=tokens(SUPERVISOR))


def rounds(schedule_id: int, period: str | None = None) -> int:
    with Session(get_engine()) as session:
        query = select(func.count()).select_from(Inspection).where(Inspection.schedule_id == schedule_id)
        if period:
            query = query.where(Inspection.schedule_period == period)
        return session.exec(query).one()


def run_in_thread(now: datetime) -> list[int]:
    async def once() -> list[int]:
        pool = await arq_pool()
        try:
            return await flows.run_due(pool, now)
        finally:
            await pool.aclose()
    return asyncio.run(once())


def test_schedule_api_scope_roles_and_next_run(checker, tokens, schedule):
    h = tokens(SUPERVISOR)
    assert schedule["next_run_at"] is None and schedule["enabled"] is False
    resumed = checker.patch(f"/api/v1/schedules/{schedule['id']}", headers=h, json={"enabled": True}).json()
    assert resumed["next_run_at"] and resumed["next_name"].endswith(TITLE) and "北京时间" in resumed["description"]
    listed = checker.get("/api/v1/schedules", headers=h).json()
    assert schedule["id"] in [s["id"] for s in listed["items"]]
    # Another county's office neither sees nor edits it; an operator cannot set one up.
    assert checker.get(f"/api/v1/schedules/{schedule['id']}", headers=tokens("nb_supervisor")).status_code == 404
    patched = checker.patch(f"/api/v1/schedules/{schedule['id']}", headers=tokens("nb_supervisor"), json={"enabled": False})
    assert patched.status_code == 404 and "不存在" in patched.json()["detail"]["message"]
    refused = checker.post("/api/v1/schedules", headers=tokens("ct_operator"), json={"title": TITLE})
    assert refused.status_code == 403
    bad = checker.post("/api/v1/schedules", headers=h, json={"title": TITLE, "probe_count": 5})
    assert bad.status_code == 422
    # Paused: no next run; edited: monthly on the 10th.
    paused = checker.patch(f"/api/v1/schedules/{schedule['id']}", headers=h, json={"enabled": False}).json()
    assert paused["enabled"] is False and paused["next_run_at"] is None
    edited = checker.patch(f"/api/v1/schedules/{schedule['id']}", headers=h,
                           json={"enabled": True, "frequency": "monthly", "day_of_period": 10}).json()
    assert edited["frequency"] == "monthly" and edited["next_run_at"] and "每月" in edited["description"]
    kept = checker.patch(f"/api/v1/schedules/{schedule['id']}", headers=h, json={"title": None, "hour": None})
    assert kept.status_code == 200 and kept.json()["title"] == TITLE  # a null leaves a field as it is
    with Session(get_engine()) as session:
        actions = set(session.exec(select(Audit.action).where(Audit.entity_kind == "schedule",
                                                               Audit.entity_id == schedule["id"])).all())
    assert {"schedule.create", "schedule.resume", "schedule.pause", "schedule.update"} <= actions


def test_two_racing_cron_runs_create_one_round_and_it_starts(checker, tokens, schedule, worker):
    checker.patch(f"/api/v1/schedules/{schedule['id']}", headers=tokens(SUPERVISOR), json={"enabled": True})
    # Two runs that both see the schedule due before either creates the round (a past period, which the
    # worker's own cron never looks at): the unique constraint decides, exactly one creates it.
    past = datetime(2025, 2, 1, tzinfo=UTC)
    with Session(get_engine()) as a, Session(get_engine()) as b:
        (due_a,) = [(s, p) for s, p in service.due(a, past) if s.id == schedule["id"]]
        (due_b,) = [(s, p) for s, p in service.due(b, past) if s.id == schedule["id"]]
        first = service.create_round(a, *due_a, past, 1)
        second = service.create_round(b, *due_b, past, 1)
    assert (first is None) != (second is None) and rounds(schedule["id"], "2025Q1") == 1
    with Session(get_engine()) as session:  # never started: out of the way of the sweeper
        session.delete(session.get(Inspection, (first or second).id))
        session.commit()

    # Two whole cron runs at once, now (the worker's cron may be a third): one round, started.
    now = datetime.now(UTC)
    period = service.period_of(InspectionSchedule(**{k: schedule[k] for k in ("title", "frequency", "day_of_period", "hour")},
                                                  scope_org_id=1, scope_org_path="/", created_by="x"), now)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run_in_thread, [now, now]))
    assert rounds(schedule["id"], period.key) == 1
    with Session(get_engine()) as session:
        created = session.exec(select(Inspection).where(Inspection.schedule_id == schedule["id"])).one()
    assert created.name == f"{period.label}{TITLE}" and created.schedule_period == period.key
    # Started through the plan job: the worker plans it (an empty unit completes at once).
    body = wait_for(checker, tokens(SUPERVISOR), created.id, states=("completed", "running"))
    assert body["schedule_id"] == schedule["id"]
    detail = checker.get(f"/api/v1/schedules/{schedule['id']}", headers=tokens(SUPERVISOR)).json()
    assert detail["last_period"] == period.key and [r["id"] for r in detail["rounds"]] == [created.id]
    assert detail["next_run_at"] > now.isoformat()  # the next period's


def test_a_paused_schedule_creates_nothing_and_a_deleted_one_keeps_its_rounds(checker, tokens, schedule):
    h = tokens(SUPERVISOR)
    run_in_thread(datetime.now(UTC))   # the schedule is paused (as the fixture sets it up)
    assert rounds(schedule["id"]) == 0
    checker.patch(f"/api/v1/schedules/{schedule['id']}", headers=h, json={"enabled": True})
    run_in_thread(datetime.now(UTC))
    assert rounds(schedule["id"]) == 1
    with Session(get_engine()) as session:
        inspection_id = session.exec(select(Inspection.id).where(Inspection.schedule_id == schedule["id"])).one()
    assert checker.delete(f"/api/v1/schedules/{schedule['id']}", headers=h).status_code == 204
    with Session(get_engine()) as session:
        kept = session.get(Inspection, inspection_id)
        assert kept is not None and kept.schedule_id is None and kept.schedule_period is not None
