"""Notices (通报): assemble a draft from a completed inspection, edit it, issue it (rendered to docx, xlsx
and pdf, stored versioned in S3), revise it for a new version, download the files (streamed)."""
import logging
from typing import Annotated

from anyio import from_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from services.common.db import SessionDep
from services.common.pagination import Page, PageDep
from services.reporting.api.deps import Issuer, Reader, service_client
from services.reporting.clients import ServiceClient
from services.reporting.notices import flows, service, storage
from services.reporting.notices.models import (
    FileFormat, NoticeCreate, NoticePublic, NoticeState, NoticeSummary, NoticeUpdate,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/notices", tags=["notices"])
Client = Annotated[ServiceClient, Depends(service_client)]


@router.post("", response_model=NoticePublic, status_code=201,
             summary="Assemble a notice draft from a completed inspection (and the previous one of its scope)")
def create_notice(session: SessionDep, principal: Issuer, client: Client, body: NoticeCreate) -> NoticePublic:
    with client:
        return service.public(session, service.create_draft(session, principal, client, body))


@router.get("", response_model=Page[NoticeSummary])
def list_notices(session: SessionDep, principal: Reader, page: PageDep, state: NoticeState | None = None,
                 inspection_id: int | None = None) -> Page[NoticeSummary]:
    rows, total = service.list_notices(session, principal, limit=page.limit, offset=page.offset, state=state,
                                       inspection_id=inspection_id)
    return Page(items=[service.summary(r, principal) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/{notice_id}", response_model=NoticePublic, summary="A notice with its content, preview text and files")
def get_notice(session: SessionDep, principal: Reader, notice_id: int) -> NoticePublic:
    return service.public(session, service.get_readable(session, principal, notice_id), principal)


@router.patch("/{notice_id}", response_model=NoticePublic,
              summary="Edit the free text of a draft (409 once issued; revise first)")
def update_notice(session: SessionDep, principal: Issuer, notice_id: int, body: NoticeUpdate) -> NoticePublic:
    return service.public(session, service.update_draft(session, principal, notice_id, body))


@router.post("/{notice_id}/issue", response_model=NoticePublic, status_code=202,
             summary="Issue: answers 202 at once with the notice `rendering`; the reporting worker renders "
                     "(docx, xlsx, pdf), stores a new immutable version and opens a rectification task per "
                     "failing target. `progress` tells how far it is; `render_failed` (Chinese `error`) on failure")
def issue_notice(request: Request, session: SessionDep, principal: Issuer, client: Client, notice_id: int,
                 formats: Annotated[list[FileFormat] | None, Query(description="default: all three")] = None,
                 ) -> NoticePublic:
    chosen = tuple(str(f) for f in (formats or list(FileFormat)))
    with client:
        notice = flows.request_issue(session, principal, client, notice_id, chosen)
    assert notice.id is not None
    try:
        from_thread.run(flows.enqueue, request.app.state.arq, notice.id, notice.version + 1,
                        (notice.render or {})["run"], 1)
    except Exception as exc:  # noqa: BLE001 - the worker's reclaim queues a claim no worker started
        log.warning("notice %s: rendering not queued (%r); the reclaim will", notice.id, exc)
    return service.public(session, notice)


@router.post("/{notice_id}/revise", response_model=NoticePublic,
             summary="Start the next version of an issued notice (issued versions stay stored)")
def revise_notice(session: SessionDep, principal: Issuer, notice_id: int) -> NoticePublic:
    return service.public(session, service.revise(session, principal, notice_id))


@router.get("/{notice_id}/versions", summary="Issued versions")
def list_versions(session: SessionDep, principal: Reader, notice_id: int) -> list[dict]:
    return service.versions(session, service.get_readable(session, principal, notice_id))


def _download(session, principal, notice_id: int, version: int | None, fmt: FileFormat) -> StreamingResponse:  # noqa: ANN001
    notice, row = service.get_file(session, principal, notice_id, version, fmt)
    return storage.download(row.bucket, row.key, row.content_type, row.size, row.sha256, service.file_name(notice, row))


@router.get("/{notice_id}/files/{fmt}", summary="Download the latest issued version's file (streamed)")
def download_latest(session: SessionDep, principal: Reader, notice_id: int, fmt: FileFormat) -> StreamingResponse:
    return _download(session, principal, notice_id, None, fmt)


@router.get("/{notice_id}/versions/{version}/files/{fmt}", summary="Download one version's file (streamed)")
def download_version(session: SessionDep, principal: Reader, notice_id: int, version: int,
                     fmt: FileFormat) -> StreamingResponse:
    return _download(session, principal, notice_id, version, fmt)
