"""Checker API: `uvicorn services.checker.main:app`; workers: `arq services.checker.worker.WorkerSettings`."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.checker.api import (
    indicator_sets, inspections, monitor, observations, periods, results, schedules, snapshots, wordlists,
)
from services.checker.inspections.flows import arq_pool
from services.common.app import create_app
from services.common.auth import service_verifier
from services.common.s3 import ensure_buckets
from services.common.settings import get_settings, require_client_secrets


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    require_client_secrets("service_client_secret")  # no start with an empty or well-known secret
    settings = get_settings()
    ensure_buckets(settings.bucket_snapshots, settings.bucket_evidence)
    app.state.arq = await arq_pool()
    try:
        yield
    finally:
        await app.state.arq.aclose()


app = create_app("govwatch checker",
                 "Inspections through the arq queue, results and findings with evidence, indicator sets, word lists.",
                 lifespan=lifespan)
# Tokens are issued by the registry; verified here against its published JWKS (cached) and the shared
# revocation markers (services/common/revocation.py).
app.state.verifier = service_verifier()
for module in (inspections, results, snapshots, indicator_sets, wordlists, observations, periods, monitor, schedules):
    app.include_router(module.router)
