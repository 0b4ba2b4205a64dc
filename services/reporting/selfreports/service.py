"""Self-inspection reports: create pre-filled, edit, submit, review, export. Plain functions on a session."""
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from services.common.auth import Principal
from services.common.clock import cn_date
from services.common.errors import ApiError, conflict, not_found
from services.common.scope import scope_filter
from services.reporting.clients import ServiceClient
from services.reporting.models_base import utcnow
from services.reporting.notices.wording import rate
from services.reporting.notifications import service as notifications
from services.reporting.notifications.models import NotificationKind
from services.reporting.rectification.models import FINAL, RectificationTask
from services.reporting.rectification.service import WORKERS, audit, reviews
from services.reporting.selfreports.models import (
    EDITABLE, SECTIONS, STATE_LABELS, Figures, ReportState, SelfReport, SelfReportCreate, SelfReportPublic, SelfReportReview,
    SelfReportUpdate,
)
from services.reporting.settings import get_reporting_settings

QUARTER_CN = {1: "一", 2: "二", 3: "三", 4: "四"}


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """[first day, first day of the next quarter)."""
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def due_date(year: int, quarter: int) -> date:
    return quarter_bounds(year, quarter)[1] + timedelta(days=get_reporting_settings().self_report_due_days - 1)


def public(report: SelfReport, day: date) -> SelfReportPublic:
    return SelfReportPublic.model_validate(report, update={
        "figures": Figures.model_validate(report.figures), "section_titles": dict(SECTIONS),
        "overdue": report.state in EDITABLE and report.due_date < day})


# ---------------------------------------------------------------------------------------------------
# Figures and the pre-filled text


def gather(session: Session, client: ServiceClient, org_id: int, org_path: str, year: int, quarter: int) -> Figures:
    start, end = quarter_bounds(year, quarter)
    summary = client.period_summary(org_id, start.isoformat(), end.isoformat()) or {}
    totals = summary.get("totals", {})
    kinds: dict[str, dict[str, Any]] = {}
    for target in summary.get("targets", []):
        for finding in target.get("findings", []):
            entry = kinds.setdefault(finding["indicator"], {"indicator": finding["indicator"],
                                                             "label": finding["message"][:60], "count": 0})
            entry["count"] += 1
    in_subtree = RectificationTask.org_path.startswith(org_path, autoescape=True)  # type: ignore[attr-defined]
    fixed = session.exec(select(func.count()).select_from(RectificationTask).where(
        in_subtree, RectificationTask.state.in_(FINAL),  # type: ignore[attr-defined]
        RectificationTask.closed_at >= start, RectificationTask.closed_at < end)).one()  # type: ignore[operator]
    still_open = session.exec(select(func.count()).select_from(RectificationTask).where(
        in_subtree, RectificationTask.state.not_in(FINAL))).one()  # type: ignore[attr-defined]
    return Figures(sites=client.inventory_count("sites", org_id), accounts=client.inventory_count("accounts", org_id),
                   inspections=int(summary.get("inspections", 0)),
                   items_published=int(totals.get("items_published", 0)), posts=int(totals.get("posts", 0)),
                   messages_received=int(totals.get("messages_received", 0)),
                   messages_answered=int(totals.get("messages_answered", 0)),
                   problems_found=int(totals.get("findings", 0)), problems_fixed=fixed, tasks_open=still_open,
                   problem_kinds=sorted(kinds.values(), key=lambda k: -k["count"]))


def draft_sections(unit: str, f: Figures) -> dict[str, str]:
    kinds = "、".join(f"{k['label']}{k['count']}处" for k in f.problem_kinds[:8])
    answered = (f"，办结率{rate(f.messages_answered, f.messages_received)}" if f.messages_received else "")
    return {
        "sites": f"本季度，{unit}共运行政府网站{f.sites}个，共发布信息{f.items_published}条。"
                 f"本季度共接受上级检查{f.inspections}次。",
        "messages": f"本季度网站共收到网民留言{f.messages_received}件，已答复办结{f.messages_answered}件{answered}。",
        "accounts": f"本单位共开设政务新媒体账号{f.accounts}个，本季度共发布信息{f.posts}条。",
        "problems": f"本季度检查共发现问题{f.problems_found}个" + (f"，主要为{kinds}" if kinds else "")
                    + f"；已完成整改{f.problems_fixed}个" + (f"，尚有{f.tasks_open}项整改任务正在推进" if f.tasks_open else "")
                    + "。",
        "next_steps": "下一步，我单位将继续加强政府网站和政务新媒体日常监测和内容审核，严格落实信息发布"
                      "“三审三校”制度，对发现的问题立行立改，确保网站和新媒体安全平稳运行。",
    }


