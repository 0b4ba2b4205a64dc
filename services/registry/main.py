"""Registry API: `uvicorn services.registry.main:app`."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlmodel import Session

from services.common.app import create_app
from services.common.auth import Principal, any_principal, oauth2_scheme
from services.common.db import SessionDep, get_engine
from services.common.s3 import ensure_buckets
from services.common.settings import get_settings
from services.registry import listing
from services.registry.api import accounts, audit, auth, filings, imports, orgs, sites, sync, uploads, users
from services.registry.auth.keys import get_signing_key
from services.registry.auth.service import check_not_revoked, keep_published, local_verifier


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    get_signing_key()
    ensure_buckets(get_settings().bucket_evidence)
    with Session(get_engine()) as session:  # the other services' revocation markers, in case Redis lost them
        keep_published(session, force=True)
    yield
    await listing.close_pool()


app = create_app("govwatch registry", "Organisations, users and tokens, sites, accounts, filings, audit log.",
                 lifespan=lifespan)
app.state.verifier = local_verifier()


def registry_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)],
                       session: SessionDep) -> Principal:
    """The shared verification plus the revocation check, on the request's own session (one connection)."""
    principal = any_principal(request, token)
    check_not_revoked(session, principal, token or "")
    keep_published(session)  # every few seconds: republish the markers if Redis lost them
    return principal


app.dependency_overrides[any_principal] = registry_principal
for module in (auth, orgs, users, sites, accounts, filings, audit, imports, sync, uploads):
    app.include_router(module.router)
