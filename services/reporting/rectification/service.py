"""Rectification tasks: plain functions on a session. Scope is enforced in every query: a unit sees its
own tasks (and those of its sub-units), a supervising office those of its subtree."""
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, func, select

from services.common.auth import Principal, Role
from services.common.clock import beijing_today, cn_date
from services.common.errors import ApiError, conflict, not_found
from services.common.files import EVIDENCE_TYPES, FileType, Spooled, check_spooled
from services.common.s3 import get_s3
from services.common.scope import scope_filter
from services.common.settings import get_settings
from services.reporting.models_base import utcnow
from services.reporting.notifications import service as notifications
from services.reporting.notifications.models import NotificationKind
from services.reporting.rectification.models import (
    ACTION_LABELS, ACTIONS, FINAL, STATE_LABELS, Audit, EvidenceFile, EvidenceKind, EvidencePublic, RectificationTask, ReviewDecision,
    TaskClose, TaskCounts, TaskEvent, TaskNotice, TaskEventPublic, TaskPublic, TaskReview, TaskState, TaskSubmit,
    TaskSummary, UnitTaskCounts,
)
from services.reporting.settings import get_reporting_settings

# Units do the work; supervising offices review. Admins may do both.
WORKERS = (Role.operator, Role.admin)
REVIEWERS = (Role.supervisor, Role.admin)


def today(now: datetime | None = None) -> date:
    """The calendar day where the offices work (deadlines are dates there)."""
    return beijing_today(now)


def is_overdue(task: RectificationTask, day: date) -> bool:
    return task.deadline is not None and task.deadline < day and task.state not in FINAL


def summary(task: RectificationTask, day: date) -> TaskSummary:
    return TaskSummary.model_validate(task, update={
        "overdue": is_overdue(task, day), "was_overdue": task.overdue_at is not None,
        "days_left": (task.deadline - day).days if task.deadline and task.state not in FINAL else None})


def public(session: Session, task: RectificationTask, day: date) -> TaskPublic:
    files = session.exec(select(EvidenceFile).where(EvidenceFile.task_id == task.id).order_by(EvidenceFile.id)).all()
    events = session.exec(select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)).all()
    return TaskPublic.model_validate(task, update={
        **summary(task, day).model_dump(include={"overdue", "was_overdue", "days_left"}),
        "allowed_actions": list(ACTIONS[task.state]),
        "evidence": [evidence_public(f) for f in files],
        "events": [TaskEventPublic.model_validate(e) for e in events]})


def evidence_public(f: EvidenceFile) -> EvidencePublic:
    return EvidencePublic.model_validate(f, update={
        "url": f"/api/v1/rectification/tasks/{f.task_id}/evidence/{f.id}/file"})


def audit(session: Session, actor: Principal | None, action: str, task: RectificationTask | None = None, *,
          entity_kind: str = "rectification_task", entity_id: int | None = None, org_path: str | None = None,
          before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, note: str | None = None) -> None:
    session.add(Audit(actor=actor.sub if actor else "system:reporting", actor_name=actor.name if actor else None,
                      actor_org_id=actor.org_id if actor else None, action=action, entity_kind=entity_kind,
                      entity_id=entity_id if entity_id is not None else (task.id if task else None),
                      org_path=org_path or (task.org_path if task else "/"), before=before, after=after,
                      note=note[:2000] if note else None))


def event(session: Session, task: RectificationTask, actor: Principal | None, action: str,
          note: str | None = None) -> None:
    session.add(TaskEvent(task_id=task.id, actor=actor.sub if actor else "system:reporting",
                          actor_name=actor.name if actor else "系统", action=action, note=note))


def _snapshot(task: RectificationTask) -> dict[str, Any]:
    return {"state": str(task.state), "round": task.round, "deadline": task.deadline.isoformat() if task.deadline else None,
            "review_reason": task.review_reason, "recheck_verdict": task.recheck_verdict}


# ---------------------------------------------------------------------------------------------------
# Reading


def get_visible(session: Session, principal: Principal, task_id: int, *, lock: bool = False) -> RectificationTask:
    query = select(RectificationTask).where(RectificationTask.id == task_id,
                                            scope_filter(RectificationTask.org_path, principal))
    if lock:
        query = query.with_for_update()
    task = session.exec(query).first()
    if task is None:
        raise not_found("整改任务")
    return task


# The task list's sortable columns (its table's main columns); `-name` sorts descending.
TASK_SORTS = {"id", "target_name", "unit_name", "notice_title", "deadline", "state", "submitted_at", "updated_at"}


