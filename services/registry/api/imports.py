"""Bulk import of sites and accounts from .xlsx/.csv: every row valid, or nothing imported."""
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from services.common import s3
from services.common.auth import Supervisor
from services.common.db import SessionDep
from services.common.files import check_upload
from services.common.settings import get_settings
from services.registry.imports import service
from services.registry.imports.service import ImportReport

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
DryRun = Annotated[bool, Query(description="validate and report without importing")]


def _read(file: UploadFile) -> bytes:
    data = s3.read_limited(file.file, get_settings().upload_max_bytes)
    if data is None:
        check_upload(None, file.filename, (), get_settings().upload_max_bytes)  # raises the 413
    return data or b""


@router.post("/sites", response_model=ImportReport, summary="Import sites (.xlsx/.csv)")
def import_sites(session: SessionDep, principal: Supervisor, file: Annotated[UploadFile, File()],
                 dry_run: DryRun = False) -> ImportReport:
    return service.import_sites(session, principal, _read(file), file.filename or "sites", dry_run)


@router.post("/accounts", response_model=ImportReport, summary="Import accounts (.xlsx/.csv)")
def import_accounts(session: SessionDep, principal: Supervisor, file: Annotated[UploadFile, File()],
                    dry_run: DryRun = False) -> ImportReport:
    return service.import_accounts(session, principal, _read(file), file.filename or "accounts", dry_run)
