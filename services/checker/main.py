"""Checker API: `uvicorn services.checker.main:app`; workers: `arq services.checker.worker.WorkerSettings`."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.checker.api import indicator_sets, inspections, observations, periods, results, wordlists
from services.checker.inspections.flows import arq_pool
from services.common.app import create_app
from services.common.auth import JwksVerifier, remote_jwks
from services.common.s3 import ensure_buckets
from services.common.settings import get_settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
# Tokens are issued by the registry; verified here against its published JWKS (cached).
app.state.verifier = JwksVerifier(remote_jwks)
for module in (inspections, results, indicator_sets, wordlists, observations, periods):
    app.include_router(module.router)