def task_order(sort: str) -> tuple[Any, ...]:
    name = sort.lstrip("-")
    if name not in TASK_SORTS:
        raise ApiError(422, "invalid_sort", f"不支持的排序字段: {name}; 可用: {', '.join(sorted(TASK_SORTS))}",
                       field="sort")
    column = getattr(RectificationTask, name)
    descending = sort.startswith("-")
    primary = (column.desc() if descending else column.asc()).nulls_last()  # no deadline: last either way
    return primary, RectificationTask.id.desc() if descending else RectificationTask.id.asc()  # type: ignore[union-attr]


def list_tasks(session: Session, principal: Principal, *, day: date, limit: int, offset: int,
               state: TaskState | None = None, overdue: bool | None = None, notice_id: int | None = None,
               org_path: str | None = None, kind: str | None = None, q: str | None = None,
               sort: str | None = None) -> tuple[list[RectificationTask], int]:
    query = select(RectificationTask).where(scope_filter(RectificationTask.org_path, principal))
    if org_path:
        query = query.where(RectificationTask.org_path.startswith(org_path, autoescape=True))  # type: ignore[attr-defined]
    for column, value in ((RectificationTask.state, state), (RectificationTask.kind, kind)):
        if value is not None:
            query = query.where(column == value)
    if notice_id is not None:  # the notice's tasks, those it shares with another notice included
        query = query.where(RectificationTask.id.in_(  # type: ignore[union-attr]
            select(TaskNotice.task_id).where(TaskNotice.notice_id == notice_id)))
    if overdue is not None:
        late = (RectificationTask.deadline < day) & RectificationTask.state.not_in(FINAL)  # type: ignore[operator,attr-defined]
        query = query.where(late if overdue else ~late)
    if q:
        like = f"%{q}%"
        query = query.where(RectificationTask.target_name.ilike(like) | RectificationTask.unit_name.ilike(like))  # type: ignore[attr-defined]
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    # Work first: overdue and nearest deadlines on top, closed ones last (unless a column is chosen).
    order = (task_order(sort) if sort else
             (case((RectificationTask.state.in_(FINAL), 1), else_=0), RectificationTask.deadline.asc().nulls_last(),  # type: ignore[attr-defined]
              RectificationTask.id))
    rows = session.exec(query.order_by(*order).offset(offset).limit(limit)).all()
    return list(rows), total


def counts(session: Session, principal: Principal, day: date, org_path: str | None = None) -> TaskCounts:
    """Open, submitted, accepted, closed and overdue tasks in the subtree, overall and per unit."""
    path = org_path or principal.org_path
    final = RectificationTask.state.in_(FINAL)  # type: ignore[attr-defined]
    late = (RectificationTask.deadline < day) & ~final
    soon = (RectificationTask.deadline >= day) & (RectificationTask.deadline <= day + timedelta(
        days=get_reporting_settings().due_soon_days)) & (RectificationTask.state == TaskState.open)

    def n(condition: Any) -> Any:
        return func.count().filter(condition)

    rows = session.exec(select(
        RectificationTask.org_id, RectificationTask.org_path, func.max(RectificationTask.unit_name),
        n(RectificationTask.state == TaskState.open), n(RectificationTask.state == TaskState.submitted),
        n(RectificationTask.state == TaskState.accepted), n(final), n(late), n(soon), func.count(),
    ).where(scope_filter(RectificationTask.org_path, principal),
            RectificationTask.org_path.startswith(path, autoescape=True))  # type: ignore[attr-defined]
        .group_by(RectificationTask.org_id, RectificationTask.org_path)).all()
    result = TaskCounts()
    for org_id, org_path_, unit, open_, submitted, accepted, closed, overdue, due_soon, total in rows:
        result.units.append(UnitTaskCounts(org_id=org_id, org_path=org_path_, unit_name=unit, open=open_,
                                           submitted=submitted, accepted=accepted, closed=closed, overdue=overdue,
                                           total=total))
        result.open += open_
        result.submitted += submitted
        result.accepted += accepted
        result.closed += closed
        result.overdue += overdue
        result.due_soon += due_soon
        result.total += total
    result.units.sort(key=lambda u: (-u.overdue, -(u.open + u.submitted + u.accepted), u.unit_name))
    return result


# ---------------------------------------------------------------------------------------------------
# The unit's work: evidence and submission


