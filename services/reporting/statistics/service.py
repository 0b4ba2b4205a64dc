"""Pass rates for the dashboard, from the facts recorded when notices are assembled (raw verdicts).

合格率 = passed ÷ checked (targets with a verdict); counts are returned with the rate so the dashboard
can print them with any precision."""
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.scope import ancestor_paths, scope_filter
from services.reporting.statistics.models import TargetFact


def _counts():  # noqa: ANN202
    passed = func.sum(case((TargetFact.verdict == "pass", 1), else_=0))
    failed = func.sum(case((TargetFact.verdict == "fail", 1), else_=0))
    errors = func.sum(case((TargetFact.verdict.is_(None), 1), else_=0))  # type: ignore[union-attr]
    return passed, failed, errors


def _row(label: dict[str, Any], passed: int | None, failed: int | None, errors: int | None) -> dict[str, Any]:
    passed, failed, errors = int(passed or 0), int(failed or 0), int(errors or 0)
    checked = passed + failed
    return {**label, "checked": checked, "passed": passed, "failed": failed, "errors": errors,
            "pass_rate": round(passed / checked, 6) if checked else None}


def _base(principal: Principal, org_path: str):  # noqa: ANN202
    return (scope_filter(TargetFact.org_path, principal),
            TargetFact.org_path.startswith(org_path, autoescape=True))


def latest_inspection(session: Session, principal: Principal, org_path: str) -> TargetFact | None:
    return session.exec(select(TargetFact).where(*_base(principal, org_path))
                        .order_by(TargetFact.inspection_now.desc(), TargetFact.inspection_id.desc())).first()


def pass_rates(session: Session, principal: Principal, org_id: int, org_path: str,
               inspection_id: int | None) -> dict[str, Any]:
    if inspection_id is None:
        latest = latest_inspection(session, principal, org_path)
        inspection_id = latest.inspection_id if latest else None
    out: dict[str, Any] = {"org_id": org_id, "org_path": org_path, "inspection_id": inspection_id,
                           "inspection_name": None, "now": None, "overall": None, "by_kind": [],
                           "by_site_kind": [], "by_platform": []}
    if inspection_id is None:
        return out
    where = (*_base(principal, org_path), TargetFact.inspection_id == inspection_id)
    head = session.exec(select(TargetFact).where(*where)).first()
    if head is not None:
        out["inspection_name"], out["now"] = head.inspection_name, head.inspection_now
    passed, failed, errors = _counts()
    total = session.exec(select(passed, failed, errors).where(*where)).one()
    out["overall"] = _row({}, *total)
    for column, key, extra in ((TargetFact.kind, "by_kind", None),
                               (TargetFact.site_kind, "by_site_kind", TargetFact.kind == "site"),
                               (TargetFact.platform, "by_platform", TargetFact.kind == "account")):
        query = select(column, passed, failed, errors).where(*where)
        if extra is not None:
            query = query.where(extra)
        rows = session.exec(query.group_by(column).order_by(column)).all()
        name = key.removeprefix("by_")
        out[key] = [_row({name: value}, p, f, e) for value, p, f, e in rows]
    return out


def trend(session: Session, principal: Principal, org_id: int, org_path: str, kind: str | None,
          limit: int) -> dict[str, Any]:
    passed, failed, errors = _counts()
    # Inspections that covered the whole organisation (its own scope or a wider one): a spot check of one
    # county is not a point of its city's trend.
    query = select(TargetFact.inspection_id, TargetFact.inspection_name, TargetFact.inspection_now,
                   passed, failed, errors).where(*_base(principal, org_path),
                                                 TargetFact.scope_org_path.in_(ancestor_paths(org_path)))  # type: ignore[attr-defined]
    if kind:
        query = query.where(TargetFact.kind == kind)
    rows = session.exec(query.group_by(TargetFact.inspection_id, TargetFact.inspection_name,
                                       TargetFact.inspection_now)
                        .order_by(TargetFact.inspection_now.desc()).limit(limit)).all()
    points = [_row({"inspection_id": i, "inspection_name": n, "now": t}, p, f, e) for i, n, t, p, f, e in rows]
    points.reverse()
    for before, after in zip(points, points[1:], strict=False):
        if before["pass_rate"] is not None and after["pass_rate"] is not None:
            after["change_points"] = round((after["pass_rate"] - before["pass_rate"]) * 100, 4)
    return {"org_id": org_id, "org_path": org_path, "kind": kind, "points": points}
