"""Inspections, targets, probes, results and findings: plain functions on a session.

Scope is enforced in every query: a principal sees an inspection only when the inspection's scope
organisation lies inside the principal's subtree (`scope_org_path` starts with the principal's path).
"""
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, literal_column, or_, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, SQLModel, func, select

from services.checker.inspections.models import (
    RUNNING_STATES, STATE_LABELS, TERMINAL, Audit, Finding, FindingCreate, FindingPublic, FindingSource, Inspection,
    InspectionResult,
    InspectionState, InspectionTarget, Probe, Progress, ResultDetail, ResultStatus, ResultSummary,
    TargetKind, Verdict, utcnow,
)
from services.common.auth import Principal
from services.common.errors import ApiError, conflict, not_found
from services.common.netguard import is_http_url
from services.common.scope import scope_filter

SORTS = {"id", "name", "created_at", "state", "now"}


# ---------------------------------------------------------------------------------------------------
# Audit


def audit(session: Session, actor: Principal | None, action: str, entity_kind: str, entity_id: int | None,
          org_path: str, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
          note: str | None = None) -> Audit:
    """Joins the caller's transaction: a change and its audit row commit together or not at all."""
    row = Audit(actor=actor.sub if actor else "system", actor_name=actor.name if actor else None,
                actor_org_id=actor.org_id if actor else None, action=action, entity_kind=entity_kind,
                entity_id=entity_id, org_path=org_path, before=before, after=after, note=note)
    session.add(row)
    return row


def dump(record: SQLModel | None) -> dict[str, Any] | None:
    return None if record is None else record.model_dump(mode="json", warnings=False)


