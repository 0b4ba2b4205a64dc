"""Accounts: list, search, export, detail, open (a filing), lifecycle filings."""
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from services.common import s3
from services.common.auth import Writer
from services.common.db import SessionDep
from services.common.errors import not_found
from services.common.files import download_headers
from services.registry import listing
from services.registry.accounts import qrcode, service
from services.registry.accounts.models import Account, AccountCreate, AccountPublic, AccountState, Platform
from services.registry.api.deps import ListReader, Reader
from services.registry.api.exporting import ExportFormat, export_response
from services.registry.api.filings import filing_detail
from services.registry.filings import service as filings
from services.registry.filings.models import FilingCreate, FilingDetail, SubjectKind

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])
Search = Annotated[str | None, Query(max_length=200, description="registered name or platform id")]


LIST = listing.ListSpec("registry.account", AccountPublic, frozenset(service.SORTS))


@router.get("", response_model=listing.ListPage[AccountPublic])
async def list_accounts(principal: ListReader, q: Search = None, state: AccountState | None = None,
                        platform: Platform | None = None, org_id: int | None = None, host_org_id: int | None = None,
                        sort: str = "id", limit: listing.Limit = 50, offset: listing.Offset = 0,
                        cursor: listing.Cursor = None, count: listing.Count = listing.CountMode.exact) -> Response:
    return await listing.list_page(LIST, principal, q=q, org_id=org_id, sort=sort, limit=limit, offset=offset,
                                   equals={"state": state, "platform": platform, "host_org_id": host_org_id},
                                   cursor=cursor, count=count)


@router.get("/export", summary="Export the filtered list as .xlsx or .csv")
def export_accounts(session: SessionDep, principal: Reader, q: Search = None, state: AccountState | None = None,
                    platform: Platform | None = None, org_id: int | None = None,
                    format: ExportFormat = ExportFormat.xlsx) -> Response:
    query = service.account_query(session, principal, q=q, state=state, platform=platform, org_id=org_id)
    return export_response(session, SubjectKind.account, query, format, "政务新媒体")


@router.post("", response_model=FilingDetail, status_code=201,
             summary="File to open an account (creates it in pending_open with an open filing)")
def open_account(session: SessionDep, principal: Writer, body: AccountCreate) -> FilingDetail:
    return filing_detail(session, filings.open_account(session, principal, body))


@router.post("/qr-codes", response_model=qrcode.QrCodeUpload, status_code=201,
             summary="Upload an account's 二维码 (PNG or JPEG, ≤ 2 MB, validated by structure); name it by sha256 "
                     "in the open, rename or change filing")
def upload_qr_code(principal: Writer, file: Annotated[UploadFile, File()]) -> qrcode.QrCodeUpload:
    return qrcode.store(s3.read_limited(file.file, qrcode.QR_MAX_BYTES), file.filename)


def qr_response(sha256: str, name: str) -> Response:
    data, content_type = qrcode.read(sha256)
    extension = "jpg" if content_type == "image/jpeg" else "png"
    return Response(data, media_type=content_type, headers=download_headers(f"{name}-二维码.{extension}"))


@router.get("/{account_id}/qr-code", summary="The account's 二维码 image")
def get_qr_code(session: SessionDep, principal: Reader, account_id: int) -> Response:
    account = filings.get_subject(session, principal, SubjectKind.account, account_id)
    assert isinstance(account, Account)
    if not account.qr_code_sha256:
        raise not_found("二维码")
    return qr_response(account.qr_code_sha256, account.registered_name)


@router.get("/{account_id}", response_model=AccountPublic)
def get_account(session: SessionDep, principal: Reader, account_id: int) -> AccountPublic:
    return filings.get_subject(session, principal, SubjectKind.account, account_id)


@router.post("/{account_id}/filings", response_model=FilingDetail, status_code=201,
             summary="File a lifecycle change (rename, change, suspend, resume, close, deregister)")
def file_account_change(session: SessionDep, principal: Writer, account_id: int,
                        body: FilingCreate) -> FilingDetail:
    return filing_detail(session, filings.file_change(session, principal, SubjectKind.account, account_id, body))