def require_action(task: RectificationTask, action: str) -> None:
    if action not in ACTIONS[task.state]:
        allowed = list(ACTIONS[task.state])
        raise conflict("task_state", f"整改任务当前为{STATE_LABELS[task.state]}，不能执行该操作；可执行：{'、'.join(ACTION_LABELS[a] for a in allowed) or '无'}",
                       state=str(task.state), allowed=allowed)


def _require_worker(principal: Principal) -> None:
    if principal.role not in WORKERS:
        raise ApiError(403, "forbidden", "只有责任单位（运维/主办单位）可以上传材料和提交整改")


def precheck_upload(session: Session, principal: Principal, task_id: int) -> None:
    """Refuse before the body is read: wrong role, someone else's task, a task not open for uploads."""
    _require_worker(principal)
    require_action(get_visible(session, principal, task_id), "upload")


def evidence_key(task_id: int, digest: str, ext: str) -> str:
    return f"rectification/{task_id}/{digest}.{ext}"


def add_evidence(session: Session, principal: Principal, task_id: int, upload: Spooled, filename: str | None,
                 kind: EvidenceKind) -> EvidenceFile:
    """Checks (scope, role, state, type by content, duplicate) before anything is stored; the object is
    put to S3 and the row committed, or neither."""
    _require_worker(principal)
    task = get_visible(session, principal, task_id, lock=True)
    require_action(task, "upload")
    file_type, name = check_spooled(upload, filename, EVIDENCE_TYPES)
    existing = session.exec(select(EvidenceFile).where(EvidenceFile.task_id == task.id,
                                                       EvidenceFile.sha256 == upload.sha256)).first()
    if existing is not None:
        raise conflict("duplicate_file", f"该文件已上传过（{existing.filename}），无需重复上传",
                       existing_id=existing.id, sha256=upload.sha256)
    row = _store(session, principal, task, upload, file_type, name, kind)
    session.refresh(row)
    return row


def _store(session: Session, principal: Principal, task: RectificationTask, upload: Spooled, file_type: FileType,
           name: str, kind: EvidenceKind) -> EvidenceFile:
    bucket = get_settings().bucket_evidence
    key = evidence_key(task.id, upload.sha256, file_type.extension)  # type: ignore[arg-type]
    upload.file.seek(0)
    get_s3().put_object(bucket, key, upload.file, upload.size, content_type=file_type.mime,
                        metadata={"sha256": upload.sha256})
    row = EvidenceFile(task_id=task.id, round=task.round, kind=kind, filename=name, extension=file_type.extension,
                       content_type=file_type.mime, size=upload.size, sha256=upload.sha256, bucket=bucket, key=key,
                       uploaded_by=principal.sub)
    try:
        session.add(row)
        session.flush()
        event(session, task, principal, "uploaded", f"{name}（{kind_label(kind)}，{upload.size} 字节）")
        audit(session, principal, "evidence_uploaded", task, after={"file_id": row.id, "filename": name,
                                                                     "sha256": upload.sha256, "size": upload.size,
                                                                     "kind": str(kind)})
        task.updated_at = utcnow()
        session.add(task)
        session.commit()
    except Exception:
        session.rollback()
        get_s3().remove_object(bucket, key)  # nothing half-stored: the row did not land, the object goes
        raise
    return row


def kind_label(kind: EvidenceKind) -> str:
    return {EvidenceKind.screenshot: "整改截图", EvidenceKind.document: "整改材料",
            EvidenceKind.signed_report: "签字扫描件", EvidenceKind.other: "其他"}[kind]


def remove_evidence(session: Session, principal: Principal, task_id: int, file_id: int) -> None:
    _require_worker(principal)
    task = get_visible(session, principal, task_id, lock=True)
    require_action(task, "upload")
    row = session.exec(select(EvidenceFile).where(EvidenceFile.id == file_id, EvidenceFile.task_id == task.id)).first()
    if row is None:
        raise not_found("整改材料")
    if row.round != task.round:
        raise conflict("evidence_submitted", "已随此前一轮提交的材料不能删除")
    session.delete(row)
    event(session, task, principal, "evidence_removed", row.filename)
    audit(session, principal, "evidence_removed", task, before={"file_id": row.id, "filename": row.filename,
                                                                "sha256": row.sha256})
    session.commit()
    get_s3().remove_object(row.bucket, row.key)


def get_evidence(session: Session, principal: Principal, task_id: int, file_id: int) -> EvidenceFile:
    task = get_visible(session, principal, task_id)
    row = session.exec(select(EvidenceFile).where(EvidenceFile.id == file_id, EvidenceFile.task_id == task.id)).first()
    if row is None:
        raise not_found("整改材料")
    return row


