"""Reporting API: `uvicorn services.reporting.main:app`."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq import create_pool
from arq.connections import RedisSettings
from fastapi import FastAPI

from services.common.app import create_app
from services.common.auth import service_verifier
from services.common.s3 import ensure_buckets
from services.common.settings import get_settings, require_client_secrets
from services.reporting.api import (assessment, audit, dashboard, notices, notifications, rectification, selfreports,
                                  statistics, templates)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    require_client_secrets("reporting_client_secret")  # no start with an empty or well-known secret
    ensure_buckets(get_settings().bucket_notices, get_settings().bucket_evidence)
    # Issuing queues the rendering for the reporting worker.
    app.state.arq = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    try:
        yield
    finally:
        await app.state.arq.aclose()


app = create_app("govwatch reporting",
                 "Notices (通报) assembled from inspections, rendered to docx/xlsx/pdf and stored versioned; "
                 "rectification (整改) with evidence, review and re-checks; reminders; quarterly self-inspection "
                 "reports; the annual assessment; pass-rate statistics.", lifespan=lifespan)
# Tokens are issued by the registry; verified here against its published JWKS (cached) and the shared
# revocation markers (services/common/revocation.py).
app.state.verifier = service_verifier()
for module in (notices, statistics, dashboard, rectification, notifications, selfreports, assessment, audit, templates):
    app.include_router(module.router)
