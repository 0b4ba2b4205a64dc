"""Notice templates (通报模板): an issuing office's 发文机关标志, 文号, 主送, 版记, signature and fixed paragraphs,
read by anyone of the subtree, saved or reset by the office's admins."""
from typing import Annotated

from fastapi import APIRouter, Depends

from services.common.clock import beijing_today
from services.common.db import SessionDep
from services.common.errors import unavailable
from services.reporting.api.deps import Reader, Token, Writer, org_record, service_client
from services.reporting.clients import ServiceClient, UpstreamError
from services.reporting.templates import service
from services.reporting.templates.models import TemplateFields, TemplatePublic, TemplatePut

router = APIRouter(prefix="/api/v1/notice-template", tags=["notice templates"])
Client = Annotated[ServiceClient, Depends(service_client)]


def _children(client: ServiceClient, org_id: int) -> list[dict]:
    try:
        with client:
            return [o for o in client.orgs() if o.get("parent_id") == org_id]
    except UpstreamError as exc:
        raise unavailable("registry_unavailable", "登记系统暂不可用，无法读取下级单位", exc) from exc


@router.get("", response_model=TemplatePublic,
            summary="The office's notice template (its tier's default until saved) and the next 文号")
def get_template(session: SessionDep, principal: Reader, token: Token, client: Client,
                 org_id: int | None = None) -> TemplatePublic:
    org = org_record(principal, token, org_id)
    return service.public(session, org, _children(client, org["id"]), beijing_today().year)


@router.put("", response_model=TemplatePublic,
            summary="Save the office's notice template (admins; 422 names an unknown placeholder)")
def put_template(session: SessionDep, principal: Writer, token: Token, client: Client,
                 body: TemplatePut) -> TemplatePublic:
    org = org_record(principal, token, body.org_id)
    service.save(session, principal, org, TemplateFields.model_validate(body.model_dump(exclude={"org_id"})))
    return service.public(session, org, _children(client, org["id"]), beijing_today().year)


@router.delete("", response_model=TemplatePublic, summary="Back to the tier's default template (admins)")
def reset_template(session: SessionDep, principal: Writer, token: Token, client: Client,
                   org_id: int | None = None) -> TemplatePublic:
    org = org_record(principal, token, org_id)
    service.reset(session, principal, org)
    return service.public(session, org, _children(client, org["id"]), beijing_today().year)
