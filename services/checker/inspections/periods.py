"""One organisation's subtree over a period, across inspections: what was checked, what stayed wrong, and
the monthly figures (published items, messages, posts). The reporting service builds rectification
follow-ups and quarterly self-inspection reports (自查报告) from it.

Rules:
- an inspection counts when it is completed and its monitoring time point `now` lies in [start, end)
  (dates are Beijing dates, as reports print them); a re-check is an inspection like any other;
- a result counts when its target's `org_path` lies in the organisation's subtree (whatever the
  inspection's scope), so a county's summary holds its own targets only;
- per target, `metrics` are those of its latest checked result in the period (latest monitoring time
  point); the totals add, per target, only the months that overlap [start, end), so nothing is counted
  twice however often a target was inspected;
- findings are the active (not dismissed) ones, grouped by indicator over the period.
"""
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlmodel import Session, SQLModel, select

from services.checker.inspections.models import (
    Finding, Inspection, InspectionResult, InspectionState, ResultStatus, TargetKind, Verdict,
)

CHINA = timezone(timedelta(hours=8))  # reporting periods are Beijing calendar days


class PeriodFinding(SQLModel):
    indicator: str
    message: str            # as the latest check in which it was found words it (several joined by ；)
    first_seen: datetime    # monitoring time point of the first check that found it in the period
    last_seen: datetime
    count: int              # checks (results) in the period that found it


class PeriodTarget(SQLModel):
    kind: TargetKind
    target_id: int
    name: str
    org_path: str
    checks: int             # results with a verdict (a check that could not run is not counted)
    failed_checks: int      # of which verdict fail
    findings: list[PeriodFinding]
    metrics: dict[str, Any]  # of the latest checked result, as stored (all months)
    latest_checked_at: datetime | None
    latest_verdict: Verdict | None  # None: no check of the target could run in the period
    latest_inspection_id: int


class PeriodTotals(SQLModel):
    sites: int
    accounts: int
    findings: int           # distinct (target, indicator) pairs
    items_published: int    # the month-keyed figures below: months overlapping [start, end) only
    messages_received: int
    messages_answered: int
    posts: int
    original_posts: int


class PeriodSummary(SQLModel):
    org_id: int
    start: date
    end: date
    inspections: int        # completed inspections in the period with a result in the subtree
    targets: list[PeriodTarget]
    totals: PeriodTotals


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(), CHINA), datetime.combine(end, time(), CHINA)


def month_inside(key: str, start: date, end: date) -> bool:
    """A "YYYY-MM" key whose month overlaps [start, end)."""
    try:
        first = date(int(key[:4]), int(key[5:7]), 1)
    except ValueError:
        return False
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first < end and following > start


def _sum(by_month: Any, start: date, end: date, field: str | None = None) -> int:
    if not isinstance(by_month, dict):
        return 0
    total = 0
    for key, value in by_month.items():
        if month_inside(key, start, end):
            value = value.get(field, 0) if field and isinstance(value, dict) else value
            total += value if isinstance(value, int) else 0
    return total


def summary(session: Session, org_id: int, org_path: str, start: date, end: date) -> PeriodSummary:
    lo, hi = bounds(start, end)
    in_period = (Inspection.state == InspectionState.completed, Inspection.now >= lo, Inspection.now < hi,
                 InspectionResult.org_path.startswith(org_path, autoescape=True))
    of_inspection = Inspection.id == InspectionResult.inspection_id
    rows = session.exec(
        select(InspectionResult.id, InspectionResult.inspection_id, InspectionResult.kind,
               InspectionResult.target_id, InspectionResult.name, InspectionResult.org_path,
               InspectionResult.status, InspectionResult.verdict, InspectionResult.checked_at,
               InspectionResult.result["metrics"].label("metrics"), Inspection.now)
        .join(Inspection, of_inspection).where(*in_period)
        .order_by(Inspection.now, InspectionResult.checked_at, InspectionResult.id)).all()
    # Active findings of those results (the same filter joined in SQL, rather than a list of ids).
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for result_id, indicator, message in session.exec(
            select(Finding.result_id, Finding.indicator, Finding.message)
            .join(InspectionResult, InspectionResult.id == Finding.result_id).join(Inspection, of_inspection)
            .where(*in_period, ~Finding.dismissed).order_by(Finding.id)).all():
        found[result_id].append((indicator, message))

    by_target: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for row in rows:
        by_target[(str(row.kind), row.target_id)].append(row)
    targets = [_target(results, found) for results in by_target.values()]
    targets.sort(key=lambda t: (t.kind != TargetKind.site, t.name, t.target_id))

    sites = [t for t in targets if t.kind == TargetKind.site]
    accounts = [t for t in targets if t.kind == TargetKind.account]

    def total(of: list[PeriodTarget], key: str, field: str | None = None) -> int:
        return sum(_sum(t.metrics.get(key), start, end, field) for t in of)

    totals = PeriodTotals(
        sites=len(sites), accounts=len(accounts), findings=sum(len(t.findings) for t in targets),
        items_published=total(sites, "items_by_month"),
        messages_received=total(sites, "messages_by_month", "received"),
        messages_answered=total(sites, "messages_by_month", "answered"),
        posts=total(accounts, "posts_by_month"), original_posts=total(accounts, "original_by_month"))
    inspections = len({r.inspection_id for r in rows})
    return PeriodSummary(org_id=org_id, start=start, end=end, inspections=inspections, targets=targets,
                         totals=totals)


def _target(results: list[Any], found: dict[int, list[tuple[str, str]]]) -> PeriodTarget:
    """One target from its results in the period, oldest monitoring time point first."""
    checked = [r for r in results if r.status == ResultStatus.ok]
    latest = checked[-1] if checked else results[-1]
    findings: dict[str, dict[str, Any]] = {}
    for r in results:
        messages: dict[str, list[str]] = defaultdict(list)
        for indicator, message in found.get(r.id, []):
            if message not in messages[indicator]:
                messages[indicator].append(message)
        for indicator, texts in messages.items():
            entry = findings.setdefault(indicator, {"indicator": indicator, "first_seen": r.now, "count": 0})
            entry.update(message="；".join(texts), last_seen=r.now, count=entry["count"] + 1)
    metrics = latest.metrics if checked and isinstance(latest.metrics, dict) else {}
    return PeriodTarget(
        kind=latest.kind, target_id=latest.target_id, name=latest.name, org_path=latest.org_path,
        checks=len(checked), failed_checks=sum(1 for r in checked if r.verdict == Verdict.fail),
        findings=[PeriodFinding(**f) for f in findings.values()], metrics=metrics,
        latest_checked_at=latest.checked_at, latest_verdict=latest.verdict if checked else None,
        latest_inspection_id=latest.inspection_id)