def submit(session: Session, principal: Principal, task_id: int, body: TaskSubmit) -> RectificationTask:
    _require_worker(principal)
    task = get_visible(session, principal, task_id, lock=True)
    require_action(task, "submit")
    files = session.exec(select(func.count()).select_from(EvidenceFile).where(
        EvidenceFile.task_id == task.id, EvidenceFile.round == task.round)).one()
    if files == 0:
        raise ApiError(422, "evidence_required", "请先上传本轮整改材料（截图、说明或签字扫描件）再提交", field="file")
    before = _snapshot(task)
    task.state, task.explanation = TaskState.submitted, body.explanation.strip()
    task.submitted_at, task.submitted_by, task.updated_at = utcnow(), principal.sub, utcnow()
    session.add(task)
    event(session, task, principal, "submitted", task.explanation)
    audit(session, principal, "submitted", task, before=before, after=_snapshot(task))
    session.commit()
    session.refresh(task)
    return task


# ---------------------------------------------------------------------------------------------------
# The supervisor's review


def reviews(principal: Principal, org_path: str) -> bool:
    """A supervising office above the unit (a unit never reviews itself), or an admin."""
    return principal.role == Role.admin or (principal.role in REVIEWERS and principal.org_path != org_path)


def require_reviewer(principal: Principal, task: RectificationTask) -> None:
    if not reviews(principal, task.org_path):
        raise ApiError(403, "forbidden", "只有上级监管单位可以审核整改")


def review(session: Session, principal: Principal, task_id: int, body: TaskReview) -> RectificationTask:
    task = get_visible(session, principal, task_id, lock=True)
    require_reviewer(principal, task)
    require_action(task, str(body.decision))
    reason = (body.reason or "").strip()
    if body.decision == ReviewDecision.reject and len(reason) < 2:
        raise ApiError(422, "reason_required", "退回整改须写明原因", field="reason")
    before = _snapshot(task)
    task.reviewed_at, task.reviewed_by, task.review_reason, task.updated_at = utcnow(), principal.sub, reason or None, utcnow()
    if body.decision == ReviewDecision.reject:
        task.state, task.round = TaskState.open, task.round + 1
        notifications.notify(session, kind=NotificationKind.rejected, org_id=task.org_id, org_path=task.org_path,
                             task_id=task.id, dedupe_key=f"task:{task.id}:rejected:{task.round}",
                             title=f"整改被退回：{task.target_name}",
                             body=f"{task.notice_title}：{task.target_name}的整改材料被退回，原因：{reason}。"
                                  f"请补充后重新提交{_deadline_text(task)}。")
    else:
        task.state = TaskState.accepted
        task.recheck_inspection_id, task.recheck_verdict, task.recheck_error = None, None, None
        task.recheck_findings = []
    session.add(task)
    event(session, task, principal, "rejected" if body.decision == ReviewDecision.reject else "accepted", reason or None)
    audit(session, principal, str(body.decision) + "ed", task, before=before, after=_snapshot(task), note=reason or None)
    session.commit()
    session.refresh(task)
    return task


def close(session: Session, principal: Principal, task_id: int, body: TaskClose) -> RectificationTask:
    """The supervisor closes the task without a passing re-check, with the reason recorded."""
    task = get_visible(session, principal, task_id, lock=True)
    require_reviewer(principal, task)
    require_action(task, "close")
    before = _snapshot(task)
    task.state, task.close_reason = TaskState.closed, body.reason.strip()
    task.closed_at, task.closed_by, task.updated_at = utcnow(), principal.sub, utcnow()
    session.add(task)
    event(session, task, principal, "closed", task.close_reason)
    audit(session, principal, "closed_override", task, before=before, after=_snapshot(task), note=task.close_reason)
    session.commit()
    session.refresh(task)
    return task


def _deadline_text(task: RectificationTask) -> str:
    return f"（整改期限{cn_date(task.deadline)}）" if task.deadline else ""


# ---------------------------------------------------------------------------------------------------
# Re-check outcome (written by the flows once the checker has answered)


