"""Reviewer observations of new-media accounts (the `import` data source of the account checks):
upload a platform export (.xlsx/.csv/.json) or record an observation by hand, attach screenshots as
evidence, list and read them. Scoped like the inspections: the account must be visible to the caller
(checked against the registry with the caller's token); lists show the caller's subtree only."""
import uuid
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, File, Form, Query, UploadFile
from sqlmodel import Session, func, select

from services.checker.api.deps import Reader, Runner, Token
from services.checker.inspections import service
from services.checker.observations.exports import ExportError, parse_export
from services.checker.observations.models import (
    AccountObservation, EntryIn, ObservationCreate, ObservationPublic, PostIn, ProfileIn,
)
from services.common.auth import Principal
from services.common.db import SessionDep
from services.common.errors import ApiError, not_found, unavailable
from services.common.files import SCREENSHOT_TYPES, check_upload, sniff
from services.common.pagination import Page, PageDep
from services.common.s3 import put_bytes, read_limited
from services.common.settings import get_settings

router = APIRouter(prefix="/api/v1/observations", tags=["observations"])
MAX_EXPORT = 20 * 1024 * 1024
MAX_SCREENSHOT = 10 * 1024 * 1024


async def visible_account(principal: Principal, token: str | None, account_id: int) -> dict[str, Any]:
    """The registry's account record as the caller sees it; 404 when missing or outside the scope."""
    try:
        async with httpx.AsyncClient(base_url=get_settings().registry_url.rstrip("/"), timeout=10) as http:
            response = await http.get(f"/api/v1/accounts/{account_id}",
                                      headers={"Authorization": f"Bearer {token or ''}"})
    except httpx.HTTPError as exc:
        raise unavailable("registry_unavailable", "登记系统暂不可用，无法确认账号", exc) from exc
    if response.status_code in (403, 404):
        raise not_found("账号")
    if response.status_code != 200:
        raise unavailable("registry_unavailable", "登记系统暂时无法提供账号信息")
    account = response.json()
    if not principal.sees(account.get("org_path", "")):
        raise not_found("账号")
    return account


def _store(session: Session, principal: Principal, account: dict[str, Any], source: str, profile: ProfileIn,
           posts: list[dict[str, Any]], entries: list[dict[str, Any]], note: str | None,
           observed_at: Any = None, file_name: str | None = None) -> AccountObservation:
    row = AccountObservation(account_id=account["id"], platform=str(account["platform"]),
                             platform_id=account["platform_id"], registered_name=account.get("registered_name") or "",
                             org_path=account["org_path"], source=source, profile=profile.model_dump(mode="json"),
                             posts=posts, entries=entries, note=note, file_name=file_name,
                             created_by=principal.sub, created_by_name=principal.name)
    if observed_at is not None:
        row.observed_at = observed_at
    session.add(row)
    session.flush()
    service.audit(session, principal, f"observation.{source}", "observation", row.id, row.org_path,
                  after={"account_id": row.account_id, "posts": len(posts), "entries": len(entries),
                         "file_name": file_name})
    session.commit()
    session.refresh(row)
    return row


def _visible(session: Session, principal: Principal, observation_id: int) -> AccountObservation:
    row = session.get(AccountObservation, observation_id)
    if row is None or not principal.sees(row.org_path):
        raise not_found("观察记录")
    return row


@router.post("", response_model=ObservationPublic, status_code=201,
             summary="Record what a reviewer saw of an account (profile, posts, menu and interaction entries)")
async def create_observation(session: SessionDep, principal: Runner, token: Token,
                             body: ObservationCreate) -> AccountObservation:
    account = await visible_account(principal, token, body.account_id)
    return _store(session, principal, account, "manual", body.profile,
                  [p.model_dump(mode="json") for p in body.posts], [e.model_dump(mode="json") for e in body.entries],
                  body.note, body.observed_at)


@router.post("/import", response_model=ObservationPublic, status_code=201,
             summary="Upload a platform export (.xlsx/.csv/.json) of an account's posts")
async def import_export(session: SessionDep, principal: Runner, token: Token,
                        account_id: Annotated[int, Form()], file: Annotated[UploadFile, File()],
                        note: Annotated[str | None, Form(max_length=2000)] = None) -> AccountObservation:
    account = await visible_account(principal, token, account_id)
    data = read_limited(file.file, MAX_EXPORT)
    if data is None:
        raise ApiError(413, "too_large", f"文件超过 {MAX_EXPORT // 1024 // 1024} MB")
    try:
        parsed = parse_export(file.filename or "", data)
        posts = [PostIn.model_validate(p).model_dump(mode="json") for p in parsed.get("posts") or []]
        entries = [EntryIn.model_validate(e).model_dump(mode="json") for e in parsed.get("entries") or []]
        profile = ProfileIn.model_validate(parsed.get("profile") or {})
    except ExportError as exc:
        raise ApiError(422, "bad_export", str(exc), field="file") from exc
    except ValueError as exc:  # pydantic validation of JSON exports
        raise ApiError(422, "bad_export", f"导出文件内容无效：{exc}", field="file") from exc
    return _store(session, principal, account, "import", profile, posts, entries, note,
                  file_name=(file.filename or "")[:300])


@router.post("/{observation_id}/screenshots", response_model=ObservationPublic, status_code=201,
             summary="Attach a screenshot (PNG/JPEG/WebP/GIF) as evidence")
def add_screenshot(session: SessionDep, principal: Runner, observation_id: int,
                   file: Annotated[UploadFile, File()]) -> AccountObservation:
    row = _visible(session, principal, observation_id)
    data = read_limited(file.file, MAX_SCREENSHOT)
    if data is None:
        raise ApiError(413, "too_large", f"截图超过 {MAX_SCREENSHOT // 1024 // 1024} MB")
    if sniff(data) not in SCREENSHOT_TYPES:
        raise ApiError(422, "not_an_image", "截图须为 PNG、JPEG、WebP 或 GIF 图片", field="file")
    kind, _ = check_upload(data, file.filename, SCREENSHOT_TYPES, MAX_SCREENSHOT)  # must decode: 422 otherwise
    content_type, ext = kind.mime, kind.extension
    key = f"observations/{row.id}/{uuid.uuid4().hex}.{ext}"
    stored = put_bytes(get_settings().bucket_evidence, data, content_type, key=key)
    row.evidence = [*row.evidence, {"key": stored.key, "sha256": stored.sha256, "size": stored.size,
                                    "content_type": content_type, "name": (file.filename or "")[:200]}]
    session.add(row)
    service.audit(session, principal, "observation.screenshot", "observation", row.id, row.org_path,
                  after={"key": stored.key})
    session.commit()
    session.refresh(row)
    return row


@router.get("", response_model=Page[ObservationPublic])
def list_observations(session: SessionDep, principal: Reader, page: PageDep, account_id: int | None = None,
                      platform: Annotated[str | None, Query(max_length=40)] = None) -> Page[ObservationPublic]:
    query = select(AccountObservation).where(AccountObservation.org_path.startswith(principal.org_path))
    if account_id is not None:
        query = query.where(AccountObservation.account_id == account_id)
    if platform is not None:
        query = query.where(AccountObservation.platform == platform)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(AccountObservation.observed_at.desc(), AccountObservation.id.desc())
                        .offset(page.offset).limit(page.limit)).all()
    return Page(items=[ObservationPublic.model_validate(r, from_attributes=True) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


@router.get("/{observation_id}", response_model=ObservationPublic)
def get_observation(session: SessionDep, principal: Reader, observation_id: int) -> AccountObservation:
    return _visible(session, principal, observation_id)
