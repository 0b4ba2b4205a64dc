"""Side effects around rectification: opening the tasks of an issued notice (findings fetched from the
checker, unit names from the registry), asking the checker for a re-check, and reading its outcome.
Each is idempotent, so the worker's sweep can repeat whatever a request could not finish."""
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.clock import cn_date, to_beijing
from services.reporting.clients import ServiceClient, UpstreamError
from services.reporting.models_base import utcnow
from services.reporting.notices.models import INSPECTION_STATE_LABELS, Notice, NoticeContent, NoticeState
from services.reporting.notifications import service as notifications
from services.reporting.notifications.models import NotificationKind
from services.reporting.rectification import service
from services.reporting.rectification.models import FINAL, RectificationTask, TaskNotice, TaskState
from services.reporting.statistics.models import TargetFact

log = logging.getLogger(__name__)
FAILING = "不合格"


def org_id_of(path: str) -> int:
    """Organisation paths are the chain of ids: "/1/5/12/" belongs to organisation 12."""
    return int(path.strip("/").split("/")[-1])


def _findings(detail: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not detail:
        return []
    return [{"indicator": f["indicator"], "severity": f["severity"], "message": f["message"],
             "evidence": (f.get("evidence") or [])[:3]} for f in detail.get("findings", [])]


def inspection_quarter(session: Session, inspection_id: int) -> tuple[int, int] | None:
    """(year, quarter) of an inspection's monitoring day in Beijing, from the facts recorded with its notice."""
    when = session.exec(select(TargetFact.inspection_now).where(TargetFact.inspection_id == inspection_id)
                        .limit(1)).first()
    if when is None:
        return None
    day = to_beijing(when)
    return day.year, (day.month - 1) // 3 + 1


def shared_task(session: Session, notice: Notice, kind: str, target_id: int,
                findings: list[dict[str, Any]]) -> RectificationTask | None:
    """An unfinished task of the same target for one of the same problems (indicators), opened by the
    notice of an office above or below this one: a city's and a county's notice naming the same failing site share
    it when both inspections fall in the same quarter. (An office's own next round opens a task of its own.)"""
    indicators = {f["indicator"] for f in findings}
    quarter = inspection_quarter(session, notice.inspection_id)
    rows = session.exec(select(RectificationTask, Notice.scope_org_path).join(Notice, Notice.id == RectificationTask.notice_id)
                        .where(RectificationTask.kind == kind, RectificationTask.target_id == target_id,
                               RectificationTask.notice_id != notice.id,
                               RectificationTask.state.not_in(FINAL))  # type: ignore[attr-defined]
                        .order_by(RectificationTask.id)).all()
    for task, path in rows:
        overlapping = path != notice.scope_org_path and (path.startswith(notice.scope_org_path)
                                                         or notice.scope_org_path.startswith(path))
        if overlapping and quarter is not None and inspection_quarter(session, task.inspection_id) == quarter and (
                not indicators or indicators & {f["indicator"] for f in task.findings}):
            return task
    return None


def open_tasks(session: Session, client: ServiceClient, notice: Notice, actor: Principal | None = None) -> int:
    """One task per failing target of the notice's latest issued version, for its host unit. A target that
    already has a task of this notice keeps it (re-issuing moves open deadlines to the new one)."""
    content = NoticeContent.model_validate(notice.content)
    # A 信息公开专栏 is a site in the registry and the checker: its task is keyed (site, its id), its own.
    rows = ([("site", r) for r in content.site_rows + content.column_rows]
            + [("account", r) for r in content.account_rows])
    failing = [(kind, r) for kind, r in rows if r.result == FAILING and r.target_id is not None]
    inspection = (client.inspection(notice.inspection_id) or {}) if failing else {}
    names = {o["path"]: o["name"] for o in client.orgs()} if failing else {}
    created = 0
    for kind, row in failing:
        # One task per target and problem across notices: serialise the decision for this target.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"task:{kind}:{row.target_id}"})
        existing = session.exec(select(RectificationTask).join(TaskNotice, TaskNotice.task_id == RectificationTask.id)
                                .where(TaskNotice.notice_id == notice.id, RectificationTask.kind == kind,
                                       RectificationTask.target_id == row.target_id)).first()
        if existing is not None:
            if (existing.notice_id == notice.id and existing.state not in (TaskState.verified, TaskState.closed)
                    and existing.deadline != content.deadline):
                service.event(session, existing, actor, "deadline_changed",
                              f"通报第 {notice.version} 版：整改期限由{cn_date(existing.deadline) if existing.deadline else '未定'}"
                              f"改为{cn_date(content.deadline) if content.deadline else '未定'}")
                existing.deadline = content.deadline
                session.add(existing)
            continue
        detail = client.result(notice.inspection_id, kind, row.target_id)
        if detail is None:
            log.warning("notice %s: no result for %s %s", notice.id, kind, row.target_id)
            continue
        findings = _findings(detail)
        shared = shared_task(session, notice, kind, row.target_id, findings)
        if shared is not None:
            session.add(TaskNotice(task_id=shared.id, notice_id=notice.id))
            service.event(session, shared, actor, "named_again", f"{content.title}也通报了该问题，并入本整改任务")
            continue
        path = detail["org_path"]
        target = detail.get("target") or {}
        values = dict(notice_id=notice.id, notice_title=content.title[:300], inspection_id=notice.inspection_id,
                      indicator_set=inspection.get("indicator_set") or detail.get("indicator_set") or "gov-2019",
                      kind=kind, target_id=row.target_id, target_name=row.name[:300],
                      target_url=detail.get("url"), platform=target.get("platform"),
                      org_id=org_id_of(path), org_path=path, unit_name=names.get(path, row.name)[:200],
                      problems=row.remark[:2000], findings=findings, deadline=content.deadline,
                      state=TaskState.open, round=1, recheck_findings=[], created_at=utcnow(), updated_at=utcnow())
        inserted = session.execute(insert(RectificationTask).values(**values).on_conflict_do_nothing(
            constraint="uq_task_notice_target").returning(RectificationTask.id)).first()
        if inserted is None:
            continue  # opened concurrently by the sweep
        task = session.get(RectificationTask, inserted[0])
        assert task is not None
        created += 1
        session.add(TaskNotice(task_id=task.id, notice_id=notice.id))
        service.event(session, task, actor, "opened", f"{content.title}：{row.remark}")
        service.audit(session, actor, "task_opened", task, after={"notice_id": notice.id, "deadline": str(task.deadline)})
        notifications.notify(session, kind=NotificationKind.assigned, org_id=task.org_id, org_path=task.org_path,
                             task_id=task.id, dedupe_key=f"task:{task.id}:assigned",
                             title=f"新的整改任务：{task.target_name}",
                             body=f"{content.title}指出{task.target_name}存在问题：{row.remark or '检查不合格'}。"
                                  f"请于{cn_date(task.deadline) if task.deadline else '规定期限'}前完成整改，上传整改材料并提交。")
    notice.tasks_opened_version = notice.version
    session.add(notice)
    session.commit()
    return created


def open_missing(session: Session, client: ServiceClient) -> int:
    """Issued notices whose latest version has not opened its tasks yet (the issuing request lost the
    checker or the registry on the way)."""
    pending = session.exec(select(Notice).where(
        Notice.state == NoticeState.issued,
        (Notice.tasks_opened_version.is_(None)) | (Notice.tasks_opened_version < Notice.version))).all()  # type: ignore[union-attr,operator]
    return sum(open_tasks(session, client, n) for n in pending)


# ---------------------------------------------------------------------------------------------------
# Re-check


def request_recheck(session: Session, client: ServiceClient, task: RectificationTask,
                    actor: Principal | None = None) -> RectificationTask:
    """A one-target inspection in the checker (复查), same indicator set as the notice's inspection."""
    body = {"name": f"整改复查：{task.target_name}（整改任务#{task.id}）"[:200], "scope_org_id": task.org_id,
            "target_kinds": [task.kind], "indicator_set": task.indicator_set, "include_closed": True,
            "targets": [{"kind": task.kind, "target_id": task.target_id}]}
    try:
        created = client.create_inspection(body)
    except UpstreamError as exc:
        service.record_recheck_requested(session, task, None, f"复查请求失败，将自动重试：{exc}"[:2000], actor)
    else:
        service.record_recheck_requested(session, task, int(created["id"]), None, actor)
    session.refresh(task)
    return task


def poll_recheck(session: Session, client: ServiceClient, task: RectificationTask) -> bool:
    """Read the re-check's outcome when its inspection has ended; True when the task moved on."""
    if task.state != TaskState.accepted or task.recheck_inspection_id is None:
        return False
    inspection = client.inspection(task.recheck_inspection_id)
    if inspection is None:
        service.record_recheck_result(session, task, None, [], "复查检查任务不存在")
        return False
    state = inspection.get("state")
    if state in ("pending", "running"):
        return False
    if state != "completed":
        service.record_recheck_result(session, task, None, [], f"复查检查任务未完成（{INSPECTION_STATE_LABELS.get(str(state), '未知')}）")
        return False
    detail = client.result(task.recheck_inspection_id, task.kind, task.target_id)
    if detail is None:
        service.record_recheck_result(session, task, None, [], "复查未能检查该对象（可能已关停或不在范围内）")
        return False
    if detail.get("status") == "error" or detail.get("verdict") is None:
        service.record_recheck_result(session, task, None, [], f"复查未能完成：{detail.get('error') or '检查出错'}")
        return False
    service.record_recheck_result(session, task, str(detail["verdict"]), _findings(detail), None)
    return True


def sweep_rechecks(session: Session, client: ServiceClient) -> dict[str, int]:
    """Accepted tasks: request the re-checks that could not be requested, read the ones that ended."""
    requested = finished = 0
    waiting = session.exec(select(RectificationTask).where(RectificationTask.state == TaskState.accepted)
                           .order_by(RectificationTask.id)).all()
    for task in waiting:
        if task.recheck_inspection_id is None:
            request_recheck(session, client, task)
            requested += 1
        elif task.recheck_error is None and poll_recheck(session, client, task):
            finished += 1
    return {"rechecks_requested": requested, "rechecks_finished": finished}
