"""National-system sync: the outbox (push state per filing, retry/resolve of failed pushes), reconciliation
reports with their differences (.xlsx export, one-step filing or re-push), bootstrap from national exports."""
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response
from sqlmodel import Field, SQLModel

from services.common.auth import Supervisor
from services.common.clock import file_stamp
from services.common.db import SessionDep
from services.common.files import download_headers
from services.common.pagination import Page, PageDep
from services.registry.api.deps import Reader
from services.registry.api.exporting import MEDIA, ExportFormat
from services.registry.api.filings import filing_detail
from services.registry.api.imports import _read
from services.registry.filings import service as filings
from services.registry.filings.models import FilingDetail, SubjectKind
from services.registry.sync import bootstrap as boot
from services.registry.sync import reconciliation as recon
from services.registry.sync import service
from services.registry.sync.models import (
    DifferenceKind, DifferencePublic, OutboxPublic, OutboxResolve, OutboxState, ReconciliationCreate,
    ReconciliationPublic,
)
from services.registry.sync.worker import NationalClient

router = APIRouter(prefix="/api/v1/sync", tags=["national sync"])


def national_client() -> Iterator[NationalClient]:
    client = NationalClient()
    try:
        yield client
    finally:
        client.close()


National = Annotated[NationalClient, Depends(national_client)]


class DifferenceFiling(SQLModel):
    reason: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = Field(default=None, max_length=500,
                                        description="why an inventory rule is set aside (as on any filing)")


@router.get("/outbox", response_model=Page[OutboxPublic], summary="Pushes to the national system")
def list_outbox(session: SessionDep, principal: Reader, page: PageDep, state: OutboxState | None = None,
                filing_id: int | None = None, subject_kind: SubjectKind | None = None,
                subject_id: int | None = None, sort: str = "-id") -> Page[OutboxPublic]:
    rows, total = service.list_rows(session, principal, state=state, filing_id=filing_id, subject_kind=subject_kind,
                                    subject_id=subject_id, sort=sort, limit=page.limit, offset=page.offset)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.get("/outbox/summary", summary="Number of pushes per state in the caller's scope")
def outbox_summary(session: SessionDep, principal: Reader) -> dict[str, int]:
    return service.summary(session, principal)


@router.get("/outbox/{row_id}", response_model=OutboxPublic)
def get_outbox(session: SessionDep, principal: Reader, row_id: int) -> OutboxPublic:
    return service.get_row(session, principal, row_id)


@router.post("/outbox/{row_id}/retry", response_model=OutboxPublic, summary="Push a failed row again")
def retry_outbox(session: SessionDep, principal: Supervisor, row_id: int) -> OutboxPublic:
    return service.retry(session, principal, row_id)


@router.post("/outbox/{row_id}/resolve", response_model=OutboxPublic,
             summary="Mark a failed push as handled by hand (no further pushes)")
def resolve_outbox(session: SessionDep, principal: Supervisor, row_id: int, body: OutboxResolve) -> OutboxPublic:
    return service.resolve(session, principal, row_id, body.note)


@router.get("/filings/{filing_id}", response_model=list[OutboxPublic],
            summary="The national push state of one filing")
def filing_sync_state(session: SessionDep, principal: Reader, filing_id: int) -> list[OutboxPublic]:
    filings.get_filing(session, principal, filing_id)
    rows, _ = service.list_rows(session, principal, state=None, filing_id=filing_id, subject_kind=None,
                                subject_id=None, sort="id", limit=100, offset=0)
    return rows


@router.post("/reconciliations", response_model=ReconciliationPublic, status_code=201,
             summary="Pull the national register for a scope and store the differences")
def create_reconciliation(session: SessionDep, principal: Supervisor, client: National,
                          body: ReconciliationCreate | None = None) -> ReconciliationPublic:
    body = body or ReconciliationCreate()
    return recon.run(session, principal, client, body.scope_org_id, body.subject_kind)


@router.get("/reconciliations", response_model=Page[ReconciliationPublic])
def list_reconciliations(session: SessionDep, principal: Reader, page: PageDep) -> Page[ReconciliationPublic]:
    rows, total = recon.list_reports(session, principal, page.limit, page.offset)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.get("/reconciliations/{report_id}", response_model=ReconciliationPublic)
def get_reconciliation(session: SessionDep, principal: Reader, report_id: int) -> ReconciliationPublic:
    return recon.get_report(session, principal, report_id)


@router.get("/reconciliations/{report_id}/differences", response_model=Page[DifferencePublic])
def list_differences(session: SessionDep, principal: Reader, page: PageDep, report_id: int,
                     kind: DifferenceKind | None = None) -> Page[DifferencePublic]:
    rows, total = recon.differences(session, principal, report_id, kind, page.limit, page.offset)
    return Page(items=[recon.public(d) for d in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/reconciliations/{report_id}/export", summary="The differences as .xlsx")
def export_reconciliation(session: SessionDep, principal: Reader, report_id: int) -> Response:
    body = recon.export_xlsx(session, principal, report_id)
    return Response(body, media_type=MEDIA[ExportFormat.xlsx],
                    headers=download_headers(f"对账差异-{report_id}-{file_stamp()}.xlsx"))


@router.post("/reconciliations/{report_id}/differences/{diff_id}/file", response_model=FilingDetail,
             status_code=201, summary="Create the filing that adopts the national value (open/rename/change/close)")
def file_difference(session: SessionDep, principal: Supervisor, report_id: int, diff_id: int,
                    body: DifferenceFiling | None = None) -> FilingDetail:
    filing = recon.file_difference(session, principal, report_id, diff_id, body.reason if body else None,
                                   body.override_reason if body else None)
    return filing_detail(session, filing)


@router.post("/reconciliations/{report_id}/differences/{diff_id}/push", response_model=DifferencePublic,
             summary="Push the registry's current record to the national system again")
def push_difference(session: SessionDep, principal: Supervisor, report_id: int, diff_id: int) -> DifferencePublic:
    return recon.public(recon.push_difference(session, principal, report_id, diff_id))


DryRun = Annotated[bool, Query(description="preview per row without changing anything")]


@router.post("/bootstrap/sites", response_model=boot.BootstrapReport,
             summary="Import the national website system's export (.xlsx/.csv), matched by 网站标识码")
def bootstrap_sites(session: SessionDep, principal: Supervisor, file: Annotated[UploadFile, File()],
                    dry_run: DryRun = True) -> boot.BootstrapReport:
    return boot.bootstrap(session, principal, SubjectKind.site, _read(file), file.filename or "sites", dry_run)


@router.post("/bootstrap/accounts", response_model=boot.BootstrapReport,
             summary="Import the national new-media system's export (.xlsx/.csv), matched by platform + 账号ID")
def bootstrap_accounts(session: SessionDep, principal: Supervisor, file: Annotated[UploadFile, File()],
                       dry_run: DryRun = True) -> boot.BootstrapReport:
    return boot.bootstrap(session, principal, SubjectKind.account, _read(file), file.filename or "accounts", dry_run)
