"""One error shape for every service: {"detail": {"code", "message", "field", ...}}."""
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """Raised anywhere in a request; rendered as a 4xx/5xx JSON body."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, **extra: Any):
        self.status = status
        self.detail: dict[str, Any] = {"code": code, "message": message, "field": field, **extra}
        super().__init__(message)


def not_found(what: str) -> ApiError:
    # Out-of-scope records answer the same as missing ones, so scope never leaks existence.
    return ApiError(404, "not_found", f"{what}不存在或无权访问 ({what} not found)")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def conflict(code: str, message: str, **extra: Any) -> ApiError:
    return ApiError(409, code, message, **extra)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=_auth_header(exc.status))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        detail = {
            "code": "validation_error",
            "message": f"请求参数有误: {first['field']}: {first['message']}",
            "field": first["field"],
            "errors": errors,
        }
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict):
            detail = exc.detail
        else:
            code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
            detail = {"code": code.get(exc.status_code, "http_error"), "message": str(exc.detail), "field": None}
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


def _auth_header(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None
