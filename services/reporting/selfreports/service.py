"""Self-inspection reports: create pre-filled, edit, submit, review, export. Plain functions on a session."""
from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from services.common.auth import Principal
from services.common.clock import beijing_date, cn_date
from services.common.errors import ApiError, conflict, not_found
from services.common.scope import scope_filter
from services.reporting.clients import ServiceClient
from services.reporting.models_base import utcnow
from services.reporting.notices.wording import PHRASES, PLATFORM_FAMILIES, SENTENCES, rate
from services.reporting.templates.defaults import BASIS_2019, REGION_KINDS, default_office
from services.reporting.notifications import service as notifications
from services.reporting.notifications.models import NotificationKind
from services.reporting.rectification.models import FINAL, RectificationTask
from services.reporting.rectification.service import WORKERS, audit, reviews
from services.reporting.selfreports.models import (
    CUSTOM, EDITABLE, MAX_CUSTOM, SECTIONS, STATE_LABELS, Figures, ReportState, SelfReport, SelfReportCreate, SelfReportPublic, SelfReportReview,
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
        "figures": Figures.model_validate(report.figures), "section_titles": section_titles(report.sections),
        "overdue": report.state in EDITABLE and report.due_date < day})


# ---------------------------------------------------------------------------------------------------
# Figures and the pre-filled text


def section_titles(sections: dict[str, str]) -> dict[str, str]:
    """key → heading in print order: the standard parts, the added ones before 下一步工作."""
    standard = [(k, t) for k, t in SECTIONS if k != "next_steps"]
    added = [(k, k.removeprefix(CUSTOM)) for k in sections if k.startswith(CUSTOM)]
    return dict([*standard, *added, ("next_steps", dict(SECTIONS)["next_steps"])])


SECURITY = ("unreachable", "dark_link", "sensitive_content", "secrecy_marking", "personal_data", "serious_error")


def gather(session: Session, client: ServiceClient, org_id: int, org_path: str, year: int, quarter: int) -> Figures:
    start, end = quarter_bounds(year, quarter)
    summary = client.period_summary(org_id, start.isoformat(), end.isoformat()) or {}
    totals = summary.get("totals", {})
    kinds: dict[str, dict[str, Any]] = {}
    for target in summary.get("targets", []):
        for finding in target.get("findings", []):
            code = finding["indicator"]
            # Named in the notices' words, never the checker's sentence cut to length.
            entry = kinds.setdefault(code, {"indicator": code, "kind": target.get("kind", "site"),
                                            "label": PHRASES.get(code) or SENTENCES.get(code) or "其他问题", "count": 0})
            entry["count"] += 1
    in_subtree = RectificationTask.org_path.startswith(org_path, autoescape=True)  # type: ignore[attr-defined]
    fixed = session.exec(select(func.count()).select_from(RectificationTask).where(
        in_subtree, RectificationTask.state.in_(FINAL),  # type: ignore[attr-defined]
        RectificationTask.closed_at >= start, RectificationTask.closed_at < end)).one()  # type: ignore[operator]
    still_open = session.exec(select(func.count()).select_from(RectificationTask).where(
        in_subtree, RectificationTask.state.not_in(FINAL))).one()  # type: ignore[attr-defined]
    platforms: Counter[str] = Counter()
    for account in client.accounts(org_id):
        if account.get("state", "active") == "active":
            platforms[PLATFORM_FAMILIES.get(account.get("platform") or "", "其他平台账号")] += 1
    opened = closed = 0
    for f in client.filings(subject_kind="account", state="approved", sort="-decided_at"):
        decided = beijing_date(f.get("decided_at"))
        if decided is None or decided < start:
            break
        if decided < end and f.get("org_path", "").startswith(org_path):
            opened += f["kind"] == "open"
            closed += f["kind"] in ("close", "deregister")
    columns = client.inventory_count("sites", org_id, site_kind="column")
    return Figures(sites=client.inventory_count("sites", org_id) - columns, columns=columns,
                   accounts=client.inventory_count("accounts", org_id),
                   inspections=int(summary.get("inspections", 0)),
                   items_published=int(totals.get("items_published", 0)), posts=int(totals.get("posts", 0)),
                   messages_received=int(totals.get("messages_received", 0)),
                   messages_answered=int(totals.get("messages_answered", 0)),
                   problems_found=int(totals.get("findings", 0)), problems_fixed=fixed, tasks_open=still_open,
                   problem_kinds=sorted(kinds.values(), key=lambda k: (-k["count"], k["indicator"])),
                   accounts_by_platform=[{"label": k, "count": v} for k, v in platforms.most_common()],
                   accounts_opened=opened, accounts_closed=closed)


def signing(client: ServiceClient, org_id: int, org_path: str, unit: str) -> tuple[str, str]:
    """(the name the report is signed with, its 主送): a county or district signs as its 人民政府办公室 and reports to
    the office of the region above; a department signs with its own name and reports to its region's office."""
    org = client.org(org_id) or {"name": unit, "kind": "department"}
    above = [client.org(int(p)) for p in org_path.strip("/").split("/")[:-1] if p.isdigit()]
    regions = [o for o in above if o and o.get("kind") in REGION_KINDS]
    signer = default_office(org)
    addressee = default_office(regions[-1]) if regions else ""
    return signer, addressee


def short_self(signer: str) -> str:
    """How the report calls its author: 我办 (an office), 我单位."""
    return "我办" if signer.endswith(("办公室", "办公厅")) else "我单位"


