"""A page snapshot cited by a result's evidence, as it was saved, made inert and with the cited text marked.

Scope: the caller must see the inspection, and the snapshot must be one the checks of this very target cited
(this result's engine output or its findings, or an earlier result of the same target): a key typed into a
manual finding cannot open another unit's page."""
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlalchemy import String, cast
from sqlmodel import Session, select

from services.checker.api.deps import Reader
from services.checker.inspections import service
from services.checker.inspections.models import InspectionResult, TargetKind
from services.checker.inspections.snapshot_view import CSP, cited_terms, render
from services.common.db import SessionDep
from services.common.errors import ApiError
from services.common.s3 import content_key, open_object, read_limited, store_unavailable
from services.common.settings import get_settings

router = APIRouter(prefix="/api/v1/inspections/{inspection_id}/results/{kind}/{target_id}", tags=["results"])

SNAPSHOT_PREFIX = "snapshots/sha256/"
MAX_SNAPSHOT_BYTES = 20 * 1024 * 1024  # far above any page the crawler keeps; bounds what one request reads
MAX_TERMS = 200
Digest = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 of the stored page")]


def _missing(message: str = "页面快照不存在或无权查看") -> ApiError:
    return ApiError(404, "snapshot_not_found", message)


def _evidence(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for f in result.get("findings", []) for e in f.get("evidence", []) if isinstance(e, dict)]


def _cited_by_target(session: Session, row: InspectionResult, key: str) -> bool:
    """Another result of the same target (an earlier inspection) whose engine output cites the key."""
    needle = f'"snapshot": "{key}"'
    return session.exec(select(InspectionResult.id).where(
        InspectionResult.kind == row.kind, InspectionResult.target_id == row.target_id,
        cast(InspectionResult.result, String).contains(needle, autoescape=True)).limit(1)).first() is not None


@router.get("/snapshots/{digest}", summary="A cited page snapshot, sanitised, the cited text marked (text/html)",
            response_class=Response,
            responses={200: {"content": {"text/html": {}}, "description": "inert HTML; X-Snapshot-Highlights: marks"},
                       404: {"description": "not cited by this target, not stored yet, or gone"}})
def get_snapshot(session: SessionDep, principal: Reader, inspection_id: int, kind: TargetKind, target_id: int,
                 digest: Digest,
                 finding_id: Annotated[int | None, Query(description="mark only what this finding cites")] = None,
                 ) -> Response:
    inspection = service.get_visible(session, principal, inspection_id)
    row = service.get_result(session, inspection, kind, target_id)
    key = content_key(digest, SNAPSHOT_PREFIX)
    findings = service.findings_of(session, row.id)
    cited = [e for e in _evidence(row.result) if e.get("snapshot") == key]
    cited_rows = [f for f in findings if any(e.get("snapshot") == key for e in f.evidence)]
    if not cited and not (cited_rows and _cited_by_target(session, row, key)):
        raise _missing()
    if any(e.get("snapshot_state") == "pending" for e in cited):
        raise _missing("页面快照暂存在检查节点上，文件存储恢复后即可查看")
    try:
        response = open_object(get_settings().bucket_snapshots, key)
    except ApiError as exc:
        if exc.status == 404:
            raise _missing("页面快照已不在文件存储中") from exc
        raise
    try:
        body = read_limited(response, MAX_SNAPSHOT_BYTES)
        content_type = response.headers.get("Content-Type")
    except OSError as exc:
        raise store_unavailable() from exc
    finally:
        response.close()
        response.release_conn()
    if body is None:
        raise _missing("页面快照过大，无法显示")
    marked = [f for f in cited_rows if finding_id is None or f.id == finding_id]
    evidence = [e for f in marked for e in f.evidence if e.get("snapshot") == key] or cited
    terms = cited_terms(evidence, [f.data for f in marked])[:MAX_TERMS]
    source = next((str(e.get("url") or "") for e in evidence), "")
    html, hits = render(body, content_type, terms, source)
    return Response(html, media_type="text/html; charset=utf-8", headers={
        "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
        "Cache-Control": "private, no-store", "X-Snapshot-Highlights": str(hits),
        "Content-Disposition": "inline; filename=snapshot.html"})

