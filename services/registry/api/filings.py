"""Filings: the approval queue, evidence files, decisions."""
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from services.common import s3
from services.common.auth import Supervisor, Writer
from services.common.db import SessionDep
from services.common.errors import not_found
from services.common.files import download_headers
from services.common.pagination import Page, PageDep
from services.common.settings import get_settings
from services.registry.api.deps import Reader
from services.registry.filings import evidence as filing_evidence
from services.registry.filings import service
from services.registry.filings.models import (
    EvidenceKind, EvidencePublic, Filing, FilingDecision, FilingDetail, FilingKind, FilingPublic,
    FilingRejection, FilingState, SubjectKind,
)

router = APIRouter(prefix="/api/v1/filings", tags=["filings"])


def filing_detail(session: Session, filing: Filing) -> FilingDetail:
    evidence = service.evidence_of(session, filing.id)
    have = {e.kind for e in evidence}
    required = service.required_evidence(filing)
    return FilingDetail.model_validate(filing, update={
        "evidence": [EvidencePublic.model_validate(e) for e in evidence], "required_evidence": required,
        "missing_evidence": [k for k in required if k not in have]})


@router.get("", response_model=Page[FilingPublic])
def list_filings(session: SessionDep, principal: Reader, page: PageDep, state: FilingState | None = None,
                 kind: FilingKind | None = None, subject_kind: SubjectKind | None = None,
                 subject_id: int | None = None, q: Annotated[str | None, Query(max_length=200)] = None,
                 awaiting_me: Annotated[bool, Query(description="pending filings the caller may decide")] = False,
                 sort: str = "-id") -> Page[FilingPublic]:
    rows, total = service.list_filings(session, principal, state=state, kind=kind, subject_kind=subject_kind,
                                       subject_id=subject_id, q=q, awaiting_me=awaiting_me, sort=sort,
                                       limit=page.limit, offset=page.offset)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.get("/{filing_id}", response_model=FilingDetail)
def get_filing(session: SessionDep, principal: Reader, filing_id: int) -> FilingDetail:
    return filing_detail(session, service.get_filing(session, principal, filing_id))


@router.post("/{filing_id}/evidence", response_model=EvidencePublic, status_code=201,
             summary="Attach an evidence file (pdf, jpg, png, docx, xlsx; type decided by content)")
def upload_evidence(session: SessionDep, principal: Writer, filing_id: int,
                    kind: Annotated[EvidenceKind, Form()], file: Annotated[UploadFile, File()]) -> EvidencePublic:
    data = s3.read_limited(file.file, get_settings().evidence_max_bytes)
    filing_evidence.ensure_not_attached(session, principal, filing_id, kind, data)
    return service.add_evidence(session, principal, filing_id, kind, file.filename, data)


@router.delete("/{filing_id}/evidence/{evidence_id}", status_code=204,
               summary="Take a wrongly attached file off a pending filing (audited; the stored object stays)")
def delete_evidence(session: SessionDep, principal: Writer, filing_id: int, evidence_id: int) -> Response:
    filing_evidence.remove_evidence(session, principal, filing_id, evidence_id)
    return Response(status_code=204)


@router.get("/{filing_id}/qr-code", summary="The 二维码 image a rename or change filing proposes")
def filing_qr_code(session: SessionDep, principal: Reader, filing_id: int) -> Response:
    from services.registry.api.accounts import qr_response  # the accounts router imports this module
    filing = service.get_filing(session, principal, filing_id)
    sha256 = filing.payload.get("qr_code_sha256")
    if filing.subject_kind != SubjectKind.account or not isinstance(sha256, str):
        raise not_found("二维码")
    return qr_response(sha256, filing.subject_name)


@router.get("/{filing_id}/evidence/{evidence_id}", summary="Download an evidence file")
def download_evidence(session: SessionDep, principal: Reader, filing_id: int, evidence_id: int) -> Response:
    filing = service.get_filing(session, principal, filing_id)
    evidence = next((e for e in service.evidence_of(session, filing.id) if e.id == evidence_id), None)
    if evidence is None:
        raise not_found("证明材料")
    response = s3.open_object(get_settings().bucket_evidence, evidence.object_key)  # store down: 503, not 500
    try:
        body = response.read()
    except Exception as exc:  # noqa: BLE001  the store went away mid-read
        raise s3.store_unavailable() from exc
    finally:
        response.close()
        response.release_conn()
    return Response(body, media_type=evidence.content_type, headers={
        **download_headers(evidence.filename), "X-Content-SHA256": evidence.sha256})


@router.post("/{filing_id}/approve", response_model=FilingDetail)
def approve(session: SessionDep, principal: Supervisor, filing_id: int,
            body: FilingDecision | None = None) -> FilingDetail:
    return filing_detail(session, service.approve(session, principal, filing_id, body.note if body else None))


@router.post("/{filing_id}/reject", response_model=FilingDetail)
def reject(session: SessionDep, principal: Supervisor, filing_id: int, body: FilingRejection) -> FilingDetail:
    return filing_detail(session, service.reject(session, principal, filing_id, body.note))


@router.post("/{filing_id}/withdraw", response_model=FilingDetail)
def withdraw(session: SessionDep, principal: Writer, filing_id: int) -> FilingDetail:
    return filing_detail(session, service.withdraw(session, principal, filing_id))
