"""The annual assessment of a subtree: one row per unit that was inspected, had rectification tasks or
self-inspection reports in the year; deductions weighted; ranked by score (ties share a rank)."""
import io
from collections import defaultdict
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, func, select

from services.common.auth import Principal
from services.common.clock import zone
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
from services.reporting.selfreports.service import due_date
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
    row.weights, row.updated_by, row.updated_at = body.weights.model_dump(), principal.sub, utcnow()
    session.add(row)
    audit(session, principal, "assessment_weights_set", entity_kind="assessment_weights", entity_id=org_id,
          org_path=org_path, before=before, after={"year": body.year, **row.weights})
    session.commit()
    return WeightsPublic(org_id=org_id, year=body.year, weights=body.weights, source=str(org_id))


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
    facts = session.exec(select(TargetFact.org_path, TargetFact.kind,
                                func.count().filter(TargetFact.verdict == "fail"))
                         .where(in_scope, TargetFact.inspection_now >= start, TargetFact.inspection_now < end)
                         .group_by(TargetFact.org_path, TargetFact.kind)).all()
    for path, kind, failed in facts:
        r = row(path)
        if kind == "site":
            r.site_failures += failed
        else:
            r.account_failures += failed
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
    due_quarters = [q for q in (1, 2, 3, 4) if due_date(year, q) < today]
    for path, r in rows.items():
        r.missing_reports = sum(1 for q in due_quarters if q not in submitted[path])
    rows.pop(org_path, None)  # the office assesses its units, not itself
    for r in rows.values():
        r.deduction = round(r.site_failures * weights.site_failure + r.account_failures * weights.account_failure
                            + r.overdue_tasks * weights.overdue_task + r.unrectified_tasks * weights.unrectified_task
                            + r.late_reports * weights.late_report + r.missing_reports * weights.missing_report, 2)
        r.score = round(max(weights.base - r.deduction, 0.0), 2)
    ranked = sorted(rows.values(), key=lambda r: (-r.score, r.unit_name))
    for i, r in enumerate(ranked):
        r.rank = ranked[i - 1].rank if i and ranked[i - 1].score == r.score else i + 1
    return Assessment(year=year, org_id=org_id, org_path=org_path, weights=weights, weights_source=source, rows=ranked)


HEADERS = ("排名", "单位", "网站不合格（次）", "新媒体不合格（次）", "整改逾期（项）", "未完成整改（项）",
           "自查报告迟报（次）", "自查报告未报（次）", "扣分", "得分")


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
               f"未报每次{w.missing_report:g}分；基础分{w.base:g}分。"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    ws.append(list(HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in a.rows:
        ws.append(xlsx_row(ws, [r.rank, r.unit_name, r.site_failures, r.account_failures, r.overdue_tasks,
                                r.unrectified_tasks, r.late_reports, r.missing_reports, r.deduction, r.score]))
    for column, width in zip("ABCDEFGHIJ", (6, 30, 14, 16, 14, 14, 16, 16, 8, 8)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
