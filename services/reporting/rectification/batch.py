"""Batch actions of the supervising office on rectification tasks: 催办 (urge) and 指派 (assign to a unit and a
responsible person). Each task is decided on its own, in a savepoint of its own: a task that cannot be
urged or assigned (out of scope, closed, urged already today) is reported with its reason and the others
go through."""
from collections.abc import Callable
from datetime import date

from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.clock import cn_date
from services.common.errors import ApiError
from services.common.scope import scope_filter
from services.reporting.models_base import utcnow
from services.reporting.notifications import service as notifications
from services.reporting.notifications.models import NotificationKind
from services.reporting.rectification import service
from services.reporting.rectification.models import (
    FINAL, MAX_BATCH, STATE_LABELS, BatchItem, BatchOutcome, RectificationTask, TaskAssign, TaskBatch, TaskUrge,
)


def task_ids(session: Session, principal: Principal, body: TaskBatch, day: date) -> list[int]:
    """The listed ids (in order, once each), or every overdue task the caller sees."""
    if body.all_overdue:
        rows = session.exec(select(RectificationTask.id).where(
            scope_filter(RectificationTask.org_path, principal), RectificationTask.deadline < day,
            RectificationTask.state.not_in(FINAL))  # type: ignore[attr-defined]
            .order_by(RectificationTask.deadline, RectificationTask.id).limit(MAX_BATCH)).all()
        return list(rows)
    if not body.task_ids:
        raise ApiError(422, "no_tasks", "请选择要处理的整改任务", field="task_ids")
    return list(dict.fromkeys(body.task_ids))


def run(session: Session, ids: list[int], action: Callable[[int], RectificationTask]) -> BatchOutcome:
    items: list[BatchItem] = []
    for task_id in ids:
        savepoint = session.begin_nested()
        try:
            task = action(task_id)
        except ApiError as exc:
            savepoint.rollback()
            items.append(BatchItem(task_id=task_id, ok=False, code=exc.detail.get("code"),
                                   message=exc.detail.get("message", "操作失败")))
            continue
        savepoint.commit()
        session.commit()
        items.append(BatchItem(task_id=task_id, ok=True, target_name=task.target_name, message="已完成"))
    session.commit()  # releases the locks a refused task's check took
    ok = sum(1 for i in items if i.ok)
    return BatchOutcome(succeeded=ok, failed=len(items) - ok, items=items)


def _open_task(session: Session, principal: Principal, task_id: int, verb: str) -> RectificationTask:
    task = service.get_visible(session, principal, task_id, lock=True)
    if not service.reviews(principal, task.org_path):
        raise ApiError(403, "forbidden", f"只有上级监管单位可以{verb}整改任务")
    if task.state in FINAL:
        raise ApiError(409, "task_finished", f"整改任务已{STATE_LABELS[task.state]}，无需{verb}",
                       state=str(task.state))
    return task


# ---------------------------------------------------------------------------------------------------
# 催办


def urge_one(session: Session, principal: Principal, task_id: int, day: date, note: str | None) -> RectificationTask:
    """One 催办 per task and Beijing day: the notification's dedupe key holds the day, so two offices (or
    two clicks) racing on the same task make one."""
    task = _open_task(session, principal, task_id, "催办")
    late = service.is_overdue(task, day)
    deadline = f"整改期限为{cn_date(task.deadline)}，" if task.deadline else ""
    status = "已逾期" if late else service.state_label(task.state)
    body = (f"{task.notice_title}：{task.target_name}的整改{deadline}目前{status}。"
            f"请抓紧整改，上传材料并提交审核。{('附言：' + note.strip()) if note and note.strip() else ''}")
    sent = notifications.notify(session, kind=NotificationKind.urged, org_id=task.org_id, org_path=task.org_path,
                                task_id=task.id, dedupe_key=f"task:{task.id}:urged:{day.isoformat()}",
                                title=f"整改催办：{task.target_name}", body=body)
    if sent is None:
        raise ApiError(429, "urged_today", f"该任务今天（{cn_date(day)}）已催办过，每个任务每天只能催办一次，请明天再催办")
    task.last_urged_at = utcnow()
    session.add(task)
    who = principal.name or "监管单位"
    service.event(session, task, principal, "urged", f"{who}催办{('：' + note.strip()) if note and note.strip() else ''}")
    service.audit(session, principal, "urged", task, after={"day": day.isoformat(), "overdue": late,
                                                             "notification_id": sent.id}, note=note)
    session.flush()
    return task


def urge(session: Session, principal: Principal, body: TaskUrge, day: date) -> BatchOutcome:
    ids = task_ids(session, principal, body, day)
    return run(session, ids, lambda task_id: urge_one(session, principal, task_id, day, body.note))


# ---------------------------------------------------------------------------------------------------
# 指派


def assign_one(session: Session, principal: Principal, task_id: int, body: TaskAssign,
               unit: dict | None) -> RectificationTask:
    task = _open_task(session, principal, task_id, "指派")
    before = {"org_id": task.org_id, "unit_name": task.unit_name, "responsible_person": task.responsible_person,
              "responsible_phone": task.responsible_phone}
    notes = []
    if unit is not None and unit["id"] != task.org_id:
        task.org_id, task.org_path, task.unit_name = unit["id"], unit["path"], unit["name"][:200]
        notes.append(f"责任单位改为{task.unit_name}")
    if body.responsible_person is not None:
        task.responsible_person = body.responsible_person.strip()
        notes.append(f"责任人：{task.responsible_person}")
    if body.responsible_phone is not None:
        task.responsible_phone = body.responsible_phone.strip() or None
        notes.append(f"联系电话：{task.responsible_phone or '无'}")
    if not notes:
        raise ApiError(409, "nothing_changed", "指派内容与现有责任单位、责任人相同")
    task.updated_at = utcnow()
    session.add(task)
    service.event(session, task, principal, "assigned", "；".join(notes))
    service.audit(session, principal, "assigned", task, before=before,
                  after={"org_id": task.org_id, "unit_name": task.unit_name,
                         "responsible_person": task.responsible_person, "responsible_phone": task.responsible_phone})
    notifications.notify(session, kind=NotificationKind.assigned, org_id=task.org_id, org_path=task.org_path,
                         task_id=task.id, dedupe_key=f"task:{task.id}:assigned:{utcnow().timestamp()}",
                         title=f"整改任务指派：{task.target_name}",
                         body=f"{task.notice_title}：{task.target_name}的整改任务已指派给{task.unit_name}"
                              f"{('（责任人：' + task.responsible_person + '）') if task.responsible_person else ''}，"
                              f"请于{cn_date(task.deadline) if task.deadline else '规定期限'}前完成整改并提交。")
    session.flush()
    return task


def check_unit(principal: Principal, unit: dict) -> None:
    """The unit must lie below the caller's office (an office does not review its own tasks)."""
    if not principal.sees(unit.get("path", "")) or unit.get("path") == principal.org_path:
        raise ApiError(422, "unit_out_of_scope", "只能指派给本单位管辖范围内的下级单位", field="org_id")


def assign(session: Session, principal: Principal, body: TaskAssign, unit: dict | None, day: date) -> BatchOutcome:
    if unit is None and body.responsible_person is None and body.responsible_phone is None:
        raise ApiError(422, "nothing_to_assign", "请选择责任单位或填写责任人", field="org_id")
    if unit is not None:
        check_unit(principal, unit)
    ids = task_ids(session, principal, body, day)
    return run(session, ids, lambda task_id: assign_one(session, principal, task_id, body, unit))