def list_audit(session: Session, principal: Principal, *, entity_kind: str | None, entity_id: int | None,
               limit: int, offset: int) -> tuple[list[Audit], int]:
    query = select(Audit).where(scope_filter(Audit.org_path, principal))
    if entity_kind:
        query = query.where(Audit.entity_kind == entity_kind)
    if entity_id is not None:
        query = query.where(Audit.entity_id == entity_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Audit.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


# ---------------------------------------------------------------------------------------------------
# Inspections


def create_inspection(session: Session, principal: Principal, inspection: Inspection) -> Inspection:
    session.add(inspection)
    session.flush()
    audit(session, principal, "inspection.create", "inspection", inspection.id, inspection.scope_org_path,
          after=dump(inspection))
    session.commit()
    session.refresh(inspection)
    return inspection


def inspection_query(principal: Principal, *, state: InspectionState | None = None, q: str | None = None,
                     scope_org_id: int | None = None, indicator_set: str | None = None):
    query = select(Inspection).where(scope_filter(Inspection.scope_org_path, principal))
    if state is not None:
        query = query.where(Inspection.state == state)
    if q:
        query = query.where(Inspection.name.icontains(q, autoescape=True))
    if scope_org_id is not None:
        query = query.where(Inspection.scope_org_id == scope_org_id)
    if indicator_set:
        query = query.where(Inspection.indicator_set == indicator_set)
    return query


def list_inspections(session: Session, principal: Principal, *, sort: str, limit: int, offset: int,
                     **filters: Any) -> tuple[list[Inspection], int]:
    name = sort.lstrip("-")
    if name not in SORTS:
        raise ApiError(422, "invalid_sort", f"不支持的排序字段: {name}; 可用: {', '.join(sorted(SORTS))}",
                       field="sort")
    column = getattr(Inspection, name)
    desc = sort.startswith("-")
    query = inspection_query(principal, **filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(column.desc() if desc else column.asc(),
                                       Inspection.id.desc() if desc else Inspection.id.asc())
                        .offset(offset).limit(limit)).all()
    return list(rows), total


def get_visible(session: Session, principal: Principal, inspection_id: int) -> Inspection:
    row = session.exec(inspection_query(principal).where(Inspection.id == inspection_id)).first()
    if row is None:
        raise not_found("检查任务")
    return row


def rename(session: Session, principal: Principal, inspection: Inspection, name: str) -> Inspection:
    before = dump(inspection)
    inspection.name = name
    session.add(inspection)
    audit(session, principal, "inspection.update", "inspection", inspection.id, inspection.scope_org_path,
          before=before, after=dump(inspection))
    session.commit()
    session.refresh(inspection)
    return inspection


def cancel(session: Session, principal: Principal, inspection: Inspection) -> Inspection:
    if inspection.state in TERMINAL:
        raise conflict("inspection_finished", f"检查任务已结束（{STATE_LABELS[inspection.state]}），不能取消",
                       state=str(inspection.state))
    before = dump(inspection)
    inspection.state = InspectionState.cancelled
    inspection.finished_at = utcnow()
    inspection.cancelled_by = principal.sub
    session.add(inspection)
    audit(session, principal, "inspection.cancel", "inspection", inspection.id, inspection.scope_org_path,
          before=before, after=dump(inspection))
    session.commit()
    session.refresh(inspection)
    return inspection


def progress(session: Session, inspection: Inspection) -> Progress:
    counts = session.exec(
        select(
            func.count().filter(InspectionResult.status == ResultStatus.ok),
            func.count().filter(InspectionResult.status == ResultStatus.error),
            func.count().filter(InspectionResult.verdict == Verdict.pass_),
            func.count().filter(InspectionResult.verdict == Verdict.fail),
        ).where(InspectionResult.inspection_id == inspection.id)
    ).one()
    done, failed, passed, not_passed = counts
    total = inspection.target_count
    probes_done = session.exec(select(func.count()).select_from(Probe)
                               .where(Probe.inspection_id == inspection.id)).one()
    sites = session.exec(select(func.count()).select_from(InspectionTarget).where(
        InspectionTarget.inspection_id == inspection.id, InspectionTarget.kind == TargetKind.site,
        InspectionTarget.state.in_(RUNNING_STATES))).one()  # closed sites are not probed
    remaining = max(total - done - failed, 0)
    percent = round(100.0 * (done + failed) / total, 1) if total else (
        100.0 if inspection.state == InspectionState.completed else 0.0)
    now = utcnow()
    running, stalled, retried = session.exec(
        select(func.count().filter(~_has_result() & (InspectionTarget.lease_until >= now)),
               func.count().filter(~_has_result() & (InspectionTarget.lease_until < now)),
               func.count().filter(InspectionTarget.attempts > 1))
        .where(InspectionTarget.inspection_id == inspection.id)).one()
    return Progress(total=total, done=done, failed=failed, remaining=remaining, passed=passed,
                    not_passed=not_passed, probes_done=probes_done,
                    probes_total=sites * inspection.probe_count, percent=percent,
                    running=running, stalled=stalled, retried=retried)


def _has_result() -> Any:
    return (select(InspectionResult.id).where(
        InspectionResult.inspection_id == InspectionTarget.inspection_id,
        InspectionResult.kind == InspectionTarget.kind,
        InspectionResult.target_id == InspectionTarget.target_id).exists())


def is_stalled(target: InspectionTarget, has_result: bool) -> bool:
    return not has_result and target.lease_until is not None and target.lease_until < utcnow()


def begin_try(session: Session, target_pk: int, attempt: int, lease_seconds: float) -> None:
    """A worker took the target's check (try `attempt`): its lease starts."""
    now = utcnow()
    until = now + timedelta(seconds=lease_seconds)
    session.exec(update(InspectionTarget).where(InspectionTarget.id == target_pk)
                 .values(attempts=attempt, started_at=now, lease_until=until))
    session.commit()


def heartbeat(session: Session, target_pk: int, lease_seconds: float) -> None:
    """The check is alive: its lease is extended (the worker's own setting; readers need none)."""
    session.exec(update(InspectionTarget).where(InspectionTarget.id == target_pk)
                 .values(lease_until=utcnow() + timedelta(seconds=lease_seconds)))
    session.commit()


def set_running(session: Session, inspection_id: int, target_count: int, schedule_start: datetime | None,
                schedule_end: datetime | None) -> bool:
    """Pending → running once the targets are planned. False when the inspection was cancelled meanwhile."""
    changed = session.exec(
        update(Inspection).where(Inspection.id == inspection_id,
                                 Inspection.state.in_([InspectionState.pending, InspectionState.running]))
        .values(state=InspectionState.running, target_count=target_count, schedule_start=schedule_start,
                schedule_end=schedule_end, started_at=func.coalesce(Inspection.started_at, utcnow()))
    ).rowcount
    session.commit()
    return bool(changed)


def set_failed(session: Session, inspection_id: int, error: str) -> None:
    session.exec(update(Inspection).where(Inspection.id == inspection_id,
                                          Inspection.state == InspectionState.pending)
                 .values(state=InspectionState.failed, error=error[:2000], finished_at=utcnow()))
    session.commit()


def complete_if_done(session: Session, inspection_id: int) -> bool:
    """Running → completed when every target has a result. Called after each result commits, so the last
    committer always sees all rows (READ COMMITTED)."""
    results = (select(func.count()).select_from(InspectionResult)
               .where(InspectionResult.inspection_id == inspection_id).scalar_subquery())
    changed = session.exec(
        update(Inspection).where(Inspection.id == inspection_id, Inspection.state == InspectionState.running,
                                 Inspection.target_count <= results)
        .values(state=InspectionState.completed, finished_at=utcnow())
    ).rowcount
    session.commit()
    return bool(changed)


# ---------------------------------------------------------------------------------------------------
# Targets and probes


def add_targets(session: Session, targets: list[dict[str, Any]]) -> None:
    """Idempotent: re-planning after a crash inserts nothing twice."""
    # One statement compiled once, its rows sent in batches (executemany): a VALUES list of 500 rows was
    # compiled afresh for every chunk, seconds of CPU for a province's targets.
    statement = insert(InspectionTarget.__table__).on_conflict_do_nothing(constraint="uq_target_inspection_kind_id")
    if targets:
        session.connection().execute(statement, targets)
    session.commit()


def targets_of(session: Session, inspection_id: int, kind: TargetKind | None = None) -> list[InspectionTarget]:
    query = select(InspectionTarget).where(InspectionTarget.inspection_id == inspection_id)
    if kind is not None:
        query = query.where(InspectionTarget.kind == kind)
    return list(session.exec(query.order_by(InspectionTarget.id)).all())


def get_target(session: Session, inspection_id: int, kind: TargetKind, target_id: int) -> InspectionTarget | None:
    return session.exec(select(InspectionTarget).where(
        InspectionTarget.inspection_id == inspection_id, InspectionTarget.kind == kind,
        InspectionTarget.target_id == target_id)).first()


def list_targets(session: Session, inspection: Inspection, *, kind: TargetKind | None, pending: bool | None,
                 limit: int, offset: int) -> tuple[list[tuple[InspectionTarget, bool]], int]:
    has_result = _has_result()
    query = select(InspectionTarget, has_result).where(InspectionTarget.inspection_id == inspection.id)
    if kind is not None:
        query = query.where(InspectionTarget.kind == kind)
    if pending is not None:
        query = query.where(~has_result if pending else has_result)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(InspectionTarget.id).offset(offset).limit(limit)).all()
    return [(t, bool(h)) for t, h in rows], total


