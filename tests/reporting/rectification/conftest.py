"""Rectification fixtures: an issued notice of 韩城市 whose failing target is 韩城市财政局's site (its operator
is hancheng_czj_operator), and the checker's side of a re-check written as its worker writes it."""
import io
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from services.checker.inspections.models import (
    Finding, Inspection, InspectionResult, InspectionState, ResultStatus, TargetKind, Verdict,
)
from services.common.db import get_engine
from services.reporting.rectification.service import today
from tests.reporting.conftest import make_inspection, org, registry_accounts, registry_sites
from tests.reporting.issuing import issue

FAILING_UNIT = "韩城市财政局"
OPERATOR, SUPERVISOR = "hancheng_czj_operator", "hancheng_supervisor"
_minute = itertools.count(1)


def this_year_inspection(failing: tuple[str, ...] = (FAILING_UNIT,)) -> int:
    """A completed inspection of 韩城市 this year in which the named units' sites fail (unreachable)."""
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2, minutes=next(_minute))
    with Session(get_engine()) as session:
        county = org(session, "韩城市")
        targets = [{"kind": "site", "target_id": s.id, "name": s.name, "org_path": s.org_path, "url": s.homepage_url,
                    "verdict": "fail" if s.name in failing else "pass",
                    "findings": [("unreachable", "veto", "监测时间点无法访问", {})] if s.name in failing else []}
                   for s in registry_sites(session, county)]
        targets += [{"kind": "account", "target_id": a.id, "name": a.registered_name, "org_path": a.org_path,
                     "platform": str(a.platform), "verdict": "pass", "findings": []}
                    for a in registry_accounts(session, county)]
        return make_inspection(session, county, "韩城市整改测试检查", now, targets).id


def issue_notice(reporting, headers: dict[str, str], inspection_id: int, deadline: date | None = None) -> dict:
    draft = reporting.post("/api/v1/notices", headers=headers, json={"inspection_id": inspection_id})
    assert draft.status_code == 201, draft.text
    if deadline is not None:
        edited = reporting.patch(f"/api/v1/notices/{draft.json()['id']}", headers=headers,
                                 json={"deadline": deadline.isoformat()})
        assert edited.status_code == 200, edited.text
    issued = issue(reporting, headers, draft.json()["id"], ("docx",))
    assert issued.status_code == 202 and issued.json()["state"] == "issued", issued.text
    return issued.json()


def tasks_of(reporting, headers: dict[str, str], notice_id: int) -> list[dict]:
    response = reporting.get("/api/v1/rectification/tasks", headers=headers, params={"notice_id": notice_id})
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.fixture
def task(reporting, auth) -> dict:
    """A fresh open task of 韩城市财政局 (deadline in ten days)."""
    notice = issue_notice(reporting, auth(SUPERVISOR), this_year_inspection(), today() + timedelta(days=10))
    (task,) = tasks_of(reporting, auth(SUPERVISOR), notice["id"])
    return task


def finish_recheck(inspection_id: int, kind: str, target_id: int, verdict: str | None,
                   findings: list[tuple[str, str, str]] = ()) -> None:
    """Complete the re-check inspection with one result, the way the checker's worker leaves it."""
    with Session(get_engine()) as session:
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None
        now = datetime.now(UTC)
        result = InspectionResult(inspection_id=inspection_id, kind=TargetKind(kind), target_id=target_id,
                                  name="复查对象", url=None, org_path=inspection.scope_org_path,
                                  status=ResultStatus.ok if verdict else ResultStatus.error,
                                  verdict=Verdict(verdict) if verdict else None, score=100.0 if verdict == "pass" else 0.0,
                                  checked_at=now, error=None if verdict else "连接超时",
                                  result={"target": {"kind": kind, "id": target_id}, "indicator_set": "gov-2019"})
        session.add(result)
        session.flush()
        for code, severity, message in findings:
            session.add(Finding(result_id=result.id, inspection_id=inspection_id, kind=TargetKind(kind),
                                target_id=target_id, indicator=code, severity=severity, message=message, data={},
                                evidence=[]))
        inspection.state, inspection.finished_at = InspectionState.completed, now
        inspection.started_at = inspection.started_at or now
        session.add(inspection)
        session.commit()


def png(seed: int = 0) -> bytes:
    """A small valid PNG (distinct bytes per seed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([seed % 256, 128, 64]) * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf(text: str = "整改说明") -> bytes:
    """A real one-page PDF (distinct bytes per text: it is the document's title)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(reporting, headers: dict[str, str], task_id: int, data: bytes, name: str, kind: str = "screenshot"):
    return reporting.post(f"/api/v1/rectification/tasks/{task_id}/evidence", headers=headers,
                          files={"file": (name, io.BytesIO(data), "application/octet-stream")}, data={"kind": kind})


def task_row(task_id: int) -> Any:
    from services.reporting.rectification.models import RectificationTask
    with Session(get_engine()) as session:
        return session.exec(select(RectificationTask).where(RectificationTask.id == task_id)).one()