def title_of(unit: str, year: int, quarter: int) -> str:
    return f"{unit}关于{year}年第{QUARTER_CN[quarter]}季度政府网站与政务新媒体自查情况的报告"


# ---------------------------------------------------------------------------------------------------
# Lifecycle


def get_visible(session: Session, principal: Principal, report_id: int, *, lock: bool = False) -> SelfReport:
    query = select(SelfReport).where(SelfReport.id == report_id, scope_filter(SelfReport.org_path, principal))
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise not_found("自查报告")
    return row


def list_reports(session: Session, principal: Principal, *, limit: int, offset: int, year: int | None,
                 quarter: int | None, state: ReportState | None, org_path: str | None) -> tuple[list[SelfReport], int]:
    query = select(SelfReport).where(scope_filter(SelfReport.org_path, principal))
    if org_path:
        query = query.where(SelfReport.org_path.startswith(org_path, autoescape=True))  # type: ignore[attr-defined]
    for column, value in ((SelfReport.year, year), (SelfReport.quarter, quarter), (SelfReport.state, state)):
        if value is not None:
            query = query.where(column == value)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(SelfReport.year.desc(), SelfReport.quarter.desc(), SelfReport.unit_name)  # type: ignore[attr-defined]
                        .offset(offset).limit(limit)).all()
    return list(rows), total


def _require_worker(principal: Principal) -> None:
    if principal.role not in WORKERS:
        raise ApiError(403, "forbidden", "自查报告由责任单位（运维/主办单位）填报")


def create(session: Session, principal: Principal, client: ServiceClient, org: tuple[int, str, str],
           body: SelfReportCreate, day: date) -> SelfReport:
    _require_worker(principal)
    org_id, org_path, unit = org
    start, _ = quarter_bounds(body.year, body.quarter)
    if start > day:
        raise ApiError(422, "quarter_not_started", f"{body.year}年第{body.quarter}季度尚未开始", field="quarter")
    existing = session.exec(select(SelfReport).where(SelfReport.org_id == org_id, SelfReport.year == body.year,
                                                     SelfReport.quarter == body.quarter)).first()
    if existing is not None:
        raise conflict("report_exists", "该单位本季度的自查报告已存在", existing_id=existing.id)
    figures = gather(session, client, org_id, org_path, body.year, body.quarter)
    report = SelfReport(org_id=org_id, org_path=org_path, unit_name=unit, year=body.year, quarter=body.quarter,
                        title=title_of(unit, body.year, body.quarter), due_date=due_date(body.year, body.quarter),
                        figures=figures.model_dump(), sections=draft_sections(unit, figures), figures_at=utcnow(),
                        signature=unit, created_by=principal.sub)
    session.add(report)
    try:
        session.flush()
    except IntegrityError as exc:  # created concurrently
        session.rollback()
        raise conflict("report_exists", "该单位本季度的自查报告已存在") from exc
    audit(session, principal, "self_report_created", entity_kind="self_report", entity_id=report.id,
          org_path=org_path, after={"year": body.year, "quarter": body.quarter})
    session.commit()
    session.refresh(report)
    return report


def _editable(report: SelfReport) -> None:
    if report.state not in EDITABLE:
        raise conflict("report_not_editable", f"自查报告已{'提交' if report.state == ReportState.submitted else '审核通过'}，"
                       "不能修改", state=str(report.state))


def update(session: Session, principal: Principal, report_id: int, body: SelfReportUpdate) -> SelfReport:
    _require_worker(principal)
    report = get_visible(session, principal, report_id, lock=True)
    _editable(report)
    if body.sections is not None:
        unknown = set(body.sections) - {k for k, _ in SECTIONS}
        if unknown:
            raise ApiError(422, "unknown_section", f"未知的报告部分：{', '.join(sorted(unknown))}", field="sections")
        report.sections = {**report.sections, **{k: v[:20000] for k, v in body.sections.items()}}
    for name in ("title", "signature", "report_date"):
        if getattr(body, name) is not None:
            setattr(report, name, getattr(body, name))
    if body.figures is not None:
        report.figures = body.figures.model_dump()
    report.updated_at = utcnow()
    session.add(report)
    audit(session, principal, "self_report_edited", entity_kind="self_report", entity_id=report.id,
          org_path=report.org_path, after=body.model_dump(exclude_unset=True, mode="json"))
    session.commit()
    session.refresh(report)
    return report