def record_probe(session: Session, inspection_id: int, target_id: int, seq: int, *, at: datetime, ok: bool,
                 status: int | None, elapsed_ms: int, error: str | None) -> None:
    session.exec(insert(Probe).values(
        inspection_id=inspection_id, target_id=target_id, seq=seq, at=at, observed_at=utcnow(), ok=ok,
        status=status, elapsed_ms=elapsed_ms, error=(error or None) and error[:200],
    ).on_conflict_do_nothing(constraint="uq_probe_inspection_target_seq"))
    session.commit()


def probes_of(session: Session, inspection_id: int, target_id: int) -> list[Probe]:
    return list(session.exec(select(Probe).where(Probe.inspection_id == inspection_id,
                                                 Probe.target_id == target_id).order_by(Probe.seq)).all())


def probed_seqs(session: Session, inspection_id: int, seq: int) -> set[int]:
    return set(session.exec(select(Probe.target_id).where(Probe.inspection_id == inspection_id,
                                                          Probe.seq == seq)).all())


# ---------------------------------------------------------------------------------------------------
# Results


def _finding_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for f in result.get("findings", []):
        rows.append(dict(indicator=f["indicator"], severity=f.get("severity", "deduct"), message=f["message"],
                         evidence=f.get("evidence", []), count=f.get("count", 1), points=f.get("points", 0.0),
                         data=f.get("data", {}), source=FindingSource.auto))
    return rows


