"""Period summary: one organisation's subtree over [start, end), across completed inspections (the
figures of rectification follow-ups and quarterly self-inspection reports)."""
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from services.checker.api.deps import Reader, Token, org_path_of
from services.checker.inspections import periods
from services.checker.inspections.periods import PeriodSummary
from services.common.db import SessionDep
from services.common.errors import ApiError

router = APIRouter(prefix="/api/v1/period-summary", tags=["period summary"])


@router.get("", response_model=PeriodSummary,
            summary="Targets of an organisation's subtree checked in a period: checks, findings, monthly figures")
async def period_summary(session: SessionDep, principal: Reader, token: Token,
                         start: Annotated[date, Query(description="first day (Beijing date), YYYY-MM-DD")],
                         end: Annotated[date, Query(description="day after the last one, YYYY-MM-DD")],
                         org_id: Annotated[int | None, Query(description="defaults to the caller's")] = None,
                         ) -> PeriodSummary:
    if start >= end:
        raise ApiError(422, "invalid_period", "开始日期须早于结束日期 (start must be before end)", field="end")
    org_id, path = await org_path_of(principal, token, org_id)
    return periods.summary(session, org_id, path, start, end)
