"""Registry API: `uvicorn services.registry.main:app`."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common.app import create_app
from services.common.s3 import ensure_buckets
from services.common.settings import get_settings
from services.registry.api import accounts, audit, auth, filings, imports, orgs, sites, users
from services.registry.auth.keys import get_signing_key
from services.registry.auth.service import RegistryVerifier


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    get_signing_key()
    ensure_buckets(get_settings().bucket_evidence)
    yield


app = create_app("govwatch registry", "Organisations, users and tokens, sites, accounts, filings, audit log.",
                 lifespan=lifespan)
app.state.verifier = RegistryVerifier()
for module in (auth, orgs, users, sites, accounts, filings, audit, imports):
    app.include_router(module.router)