def _result_values(target: InspectionTarget, status: ResultStatus, result: dict[str, Any], error: str | None,
                   attempts: int) -> dict[str, Any]:
    ok = status == ResultStatus.ok
    now = utcnow()
    return dict(inspection_id=target.inspection_id, kind=target.kind, target_id=target.target_id,
                name=target.name, url=target.url or target.platform, org_path=target.org_path, status=status,
                verdict=result.get("verdict") if ok else None, score=result.get("score") if ok else None,
                error=(error or None) and error[:4000], checked_at=now, attempts=attempts, result=result,
                updated_at=now)


def upsert_result(session: Session, target: InspectionTarget, *, status: ResultStatus,
                  result: dict[str, Any] | None, error: str | None, attempts: int) -> InspectionResult:
    """Write the one result of (inspection, kind, target): insert or replace, in one transaction with its
    automatic findings. Manual findings and dismissals made by reviewers survive a re-run."""
    result = result or {}
    values = _result_values(target, status, result, error, attempts)
    statement = insert(InspectionResult).values(**values)
    statement = statement.on_conflict_do_update(
        constraint="uq_result_inspection_kind_target",
        set_={k: statement.excluded[k] for k in values if k not in ("inspection_id", "kind", "target_id")},
    ).returning(InspectionResult.id, literal_column("xmax = 0"))  # xmax 0: the row is new, not replaced
    result_id, fresh = session.exec(statement).one()
    dismissed: dict[tuple[str, str], Finding] = {}
    if not fresh:
        # Dismissals of automatic findings are kept by (indicator, message) so a re-run does not undo a review.
        dismissed = {(f.indicator, f.message): f for f in session.exec(select(Finding).where(
            Finding.result_id == result_id, Finding.source == FindingSource.auto, Finding.dismissed)).all()}
        session.exec(delete(Finding).where(Finding.result_id == result_id, Finding.source == FindingSource.auto))
    for row in _finding_rows(result):
        finding = Finding(result_id=result_id, inspection_id=target.inspection_id, kind=target.kind,
                          target_id=target.target_id, **row)
        previous = dismissed.get((finding.indicator, finding.message))
        if previous is not None:
            finding.dismissed, finding.dismissed_reason = True, previous.dismissed_reason
            finding.dismissed_by, finding.dismissed_at = previous.dismissed_by, previous.dismissed_at
        session.add(finding)
    session.flush()
    row = session.get(InspectionResult, result_id, populate_existing=True)
    assert row is not None
    # Manual findings and dismissals (only a replaced result can have them) change the verdict.
    reviewed = select(func.count()).select_from(Finding).where(
        Finding.result_id == result_id, or_(Finding.source == FindingSource.manual, Finding.dismissed))
    if not fresh and status == ResultStatus.ok and session.exec(reviewed).one():
        recompute(session, row)
    session.commit()
    return row


