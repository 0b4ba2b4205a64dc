"""The annual assessment of a subtree: one row per unit that was inspected, had rectification tasks or
self-inspection reports in the year; deductions weighted; ranked by score (ties share a rank)."""
import io
from collections import defaultdict
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, func, select

from services.common.auth import Principal
from services.common.clock import to_beijing, zone
from services.common.errors import ApiError
from services.common.exports import xlsx_row
from services.common.scope import ancestor_paths
from services.reporting.assessment.models import (
    Assessment, AssessmentRow, AssessmentWeights, Weights, WeightsPublic, WeightsPut,
)
from services.reporting.clients import ServiceClient
from services.reporting.models_base import utcnow
from services.reporting.rectification.models import FINAL, RectificationTask
from services.reporting.rectification.service import REVIEWERS, audit
from services.reporting.selfreports.models import ReportState, SelfReport
from services.reporting.selfreports.service import due_date, quarter_bounds
from services.reporting.statistics.models import TargetFact


def weights_for(session: Session, org_path: str, year: int) -> tuple[Weights, str]:
    """The nearest setting on the path up to the root (a city's weights apply to its counties unless
    a county sets its own), else the defaults."""
    rows = session.exec(select(AssessmentWeights).where(AssessmentWeights.year == year,
                                                        AssessmentWeights.org_path.in_(ancestor_paths(org_path)))).all()  # type: ignore[attr-defined]
    if not rows:
        return Weights(), "default"
    nearest = max(rows, key=lambda r: len(r.org_path))
    return Weights.model_validate(nearest.weights), str(nearest.org_id)


def put_weights(session: Session, principal: Principal, org: tuple[int, str], body: WeightsPut) -> WeightsPublic:
    if principal.role not in REVIEWERS:
        raise ApiError(403, "forbidden", "只有监管单位可以设置考核权重")
    org_id, org_path = org
    row = session.exec(select(AssessmentWeights).where(AssessmentWeights.org_id == org_id,
                                                       AssessmentWeights.year == body.year)).first()
    before = row.weights if row else None
    if row is None:
        row = AssessmentWeights(org_id=org_id, org_path=org_path, year=body.year, weights={}, updated_by=principal.sub)
    row.weights, row.updated_by, row.updated_at = body.weights.model_dump(mode="json"), principal.sub, utcnow()
    session.add(row)
    audit(session, principal, "assessment_weights_set", entity_kind="assessment_weights", entity_id=org_id,
          org_path=org_path, before=before, after={"year": body.year, **row.weights})
    session.commit()
    return WeightsPublic(org_id=org_id, year=body.year, weights=body.weights, source=str(org_id))


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def grade(score: float, w: Weights) -> str:
    return "优秀" if score >= w.excellent else "良好" if score >= w.good else "合格" if score >= w.passing else "不合格"


def first_seen(session: Session, org_path: str) -> dict[str, date]:
    """Per unit path of the subtree: the first day of the quarter it was first inspected, given a task or asked
    for a self-inspection report — when the platform started to know it (its onboarding)."""
    under = org_path
    out: dict[str, date] = {}

    def keep(path: str, day: date) -> None:
        day = quarter_start(day)
        if path not in out or day < out[path]:
            out[path] = day

    for path, when in session.exec(select(TargetFact.org_path, func.min(TargetFact.inspection_now))
                                   .where(TargetFact.org_path.startswith(under, autoescape=True))  # type: ignore[attr-defined]
                                   .group_by(TargetFact.org_path)).all():
        keep(path, to_beijing(when).date())
    for path, when in session.exec(select(RectificationTask.org_path, func.min(RectificationTask.created_at))
                                   .where(RectificationTask.org_path.startswith(under, autoescape=True))  # type: ignore[attr-defined]
                                   .group_by(RectificationTask.org_path)).all():
        keep(path, to_beijing(when).date())
    for path, year, quarter in session.exec(select(SelfReport.org_path, SelfReport.year, SelfReport.quarter)
                                            .where(SelfReport.org_path.startswith(under, autoescape=True))).all():  # type: ignore[attr-defined]
        keep(path, quarter_bounds(year, quarter)[0])
    return out


