"""Indicator sets: the built-ins and the tiers' own sets; versions are immutable (a change is n+1)."""
from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from services.checker.api.deps import Reader, Runner, Token, org_path_of
from services.checker.store import indicator_sets
from services.checker.store.models import IndicatorSetCreate, IndicatorSetPublic
from services.common.db import SessionDep
from services.common.errors import conflict
from services.common.pagination import Page

router = APIRouter(prefix="/api/v1/indicator-sets", tags=["indicator sets"])


@router.get("", response_model=Page[IndicatorSetPublic], summary="Built-in sets and the latest version of each stored set")
def list_sets(session: SessionDep, principal: Reader) -> Page[IndicatorSetPublic]:
    items = indicator_sets.latest_versions(session, principal)
    return Page(items=items, total=len(items), limit=len(items), offset=0)


@router.post("", response_model=IndicatorSetPublic, status_code=201,
             summary="Create a set inheriting from a parent, or the next version of an existing set")
async def create_set(session: SessionDep, principal: Runner, token: Token,
                     body: IndicatorSetCreate) -> IndicatorSetPublic:
    org_id, path = await org_path_of(principal, token, body.org_id)
    try:
        return indicator_sets.create_version(session, principal, body, org_id, path)
    except IntegrityError as exc:  # two versions created at the same moment
        session.rollback()
        raise conflict("indicator_set_version_taken", "指标集版本已被同时创建，请重试") from exc


@router.get("/{code}", response_model=IndicatorSetPublic, summary="A set (latest version unless ?version=)")
def get_set(session: SessionDep, principal: Reader, code: str, version: int | None = None) -> IndicatorSetPublic:
    return indicator_sets.get(session, principal, code, version)


@router.get("/{code}/versions", response_model=list[IndicatorSetPublic])
def list_versions(session: SessionDep, principal: Reader, code: str) -> list[IndicatorSetPublic]:
    return indicator_sets.versions(session, principal, code)