def record_orphan(session: Session, target: InspectionTarget, error: str, attempts: int) -> bool:
    """An `error` result for a target whose job is gone, unless a result arrived meanwhile (the job may
    finish while the sweeper looks): never replaces a real one. False when one was already there."""
    statement = insert(InspectionResult).values(**_result_values(target, ResultStatus.error, {}, error, attempts))
    inserted = session.exec(statement.on_conflict_do_nothing(constraint="uq_result_inspection_kind_target")
                            .returning(InspectionResult.id)).first()
    session.commit()
    return inserted is not None


def pending_snapshot_results(session: Session, since: datetime | None = None,
                             limit: int = 200) -> list[InspectionResult]:
    """Results citing a snapshot still spooled (crawl/spool.py): S3 was down when they were stored.
    `since` limits the look to results written since then (the sweeper's routine look stays cheap)."""
    marker = {"findings": [{"evidence": [{"snapshot_state": "pending"}]}]}
    query = select(InspectionResult).where(InspectionResult.result.op("@>")(marker))
    if since is not None:
        query = query.where(InspectionResult.updated_at >= since)
    return list(session.exec(query.order_by(InspectionResult.id).limit(limit)).all())


def pending_keys(result: dict[str, Any]) -> set[str]:
    return {e["snapshot"] for f in result.get("findings", []) for e in f.get("evidence", [])
            if e.get("snapshot_state") == "pending" and e.get("snapshot")}


def _mark_stored(evidence: list[dict[str, Any]], stored: set[str]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "snapshot_state"}
            if e.get("snapshot_state") == "pending" and e.get("snapshot") in stored else e for e in evidence]


def mark_snapshots_stored(session: Session, row: InspectionResult, stored: set[str]) -> None:
    """The spooled snapshots `stored` are in S3 now: their evidence (in the result and its finding rows)
    no longer says pending."""
    result = dict(row.result)
    result["findings"] = [{**f, "evidence": _mark_stored(f.get("evidence", []), stored)}
                          for f in result.get("findings", [])]
    session.exec(update(InspectionResult).where(InspectionResult.id == row.id).values(result=result))
    for finding in findings_of(session, row.id):
        evidence = _mark_stored(finding.evidence, stored)
        if evidence != finding.evidence:
            session.exec(update(Finding).where(Finding.id == finding.id).values(evidence=evidence))
    session.commit()


def result_query(inspection: Inspection, *, verdict: Verdict | None = None, status: ResultStatus | None = None,
                 kind: TargetKind | None = None, q: str | None = None, indicator: str | None = None):
    query = select(InspectionResult).where(InspectionResult.inspection_id == inspection.id)
    if verdict is not None:
        query = query.where(InspectionResult.verdict == verdict)
    if status is not None:
        query = query.where(InspectionResult.status == status)
    if kind is not None:
        query = query.where(InspectionResult.kind == kind)
    if q:
        query = query.where(or_(InspectionResult.name.icontains(q, autoescape=True),
                                InspectionResult.url.icontains(q, autoescape=True)))
    if indicator:
        query = query.where(select(Finding.id).where(Finding.result_id == InspectionResult.id,
                                                     Finding.indicator == indicator,
                                                     ~Finding.dismissed).exists())
    return query