def assess(session: Session, client: ServiceClient, org_id: int, org_path: str, year: int, today: date) -> Assessment:
    weights, source = weights_for(session, org_path, year)
    # The assessed year is the Beijing calendar year (an inspection at 2027-01-01 07:00 Beijing is 2027's).
    start, end = datetime(year, 1, 1, tzinfo=zone()), datetime(year + 1, 1, 1, tzinfo=zone())
    rows: dict[str, AssessmentRow] = {}
    names = {o["path"]: (o["id"], o["name"]) for o in client.orgs() if o["path"].startswith(org_path)}

    def row(path: str) -> AssessmentRow:
        if path not in rows:
            oid, name = names.get(path, (int(path.strip("/").split("/")[-1]), path))
            rows[path] = AssessmentRow(rank=0, org_id=oid, org_path=path, unit_name=name)
        return rows[path]

    in_scope = TargetFact.org_path.startswith(org_path, autoescape=True)  # type: ignore[attr-defined]
    onboarded = first_seen(session, org_path)
    # A failing target counts once a quarter, however many notices named it (a city's and a county's notice of
    # the same round share one rectification task and one deduction).
    failing = session.exec(select(TargetFact.org_path, TargetFact.kind, TargetFact.target_id,
                                  TargetFact.inspection_now)
                           .where(in_scope, TargetFact.verdict == "fail", TargetFact.inspection_now >= start,
                                  TargetFact.inspection_now < end)).all()
    for path in session.exec(select(TargetFact.org_path).distinct().where(
            in_scope, TargetFact.inspection_now >= start, TargetFact.inspection_now < end)).all():
        row(path)  # every unit inspected in the year is assessed, failing or not
    counted: set[tuple[str, str, int, date]] = set()
    for path, kind, target_id, when in failing:
        key = (path, kind, target_id, quarter_start(to_beijing(when).date()))
        if key in counted:
            continue
        counted.add(key)
        r = row(path)
        if kind == "site":
            r.site_failures += 1
        else:
            r.account_failures += 1
    tasks = session.exec(select(RectificationTask).where(
        RectificationTask.org_path.startswith(org_path, autoescape=True),  # type: ignore[attr-defined]
        RectificationTask.created_at >= start, RectificationTask.created_at < end)).all()
    for t in tasks:
        r = row(t.org_path)
        r.tasks += 1
        r.overdue_tasks += t.overdue_at is not None or (t.deadline is not None and t.deadline < today
                                                         and t.state not in FINAL)
        r.unrectified_tasks += t.state not in FINAL
    reports = session.exec(select(SelfReport).where(
        SelfReport.org_path.startswith(org_path, autoescape=True), SelfReport.year == year)).all()  # type: ignore[attr-defined]
    submitted: dict[str, set[int]] = defaultdict(set)
    for rep in reports:
        r = row(rep.org_path)
        if rep.submitted_at is not None:
            submitted[rep.org_path].add(rep.quarter)
            r.late_reports += rep.late
    floor = quarter_start(weights.in_use_since) if weights.in_use_since else None
    for path, r in rows.items():
        # Only quarters since the unit was onboarded (its first inspection, task or report) and the platform
        # was in use count: nothing is "missing" from before.
        since = max(d for d in (onboarded.get(path), floor, date(year, 1, 1)) if d is not None)
        r.since = since
        r.missing_reports = sum(1 for q in (1, 2, 3, 4) if due_date(year, q) < today
                                and quarter_bounds(year, q)[0] >= since and q not in submitted[path])
    rows.pop(org_path, None)  # the office assesses its units, not itself
    for r in rows.values():
        r.deduction = round(r.site_failures * weights.site_failure + r.account_failures * weights.account_failure
                            + r.overdue_tasks * weights.overdue_task + r.unrectified_tasks * weights.unrectified_task
                            + r.late_reports * weights.late_report + r.missing_reports * weights.missing_report, 2)
        r.score = round(max(weights.base - r.deduction, 0.0), 2)
        r.grade = grade(r.score, weights)
    ranked = sorted(rows.values(), key=lambda r: (-r.score, r.unit_name))
    for i, r in enumerate(ranked):
        r.rank = ranked[i - 1].rank if i and ranked[i - 1].score == r.score else i + 1
    return Assessment(year=year, org_id=org_id, org_path=org_path, weights=weights, weights_source=source, rows=ranked)


HEADERS = ("排名", "单位", "网站不合格（次）", "新媒体不合格（次）", "整改逾期（项）", "未完成整改（项）",
           "自查报告迟报（次）", "自查报告未报（次）", "扣分", "得分", "等次")


def to_xlsx(a: Assessment, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{a.year}年度考核"
    ws.append(xlsx_row(ws, [title]))  # unit names are user text: never a formula
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    w = a.weights
    ws.append([f"扣分标准：网站不合格每次{w.site_failure:g}分，新媒体不合格每次{w.account_failure:g}分，整改逾期每项"
               f"{w.overdue_task:g}分，未完成整改每项{w.unrectified_task:g}分，自查报告迟报每次{w.late_report:g}分、"
               f"未报每次{w.missing_report:g}分；基础分{w.base:g}分。等次：{w.excellent:g}分及以上为优秀，{w.good:g}分及以上为良好，"
               f"{w.passing:g}分及以上为合格，其余为不合格。"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    ws.append(list(HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in a.rows:
        ws.append(xlsx_row(ws, [r.rank, r.unit_name, r.site_failures, r.account_failures, r.overdue_tasks,
                                r.unrectified_tasks, r.late_reports, r.missing_reports, r.deduction, r.score, r.grade]))
    for column, width in zip("ABCDEFGHIJK", (6, 30, 14, 16, 14, 14, 16, 16, 8, 8, 8)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