def refresh_figures(session: Session, principal: Principal, client: ServiceClient, report_id: int,
                    rewrite_text: bool) -> SelfReport:
    _require_worker(principal)
    report = get_visible(session, principal, report_id, lock=True)
    _editable(report)
    figures = gather(session, client, report.org_id, report.org_path, report.year, report.quarter)
    report.figures, report.figures_at, report.updated_at = figures.model_dump(), utcnow(), utcnow()
    if rewrite_text:
        report.sections = draft_sections(report.unit_name, figures)
    session.add(report)
    session.commit()
    session.refresh(report)
    return report


def submit(session: Session, principal: Principal, report_id: int, day: date) -> SelfReport:
    _require_worker(principal)
    report = get_visible(session, principal, report_id, lock=True)
    if report.state not in EDITABLE:
        raise conflict("report_not_editable", "自查报告已提交，不能重复提交", state=str(report.state))
    empty = [title for key, title in SECTIONS if not (report.sections.get(key) or "").strip()]
    if empty:
        raise ApiError(422, "section_empty", f"以下部分尚未填写：{'、'.join(empty)}", field="sections")
    report.state, report.submitted_at, report.submitted_by = ReportState.submitted, utcnow(), principal.sub
    report.late = report.late or day > report.due_date   # a late first submission stays late
    report.report_date = report.report_date or day
    report.updated_at = utcnow()
    session.add(report)
    audit(session, principal, "self_report_submitted", entity_kind="self_report", entity_id=report.id,
          org_path=report.org_path, after={"late": report.late})
    session.commit()
    session.refresh(report)
    return report


def review(session: Session, principal: Principal, report_id: int, body: SelfReportReview) -> SelfReport:
    report = get_visible(session, principal, report_id, lock=True)
    if not reviews(principal, report.org_path):
        raise ApiError(403, "forbidden", "只有上级监管单位可以审核自查报告")
    if report.state != ReportState.submitted:
        raise conflict("report_not_submitted", f"只有已提交的自查报告可以审核（当前为{STATE_LABELS[report.state]}）", state=str(report.state))
    note = (body.note or "").strip() or None
    if body.decision == "return" and not note:
        raise ApiError(422, "reason_required", "退回须写明原因", field="note")
    report.state = ReportState.accepted if body.decision == "accept" else ReportState.returned
    report.reviewed_at, report.reviewed_by, report.review_note, report.updated_at = utcnow(), principal.sub, note, utcnow()
    session.add(report)
    audit(session, principal, f"self_report_{report.state}", entity_kind="self_report", entity_id=report.id,
          org_path=report.org_path, note=note)
    session.commit()
    session.refresh(report)
    return report


def sweep_due(session: Session, day: date) -> int:
    """Reminders for reports not yet submitted: due soon, then late."""
    soon = day + timedelta(days=get_reporting_settings().due_soon_days)
    rows = session.exec(select(SelfReport).where(SelfReport.state.in_(EDITABLE), SelfReport.due_date <= soon)).all()  # type: ignore[attr-defined]
    sent = 0
    for r in rows:
        late = r.due_date < day
        if notifications.notify(session, kind=NotificationKind.report_due, org_id=r.org_id, org_path=r.org_path,
                                report_id=r.id, dedupe_key=f"report:{r.id}:{'late' if late else 'due_soon'}",
                                title=f"{'自查报告已逾期' if late else '自查报告即将到期'}：{r.year}年第{QUARTER_CN[r.quarter]}季度",
                                body=f"{r.unit_name}{r.year}年第{QUARTER_CN[r.quarter]}季度自查报告应于{cn_date(r.due_date)}前提交，"
                                     f"{'已逾期，将计入年度考核' if late else '请尽快完成并提交'}。"):
            sent += 1
    session.commit()
    return sent
