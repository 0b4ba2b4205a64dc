"""One error shape for every service: {"detail": {"code", "message", "field", ...}}."""
import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised anywhere in a request; rendered as a 4xx/5xx JSON body."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, **extra: Any):
        self.status = status
        self.detail: dict[str, Any] = {"code": code, "message": message, "field": field, **extra}
        super().__init__(message)


def not_found(what: str) -> ApiError:
    # Out-of-scope records answer the same as missing ones, so scope never leaks existence.
    return ApiError(404, "not_found", f"{what}不存在或无权访问 ({what} not found)")


def unavailable(code: str, message: str, exc: BaseException | None = None) -> ApiError:
    """503 for a service we depend on being down. What went wrong (English, addresses, stack) goes to the log,
    never into the answer a person reads."""
    if exc is not None:
        log.warning("%s: %s", code, exc, exc_info=exc)
    return ApiError(503, code, f"{message}，请稍后重试")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def conflict(code: str, message: str, **extra: Any) -> ApiError:
    return ApiError(409, code, message, **extra)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc)


# zh-CN for the validation errors people meet (pydantic's own messages are English); `type` stays as is.
_MESSAGES: dict[str, str] = {
    "missing": "缺少必填项", "extra_forbidden": "不允许的字段", "json_invalid": "JSON 格式有误",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "finite_number": "应为有限数值",
    "decimal_parsing": "应为数字", "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为文本", "string_pattern_mismatch": "格式不正确", "string_unicode": "应为有效的文本",
    "enum": "取值不在允许范围内", "literal_error": "取值不在允许范围内",
    "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "list_type": "应为列表", "tuple_type": "应为列表", "set_type": "应为列表",
    "date_parsing": "日期格式有误", "date_from_datetime_parsing": "日期格式有误", "date_type": "日期格式有误",
    "datetime_parsing": "时间格式有误", "datetime_from_date_parsing": "时间格式有误", "datetime_type": "时间格式有误",
    "url_parsing": "网址格式有误", "url_scheme": "网址协议不受支持", "url_type": "网址格式有误",
    "uuid_parsing": "格式不正确", "bytes_type": "格式不正确", "union_tag_invalid": "取值不在允许范围内",
    "is_instance_of": "格式不正确", "too_short": "条目过少", "too_long": "条目过多",
}
_BOUNDED: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("ge", "不能小于 {}"), "greater_than": ("gt", "应大于 {}"),
    "less_than_equal": ("le", "不能大于 {}"), "less_than": ("lt", "应小于 {}"),
    "string_too_short": ("min_length", "长度不能少于 {} 个字符"), "string_too_long": ("max_length", "长度不能超过 {} 个字符"),
    "bytes_too_short": ("min_length", "长度不能少于 {} 字节"), "bytes_too_long": ("max_length", "长度不能超过 {} 字节"),
}


def _message(error: dict[str, Any]) -> str:
    kind, msg, ctx = error.get("type", ""), str(error.get("msg", "")), error.get("ctx") or {}
    if kind in _BOUNDED:
        key, template = _BOUNDED[kind]
        return template.format(ctx.get(key, "")) if key in ctx else "超出允许范围"
    if kind in ("value_error", "assertion_error"):
        # Our own validators' messages (zh-CN, sometimes with an English gloss) without pydantic's prefix.
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    return msg if not msg.isascii() else "取值无效"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=_auth_header(exc.status))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": _message(e), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": None, "message": "请求无效"}
        detail = {
            "code": "validation_error",
            "message": f"请求参数有误: {first['field']}: {first['message']}",
            "field": first["field"],
            "errors": errors,
        }
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(DataError)
    @app.exception_handler(psycopg.DataError)
    async def _data_error(request: Request, exc: Exception) -> JSONResponse:
        # The database refused a value (out of range, malformed, NUL byte …): the input was at fault. The
        # statement and the driver's text stay in the log, never in the answer.
        log.warning("data error on %s %s: %s", request.method, request.url.path, exc.__class__.__name__,
                    exc_info=exc)
        detail = {"code": "invalid_value", "message": "提交的数据超出允许范围或格式不正确，请检查后重试", "field": None}
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
