"""Annual assessment (年度考核): the ranking of the units of a subtree, its weights, the .xlsx export."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.common.db import SessionDep
from services.common.files import download_headers
from services.reporting.api.deps import Reader, Token, Writer, org_path_of, org_record, service_client
from services.reporting.assessment import service
from services.reporting.assessment.models import Assessment, WeightsPublic, WeightsPut
from services.reporting.clients import ServiceClient
from services.reporting.notices.storage import CONTENT_TYPES
from services.reporting.rectification.service import today

router = APIRouter(prefix="/api/v1/assessment", tags=["assessment"])
Client = Annotated[ServiceClient, Depends(service_client)]
Year = Annotated[int, Query(ge=2015, le=2100)]


@router.get("", response_model=Assessment, summary="Ranking of the subtree's units for a year")
def get_assessment(session: SessionDep, principal: Reader, token: Token, client: Client, year: Year,
                   org_id: int | None = None) -> Assessment:
    org_id, org_path = org_path_of(principal, token, org_id)
    with client:
        return service.assess(session, client, org_id, org_path, year, today())


@router.get("/export", summary="The ranking as .xlsx")
def export_assessment(session: SessionDep, principal: Reader, token: Token, client: Client, year: Year,
                      org_id: int | None = None) -> Response:
    org = org_record(principal, token, org_id)
    with client:
        result = service.assess(session, client, org["id"], org["path"], year, today())
    title = f"{org['name']}{year}年度政府网站与政务新媒体监管考核排名"
    return Response(service.to_xlsx(result, title), media_type=CONTENT_TYPES["xlsx"],
                    headers=download_headers(f"{title}.xlsx"))


@router.get("/weights", response_model=WeightsPublic, summary="The weights that apply to an organisation's year")
def get_weights(session: SessionDep, principal: Reader, token: Token, year: Year,
                org_id: int | None = None) -> WeightsPublic:
    org_id, org_path = org_path_of(principal, token, org_id)
    weights, source = service.weights_for(session, org_path, year)
    return WeightsPublic(org_id=org_id, year=year, weights=weights, source=source)


@router.put("/weights", response_model=WeightsPublic, summary="Set the weights of an organisation's year")
def put_weights(session: SessionDep, principal: Writer, token: Token, body: WeightsPut) -> WeightsPublic:
    return service.put_weights(session, principal, org_path_of(principal, token, body.org_id), body)
