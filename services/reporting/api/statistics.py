"""Statistics for the dashboard: pass rates of an organisation's subtree (per kind, site type and
platform) and their trend across inspections."""
from typing import Annotated

from fastapi import APIRouter, Query

from services.common.db import SessionDep
from services.reporting.api.deps import Reader, Token, org_path_of
from services.reporting.statistics import service

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])


@router.get("/pass-rates", summary="Pass rates of the subtree in one inspection (the latest by default)")
def pass_rates(session: SessionDep, principal: Reader, token: Token,
               org_id: Annotated[int | None, Query(description="subtree root; the caller's own by default")] = None,
               inspection_id: int | None = None) -> dict:
    org_id, path = org_path_of(principal, token, org_id)
    return service.pass_rates(session, principal, org_id, path, inspection_id)


@router.get("/trend", summary="Pass rate of the subtree per inspection, oldest first")
def trend(session: SessionDep, principal: Reader, token: Token, org_id: int | None = None,
          kind: Annotated[str | None, Query(pattern="^(site|account)$")] = None,
          limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    org_id, path = org_path_of(principal, token, org_id)
    return service.trend(session, principal, org_id, path, kind, limit)
