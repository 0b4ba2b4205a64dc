"""Rectification tasks (整改): the unit's list, evidence uploads (streamed, type by content), submission;
the supervisor's review, re-check and override; counts per unit for the dashboard; the audit trail."""
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import StreamingResponse
from sqlmodel import Session, func, select

from services.common.audit import AuditPublic
from services.common.db import SessionDep, get_engine
from services.common.errors import ApiError
from services.common.files import spool_upload
from services.common.pagination import Page, PageDep
from services.reporting.api.deps import Reader, Token, Writer, org_path_of, org_record, service_client
from services.reporting.clients import ServiceClient
from services.reporting.notices import storage
from services.reporting.rectification import batch, flows, service
from services.reporting.rectification.models import (
    Audit, BatchOutcome, EvidenceKind, EvidencePublic, TaskAssign, TaskClose, TaskCounts, TaskPublic, TaskReview,
    TaskState, TaskSubmit, TaskSummary, TaskUrge,
)
from services.reporting.settings import get_reporting_settings

router = APIRouter(prefix="/api/v1/rectification", tags=["rectification"])
Client = Annotated[ServiceClient, Depends(service_client)]


@router.get("/tasks", response_model=Page[TaskSummary], summary="Tasks of the caller's subtree, work first")
def list_tasks(session: SessionDep, principal: Reader, token: Token, page: PageDep, state: TaskState | None = None,
               overdue: bool | None = None, notice_id: int | None = None,
               org_id: Annotated[int | None, Query(description="subtree of this organisation")] = None,
               kind: Annotated[str | None, Query(pattern="^(site|account)$")] = None,
               q: Annotated[str | None, Query(max_length=200)] = None,
               sort: Annotated[str | None, Query(max_length=40, description="a column, `-` for descending; "
                                                 "default: work first (overdue, nearest deadline)")] = None,
               ) -> Page[TaskSummary]:
    org_path = org_path_of(principal, token, org_id)[1] if org_id is not None else None
    day = service.today()
    rows, total = service.list_tasks(session, principal, day=day, limit=page.limit, offset=page.offset, state=state,
                                     overdue=overdue, notice_id=notice_id, org_path=org_path, kind=kind, q=q,
                                     sort=sort)
    return Page(items=[service.summary(r, day) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/summary", response_model=TaskCounts, summary="Open, submitted, accepted, closed and overdue, per unit")
def task_counts(session: SessionDep, principal: Reader, token: Token, org_id: int | None = None) -> TaskCounts:
    return service.counts(session, principal, service.today(), org_path_of(principal, token, org_id)[1])


@router.post("/tasks/urge", response_model=BatchOutcome,
             summary="催办 the listed (or all overdue) tasks: one notification each, once per task and day")
def urge_tasks(session: SessionDep, principal: Writer, body: TaskUrge) -> BatchOutcome:
    return batch.urge(session, principal, body, service.today())


@router.post("/tasks/assign", response_model=BatchOutcome,
             summary="Assign the listed tasks to a unit of the caller's subtree and/or a responsible person")
def assign_tasks(session: SessionDep, principal: Writer, token: Token, body: TaskAssign) -> BatchOutcome:
    unit = org_record(principal, token, body.org_id) if body.org_id is not None else None
    return batch.assign(session, principal, body, unit, service.today())


@router.post("/tasks/{task_id}/urge", response_model=TaskPublic,
             summary="催办 one task (429 when it was urged today already)")
def urge_task(session: SessionDep, principal: Writer, task_id: int, body: TaskUrge | None = None) -> TaskPublic:
    day = service.today()
    task = batch.urge_one(session, principal, task_id, day, body.note if body else None)
    session.commit()
    session.refresh(task)
    return service.public(session, task, day)


@router.get("/tasks/{task_id}", response_model=TaskPublic)
def get_task(session: SessionDep, principal: Reader, task_id: int) -> TaskPublic:
    return service.public(session, service.get_visible(session, principal, task_id), service.today())


# Reader, not Writer: the role is checked inside (precheck_upload) so that a refused upload is audited too.
@router.post("/tasks/{task_id}/evidence", response_model=EvidencePublic, status_code=201,
             summary="Upload one evidence file (pdf, docx, xlsx, jpg, png by content; streamed to S3)")
async def upload_evidence(principal: Reader, task_id: int, file: Annotated[UploadFile, File()],
                          kind: Annotated[EvidenceKind, Form()] = EvidenceKind.document) -> EvidencePublic:
    upload = None
    try:
        with Session(get_engine()) as session:
            service.precheck_upload(session, principal, task_id)
        upload = await spool_upload(file, get_reporting_settings().evidence_max_bytes)
        with Session(get_engine()) as session:
            return service.evidence_public(service.add_evidence(session, principal, task_id, upload, file.filename, kind))
    except ApiError as exc:
        _audit_refusal(principal, task_id, file.filename, exc)
        raise
    finally:
        if upload is not None:
            upload.close()


def _audit_refusal(principal, task_id: int, filename: str | None, exc: ApiError) -> None:  # noqa: ANN001
    """A refused upload leaves a trace (who tried what on which task), in its own transaction."""
    with Session(get_engine()) as session:
        task = None
        try:
            task = service.get_visible(session, principal, task_id)
        except ApiError:
            pass
        service.audit(session, principal, "evidence_refused", task, entity_id=task_id,
                      org_path=task.org_path if task else principal.org_path,
                      note=f"{exc.detail['code']}: {exc.detail['message']}",
                      after={"filename": (filename or "")[:200], "status": exc.status})
        session.commit()


@router.delete("/tasks/{task_id}/evidence/{file_id}", status_code=204,
               summary="Remove a file of the current round before submitting")
def delete_evidence(session: SessionDep, principal: Writer, task_id: int, file_id: int) -> None:
    service.remove_evidence(session, principal, task_id, file_id)


@router.get("/tasks/{task_id}/evidence/{file_id}/file", summary="Download an evidence file (streamed)")
def download_evidence(session: SessionDep, principal: Reader, task_id: int, file_id: int) -> StreamingResponse:
    row = service.get_evidence(session, principal, task_id, file_id)
    return storage.download(row.bucket, row.key, row.content_type, row.size, row.sha256, row.filename)


@router.post("/tasks/{task_id}/submit", response_model=TaskPublic, summary="Hand in the evidence with an explanation")
def submit_task(session: SessionDep, principal: Writer, task_id: int, body: TaskSubmit) -> TaskPublic:
    return service.public(session, service.submit(session, principal, task_id, body), service.today())


@router.post("/tasks/{task_id}/review", response_model=TaskPublic,
             summary="Accept (asks the checker for a re-check) or reject with a reason (back to the unit)")
def review_task(session: SessionDep, principal: Writer, client: Client, task_id: int, body: TaskReview) -> TaskPublic:
    task = service.review(session, principal, task_id, body)
    if task.state == TaskState.accepted:
        with client:
            task = flows.request_recheck(session, client, task, principal)
    return service.public(session, task, service.today())


@router.post("/tasks/{task_id}/recheck", response_model=TaskPublic, summary="Ask for the re-check again")
def recheck_task(session: SessionDep, principal: Writer, client: Client, task_id: int) -> TaskPublic:
    task = service.get_visible(session, principal, task_id)
    service.require_reviewer(principal, task)
    service.require_action(task, "recheck")
    with client:
        task = flows.request_recheck(session, client, task, principal)
    return service.public(session, task, service.today())


@router.post("/tasks/{task_id}/refresh", response_model=TaskPublic, summary="Read the re-check's outcome now")
def refresh_task(session: SessionDep, principal: Writer, client: Client, task_id: int) -> TaskPublic:
    task = service.get_visible(session, principal, task_id)
    with client:
        flows.poll_recheck(session, client, task)
    session.refresh(task)
    return service.public(session, task, service.today())


@router.post("/tasks/{task_id}/close", response_model=TaskPublic,
             summary="Close without a passing re-check; the reason is recorded")
def close_task(session: SessionDep, principal: Writer, task_id: int, body: TaskClose) -> TaskPublic:
    return service.public(session, service.close(session, principal, task_id, body), service.today())


@router.get("/tasks/{task_id}/audit", response_model=Page[AuditPublic], summary="Every write and refusal on the task")
def task_audit(session: SessionDep, principal: Reader, page: PageDep, task_id: int) -> Page[AuditPublic]:
    task = service.get_visible(session, principal, task_id)
    query = select(Audit).where(Audit.entity_kind == "rectification_task", Audit.entity_id == task.id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Audit.id).offset(page.offset).limit(page.limit)).all()
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)
