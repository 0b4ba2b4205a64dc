"""The supervising office's dashboard (首页 and 大屏): per sub-unit pass rate, open vetoes, overdue tasks,
monitoring coverage and health index, and the subtree's totals."""
from typing import Annotated

from fastapi import APIRouter, Query

from services.common.db import SessionDep
from services.common.errors import unavailable
from services.reporting.api.deps import Reader, Token, org_record
from services.reporting.clients import UpstreamError
from services.reporting.dashboard import flows, service
from services.reporting.dashboard.models import DashboardOverview
from services.reporting.rectification.service import today

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"])


@router.get("/overview", response_model=DashboardOverview,
            summary="Figures and health index per direct sub-unit of an organisation, and its totals")
def overview(session: SessionDep, principal: Reader, token: Token,
             org_id: Annotated[int | None, Query(description="the office; the caller's own by default")] = None,
             ) -> DashboardOverview:
    org = org_record(principal, token, org_id)
    try:
        upstream = flows.read_upstream(token or "", org["id"])
    except UpstreamError as exc:
        raise unavailable("registry_unavailable", "登记系统暂不可用，无法汇总首页数据", exc) from exc
    return DashboardOverview.model_validate(service.overview(session, principal, org, upstream, today()))