def draft_sections(unit: str, f: Figures, *, year: int, quarter: int, addressee: str = "",
                   signer: str = "") -> dict[str, str]:
    """The report pre-filled in seed 003's words from the figures the system has; every part stays editable."""
    we = short_self(signer or unit)
    # An office reports for its whole region (全市 …, seed 003: 我区…全区政务新媒体账号), a unit for itself.
    whole = f"全{unit[-1]}" if we == "我办" and unit[-1:] in "省市县区" else we
    period = f"{year}年第{QUARTER_CN[quarter]}季度"
    security = [k for k in f.problem_kinds if k["indicator"] in SECURITY]
    passed = f.tasks_open == 0 and not security
    result = ("经自查，本季度政府网站和政务新媒体运行总体平稳，自查结果为合格。" if passed else
              f"经自查，本季度发现问题{f.problems_found}个，已完成整改{f.problems_fixed}个"
              + (f"，尚有{f.tasks_open}项正在整改" if f.tasks_open else "") + "。")
    intro = (f"按照《国务院办公厅关于印发政府网站发展指引的通知》（国办发〔2017〕47号）、{BASIS_2019}要求，{we}组织"
             f"开展了{period}政府网站和政务新媒体自查工作。{result}现将自查情况报告如下：")
    if security:
        safety = ("本季度监测发现" + "，".join(f"{k['count']}个{'网站' if k['kind'] == 'site' else '政务新媒体'}"
                                         f"{SENTENCES.get(k['indicator'], k['label'])}" for k in security)
                  + "，已第一时间处置并督促整改。")
    else:
        safety = "本季度政府网站和政务新媒体运行安全平稳，未发生网络安全事件，未发现暗链、违法违规内容和泄露公民个人信息等安全问题。"
    answered = (f"，办结率{rate(f.messages_answered, f.messages_received)}" if f.messages_received else "")
    messages = (f"本季度网站共收到网民留言{f.messages_received}件，已答复办结{f.messages_answered}件{answered}。"
                if f.messages_received else "本季度网站未收到网民留言。")
    platforms = "，".join(f"{p['label']}{p['count']}个" for p in f.accounts_by_platform)
    accounts = f"截至本季度末，{whole}在全国政务新媒体信息报送系统登记的政务新媒体账号共{f.accounts}个"
    accounts += f"，其中：{platforms}。" if platforms and f.accounts else "。"
    if f.accounts_opened is not None:
        accounts += (f"本季度新增{f.accounts_opened}个、注销{f.accounts_closed or 0}个。"
                     if f.accounts_opened or f.accounts_closed else "本季度无新增、注销账号。")
    accounts += f"本季度共发布信息{f.posts}条。"
    named = [f"{k['count']}个{'网站' if k['kind'] == 'site' else '政务新媒体'}{SENTENCES.get(k['indicator'], k['label'])}"
             for k in f.problem_kinds[:8]]
    problems = (f"本季度上级检查和日常监测共发现问题{f.problems_found}个：{'，'.join(named)}。"
                if named else f"本季度上级检查和日常监测共发现问题{f.problems_found}个。")
    problems += f"已完成整改{f.problems_fixed}个" + (f"，尚有{f.tasks_open}项整改任务正在推进，将于期限内完成" if f.tasks_open
                                                else "") + "。"
    return {
        "addressee": addressee,
        "intro": intro,
        "sites": f"本季度，{whole if whole != we else unit}共运行政府网站{f.sites}个"
                 + (f"、信息公开专栏{f.columns}个" if f.columns else "") + f"，共发布信息{f.items_published}条。"
                 f"本季度共接受上级检查{f.inspections}次。",
        "security": safety,
        "messages": messages,
        "accounts": accounts,
        "problems": problems,
        "next_steps": "下一步，" + we + "将继续加强政府网站和政务新媒体日常监测和内容审核，严格落实信息发布"
                      "“三审三校”制度，对发现的问题立行立改，确保网站和新媒体安全平稳运行。",
    }


def title_of(signer: str, year: int, quarter: int) -> str:
    return f"{signer}关于{year}年第{QUARTER_CN[quarter]}季度政府网站与政务新媒体自查情况的报告"


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
    signer, addressee = signing(client, org_id, org_path, unit)
    report = SelfReport(org_id=org_id, org_path=org_path, unit_name=unit, year=body.year, quarter=body.quarter,
                        title=title_of(signer, body.year, body.quarter), due_date=due_date(body.year, body.quarter),
                        figures=figures.model_dump(), figures_at=utcnow(), signature=signer, created_by=principal.sub,
                        sections=draft_sections(unit, figures, year=body.year, quarter=body.quarter,
                                                addressee=addressee, signer=signer))
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
        standard = {k for k, _ in SECTIONS}
        for key in body.sections:
            heading = key.removeprefix(CUSTOM).strip()
            if key not in standard and not (key.startswith(CUSTOM) and 2 <= len(heading) <= 30):
                raise ApiError(422, "unknown_section", f"未知的报告部分“{key}”；新增部分须写明2至30字的标题",
                               field="sections")
        merged = {**report.sections, **{k: v[:20000] for k, v in body.sections.items()}}
        merged = {k: v for k, v in merged.items() if not (k.startswith(CUSTOM) and not v.strip())}
        if sum(k.startswith(CUSTOM) for k in merged) > MAX_CUSTOM:
            raise ApiError(422, "too_many_sections", f"新增部分最多{MAX_CUSTOM}个", field="sections")
        report.sections = merged
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
        report.sections = {**draft_sections(report.unit_name, figures, year=report.year, quarter=report.quarter,
                                            addressee=report.sections.get("addressee", ""), signer=report.signature),
                           **{k: v for k, v in report.sections.items() if k.startswith(CUSTOM)}}
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
