"""Application factory shared by the services: error format, health, CORS for the dev SPA."""
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from services.common.errors import install_error_handlers
from services.common.validation import edge_guard, install_edge_validation


def create_app(title: str, description: str,
               lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None) -> FastAPI:
    # edge_guard runs first on every route: bounded integers, no control characters (validation.py).
    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  dependencies=[Depends(edge_guard)])
    install_error_handlers(app)
    install_edge_validation(app)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app

