"""A probe round that never reached a site (its worker was killed and arq retries it only after the window
closed) is made up by the site's own check, so the site is judged on its whole series."""
import asyncio
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from services.checker.inspections import jobs, service
from services.checker.inspections.flows import check_job_id, schedule
from services.checker.inspections.models import Inspection, InspectionState, TargetKind
from services.checker.model import Probe
from services.common.auth import Principal, Role
from services.common.db import get_engine


def test_a_lost_round_is_made_up_by_the_check(checker_env, world):
    now = int(time.time())
    principal = Principal(sub="user:0", org_id=world.county.id, org_path=world.county.path, role=Role.supervisor,
                          jti="t", iat=now, exp=now + 600, name="probe test")
    site = world.sites["portal"]
    with Session(get_engine()) as session:
        inspection = service.create_inspection(session, principal, Inspection(
            name="补测试", scope_org_id=world.county.id, scope_org_path=world.county.path,
            target_kinds=[TargetKind.site], now=datetime(2024, 6, 14, tzinfo=UTC),
            window_start=datetime(2024, 6, 7, tzinfo=UTC), window_end=datetime(2024, 6, 14, tzinfo=UTC),
            probe_count=4, window_scale=400 / (7 * 86400), created_by="user:0"))
        service.add_targets(session, [dict(
            inspection_id=inspection.id, kind=TargetKind.site, target_id=site.id, name=site.name,
            url=site.homepage_url, platform=None, state="active", org_path=site.org_path, facts={},
            job_id=check_job_id(inspection.id, TargetKind.site, site.id))])
        # The window is compressed to 400 s with rounds at 50, 150, 250 and 350 s; 300 s have passed.
        started = datetime.now(UTC) - timedelta(seconds=300)
        assert service.set_running(session, inspection.id, 1, started, started + timedelta(seconds=400))
        inspection = session.get(Inspection, inspection.id)
        slots = schedule(inspection, datetime.now(UTC))[2]
        for slot in slots:
            if slot.seq < 2:  # round 2 died with its worker; round 3 is not due yet
                service.record_probe(session, inspection.id, site.id, slot.seq, at=slot.at, ok=True, status=200,
                                     elapsed_ms=5, error=None)
        target = service.get_target(session, inspection.id, TargetKind.site, site.id)

    series = asyncio.run(jobs._probe_series(inspection, target, site.homepage_url))
    assert [p.at for p in series] == [s.at for s in slots[:3]]
    assert all(isinstance(p, Probe) and p.ok for p in series)  # the farm's portal answers
    with Session(get_engine()) as session:
        stored = service.probes_of(session, inspection.id, site.id)
        assert [p.seq for p in stored] == [0, 1, 2] and stored[2].observed_at > started + timedelta(seconds=250)
        row = session.get(Inspection, inspection.id)
        row.state = InspectionState.cancelled
        session.add(row)
        session.commit()