def list_results(session: Session, inspection: Inspection, *, limit: int, offset: int,
                 **filters: Any) -> tuple[list[ResultSummary], int]:
    query = result_query(inspection, **filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    # Failing targets first (as a notice lists them), then by name.
    order = case((InspectionResult.verdict == Verdict.fail, 0), (InspectionResult.status == ResultStatus.error, 1),
                 else_=2)
    rows = list(session.exec(query.order_by(order, InspectionResult.name, InspectionResult.id)
                             .offset(offset).limit(limit)).all())
    codes: dict[int, list[str]] = {}
    vetoes: dict[int, list[str]] = {}
    if rows:
        for result_id, indicator, severity in session.exec(
                select(Finding.result_id, Finding.indicator, Finding.severity).where(
                    Finding.result_id.in_([r.id for r in rows]), ~Finding.dismissed)
                .order_by(Finding.id)).all():
            if indicator not in codes.setdefault(result_id, []):
                codes[result_id].append(indicator)
            if severity == "veto" and indicator not in vetoes.setdefault(result_id, []):
                vetoes[result_id].append(indicator)
    return [ResultSummary.model_validate(r, update={"indicators": codes.get(r.id, []), "vetoes": vetoes.get(r.id, [])})
            for r in rows], total


def get_result(session: Session, inspection: Inspection, kind: TargetKind, target_id: int) -> InspectionResult:
    row = session.exec(select(InspectionResult).where(
        InspectionResult.inspection_id == inspection.id, InspectionResult.kind == kind,
        InspectionResult.target_id == target_id)).first()
    if row is None:
        raise not_found("检查结果")
    return row


def findings_of(session: Session, result_id: int) -> list[Finding]:
    return list(session.exec(select(Finding).where(Finding.result_id == result_id).order_by(Finding.id)).all())


def result_detail(session: Session, row: InspectionResult) -> ResultDetail:
    findings = findings_of(session, row.id)
    active = [FindingPublic.model_validate(f) for f in findings if not f.dismissed]
    dismissed = [FindingPublic.model_validate(f) for f in findings if f.dismissed]
    target = row.result.get("target") or {"kind": str(row.kind), "id": row.target_id,
                                          ("url" if row.kind == TargetKind.site else "platform"): row.url}
    summary = ResultSummary.model_validate(row, update={
        "indicators": list(dict.fromkeys(f.indicator for f in active)),
        "vetoes": list(dict.fromkeys(f.indicator for f in active if f.severity == "veto"))})
    return ResultDetail(**summary.model_dump(), target=target,
                        indicator_set=row.result.get("indicator_set", ""),
                        indicator_set_version=row.result.get("indicator_set_version"),
                        findings=active, dismissed_findings=dismissed, result=row.result)


def contract_json(session: Session, row: InspectionResult) -> dict[str, Any]:
    """The result in the DESIGN.md shape, as reviewed (dismissed findings left out, manual ones in)."""
    detail = result_detail(session, row)
    return {"target": detail.target, "indicator_set": detail.indicator_set,
            "checked_at": row.checked_at.isoformat(), "verdict": row.verdict,
            "score": row.score,
            "findings": [{"indicator": f.indicator, "severity": f.severity, "message": f.message,
                          "evidence": f.evidence} for f in detail.findings]}


# ---------------------------------------------------------------------------------------------------
# Review: manual findings, dismissals, verdict recomputation


def indicator_set_of(session: Session, inspection_id: int) -> Any:
    # Imported here: the store modules use this module's audit helpers.
    from services.checker.store import indicator_sets
    inspection = session.get(Inspection, inspection_id)
    assert inspection is not None
    chosen = indicator_sets.get(session, None, inspection.indicator_set, inspection.indicator_set_version)
    return indicator_sets.engine_set(chosen.definition)


def recompute(session: Session, row: InspectionResult) -> None:
    """Severities, points, score and verdict of the active findings under the inspection's indicator set,
    exactly as the engine judged them (`indicators.evaluate`)."""
    from services.checker.indicators import evaluate
    from services.checker.model import Evidence, Finding as CheckFinding
    indicator_set = indicator_set_of(session, row.inspection_id)
    active = [f for f in findings_of(session, row.id) if not f.dismissed
              and f.indicator in indicator_set.indicators and indicator_set.indicators[f.indicator].enabled]
    checked = [CheckFinding(indicator=f.indicator, message=f.message, severity=f.severity, count=f.count,
                            points=f.points, data=dict(f.data or {}),
                            evidence=[Evidence(**{k: e.get(k) for k in ("url", "excerpt", "observed_at", "snapshot")})
                                      for e in f.evidence]) for f in active]
    verdict, score, judged = evaluate(checked, indicator_set)
    for row_finding, outcome in zip(active, judged, strict=True):
        row_finding.severity, row_finding.points = outcome.severity, outcome.points
        session.add(row_finding)
    row.verdict, row.score, row.updated_at = Verdict(verdict), score, utcnow()
    session.add(row)


def check_indicator(session: Session, inspection: Inspection, code: str) -> None:
    if code not in indicator_set_of(session, inspection.id).indicators:
        raise ApiError(422, "unknown_indicator", f"指标集 {inspection.indicator_set} 中没有指标 {code}",
                       field="indicator")


def check_evidence_urls(body: FindingCreate) -> None:
    """Evidence links are shown as links: http(s) only (a `javascript:` or `data:` URL would run in the SPA)."""
    for i, e in enumerate(body.evidence):
        if not is_http_url(e.url.strip()):
            raise ApiError(422, "invalid_evidence_url", "证据链接须为以 http:// 或 https:// 开头的网址",
                           field=f"evidence.{i}.url")


def add_finding(session: Session, principal: Principal, inspection: Inspection, row: InspectionResult,
                body: FindingCreate) -> Finding:
    check_evidence_urls(body)
    check_indicator(session, inspection, body.indicator)
    if row.status != ResultStatus.ok:
        raise conflict("result_not_checked", "该对象检查未完成，不能人工添加问题，请先重新检查")
    before = {"verdict": row.verdict, "score": row.score}
    evidence = [{"url": e.url.strip(), "excerpt": e.excerpt,
                 "observed_at": (e.observed_at or utcnow()).isoformat(), "snapshot": e.snapshot}
                for e in body.evidence]
    finding = Finding(result_id=row.id, inspection_id=inspection.id, kind=row.kind, target_id=row.target_id,
                      indicator=body.indicator, severity="deduct", message=body.message, evidence=evidence,
                      count=body.count, source=FindingSource.manual, created_by=principal.sub)
    session.add(finding)
    session.flush()
    recompute(session, row)
    audit(session, principal, "finding.add", "finding", finding.id, row.org_path, before=before,
          after={"finding": dump(finding), "verdict": row.verdict,
                 "score": row.score}, note=f"inspection {inspection.id} {str(row.kind)}:{row.target_id}")
    session.commit()
    session.refresh(finding)
    return finding


def get_finding(session: Session, row: InspectionResult, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None or finding.result_id != row.id:
        raise not_found("问题")
    return finding


def dismiss_finding(session: Session, principal: Principal, row: InspectionResult, finding: Finding,
                    reason: str) -> Finding:
    if finding.dismissed:
        raise conflict("finding_dismissed", "该问题已被排除")
    before = {"finding": dump(finding), "verdict": row.verdict, "score": row.score}
    finding.dismissed, finding.dismissed_reason = True, reason
    finding.dismissed_by, finding.dismissed_at = principal.sub, utcnow()
    session.add(finding)
    session.flush()
    recompute(session, row)
    audit(session, principal, "finding.dismiss", "finding", finding.id, row.org_path, before=before,
          after={"finding": dump(finding), "verdict": row.verdict,
                 "score": row.score}, note=reason)
    session.commit()
    session.refresh(finding)
    return finding


def restore_finding(session: Session, principal: Principal, row: InspectionResult, finding: Finding) -> Finding:
    if not finding.dismissed:
        raise conflict("finding_active", "该问题未被排除")
    before = {"finding": dump(finding), "verdict": row.verdict, "score": row.score}
    finding.dismissed, finding.dismissed_reason, finding.dismissed_by, finding.dismissed_at = False, None, None, None
    session.add(finding)
    session.flush()
    recompute(session, row)
    audit(session, principal, "finding.restore", "finding", finding.id, row.org_path, before=before,
          after={"finding": dump(finding), "verdict": row.verdict,
                 "score": row.score})
    session.commit()
    session.refresh(finding)
    return finding