def record_recheck_requested(session: Session, task: RectificationTask, inspection_id: int | None,
                             error: str | None, actor: Principal | None) -> None:
    task.recheck_inspection_id, task.recheck_error = inspection_id, error
    task.recheck_requested_at, task.updated_at = utcnow(), utcnow()
    session.add(task)
    if error:
        event(session, task, actor, "recheck_error", error)
    else:
        event(session, task, actor, "recheck_requested", f"复查检查任务 #{inspection_id}")
        audit(session, actor, "recheck_requested", task, after={"recheck_inspection_id": inspection_id})
    session.commit()


def record_recheck_result(session: Session, task: RectificationTask, verdict: str | None,
                          findings: list[dict[str, Any]], error: str | None) -> None:
    before = _snapshot(task)
    task.recheck_verdict, task.recheck_findings, task.recheck_error = verdict, findings, error
    task.updated_at = utcnow()
    if verdict == "pass":
        task.state, task.closed_at, task.closed_by = TaskState.verified, utcnow(), "system:recheck"
        event(session, task, None, "verified", "复查通过，整改任务关闭")
        notifications.notify(session, kind=NotificationKind.verified, org_id=task.org_id, org_path=task.org_path,
                             task_id=task.id, dedupe_key=f"task:{task.id}:verified",
                             title=f"整改已通过复查：{task.target_name}",
                             body=f"{task.notice_title}：{task.target_name}经复查已合格，整改任务关闭。")
    elif verdict == "fail":
        problems = "；".join(f["message"] for f in findings)[:1500] or "复查仍不合格"
        task.state, task.round = TaskState.open, task.round + 1
        task.review_reason = f"复查未通过：{problems}"
        event(session, task, None, "recheck_failed", problems)
        notifications.notify(session, kind=NotificationKind.recheck_failed, org_id=task.org_id,
                             org_path=task.org_path, task_id=task.id,
                             dedupe_key=f"task:{task.id}:recheck_failed:{task.round}",
                             title=f"整改复查未通过：{task.target_name}",
                             body=f"{task.notice_title}：{task.target_name}复查仍存在问题：{problems}。"
                                  f"请继续整改并重新提交{_deadline_text(task)}。")
    else:
        event(session, task, None, "recheck_error", error)
    audit(session, None, "recheck_" + (verdict or "error"), task, before=before, after=_snapshot(task), note=error)
    session.add(task)
    session.commit()


# ---------------------------------------------------------------------------------------------------
# Deadlines: overdue marks and reminders (run by the worker's sweep)


def sweep_deadlines(session: Session, day: date) -> dict[str, int]:
    rs = get_reporting_settings()
    marked = reminded = 0
    late = session.exec(select(RectificationTask).where(
        RectificationTask.deadline < day, RectificationTask.state.not_in(FINAL))  # type: ignore[attr-defined]
        .with_for_update(skip_locked=True)).all()
    for task in late:
        if task.overdue_at is None:
            task.overdue_at = utcnow()
            session.add(task)
            event(session, task, None, "overdue", f"已超过整改期限（{cn_date(task.deadline)}）")
            audit(session, None, "overdue", task, after={"deadline": str(task.deadline)})
            marked += 1
        if notifications.notify(session, kind=NotificationKind.overdue, org_id=task.org_id, org_path=task.org_path,
                                task_id=task.id, dedupe_key=f"task:{task.id}:overdue",
                                title=f"整改已逾期：{task.target_name}",
                                body=f"{task.notice_title}：{task.target_name}的整改已超过期限（{cn_date(task.deadline)}），"
                                     f"尚未完成（{state_label(task.state)}），将计入年度考核。"):
            reminded += 1
    soon = session.exec(select(RectificationTask).where(
        RectificationTask.state == TaskState.open, RectificationTask.deadline >= day,
        RectificationTask.deadline <= day + timedelta(days=rs.due_soon_days))).all()
    for task in soon:
        if notifications.notify(session, kind=NotificationKind.due_soon, org_id=task.org_id, org_path=task.org_path,
                                task_id=task.id, dedupe_key=f"task:{task.id}:due_soon:{task.round}",
                                title=f"整改即将到期：{task.target_name}",
                                body=f"{task.notice_title}：{task.target_name}的整改期限为{cn_date(task.deadline)}"
                                     f"（还有 {(task.deadline - day).days} 天），请尽快上传材料并提交。"):  # type: ignore[operator]
            reminded += 1
    session.commit()
    return {"marked_overdue": marked, "reminders": reminded}


def state_label(state: TaskState) -> str:
    return {TaskState.open: "待整改", TaskState.submitted: "待审核", TaskState.accepted: "待复查",
            TaskState.verified: "已复查通过", TaskState.closed: "已办结"}[state]
