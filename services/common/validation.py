"""Validation at the edge, once for every service (installed by services.common.app.create_app).

* Integers in paths, queries and headers, and ids in bodies (`id`, `…_id`, `…_ids`), stay inside PostgreSQL's
  `integer` range (every id, year and offset column is one): a larger value answers 422 instead of reaching
  the database as a DataError, or another service as a request it refuses.
* NUL and other control characters (C0, DEL, C1) and lone surrogates are refused with 422 wherever they
  arrive: path, query (names and values), declared headers, the bearer token, form fields and file names,
  and every key and string of a JSON body. Free text (JSON and form values) keeps \\t, \\n and \\r.
* The OpenAPI document says so: integer parameters carry the bounds, and the 422 response is documented
  with the error shape the services actually answer.
"""
import json
import re
import types
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin

from fastapi import FastAPI, Request, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL integer
_ALL_CONTROLS = "\x00-\x1f\x7f-\x9f\ud800-\udfff"
_CONTROL = re.compile(f"[{_ALL_CONTROLS}]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # \t \n \r allowed
_INTEGER = re.compile(r"\s*([+-]?)([0-9][0-9_]*)(?:\.0*)?\s*")
CONTROL_MESSAGE = "不能包含控制字符或空字符"
RANGE_MESSAGE = f"数值超出允许范围 ({INT_MIN} 至 {INT_MAX})"


_MARKUP = re.compile(r"[<>]")
MARKUP_MESSAGE = "名称应为纯文本，不能包含 < 或 > 等标记字符"


def plain_name(value: str | None) -> str | None:
    """Names of the inventory (units, sites, accounts, people) are plain text: shown escaped everywhere, but a
    name that holds markup (`<script>`) is a paste or a probe, never a government name (titles use 《》)."""
    if value is not None and _MARKUP.search(value):
        raise ValueError(MARKUP_MESSAGE)
    return value


def has_control(value: str, *, free_text: bool = False) -> bool:
    return (_CONTROL_IN_TEXT if free_text else _CONTROL).search(value) is not None


def out_of_range(text: str) -> bool:
    """Whether `text`, as pydantic reads an integer ("+12", " 1_000 ", "7.0"), lies outside INT_MIN..INT_MAX."""
    match = _INTEGER.fullmatch(text)
    if match is None:
        return False  # not an integer at all: pydantic answers it
    digits = match.group(2).replace("_", "").lstrip("0")
    # Length first: int() of a many-thousand-digit string is slow, and refused past 4300 digits.
    return len(digits) > 10 or not INT_MIN <= int(match.group(1) + (digits or "0")) <= INT_MAX


def _error(loc: tuple[Any, ...], message: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": message, "type": kind}


def _is_integer(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_is_integer(a) for a in get_args(annotation) if a is not type(None))
    if origin in (list, set, tuple, frozenset):
        return any(_is_integer(a) for a in get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, int) and not issubclass(annotation, bool) \
        and annotation.__module__ == "builtins"


_int_params: dict[int, list[tuple[str, str]]] = {}


def integer_params(route: APIRoute) -> list[tuple[str, str]]:
    """(location, name) of the route's integer parameters (path, query, header), computed once."""
    found = _int_params.get(id(route))
    if found is None:
        found = [(f.field_info.in_.value, f.alias) for f in get_flat_params(route.dependant)
                 if isinstance(f.field_info, params.Param) and _is_integer(f.field_info.annotation)]
        _int_params[id(route)] = found
    return found


def _strings(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every key and string of a decoded JSON document, with where it sits."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield loc + (key,), key
            yield from _strings(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, loc + (index,))


def _is_id_key(key: Any) -> bool:
    return isinstance(key, str) and (key == "id" or key.endswith(("_id", "_ids")))


def _ids_out_of_range(value: Any, loc: tuple[Any, ...], id_key: bool = False) -> Iterator[tuple[Any, ...]]:
    """Where an id of a JSON body (`id`, `…_id`, `…_ids`) lies outside the integer range of every id column:
    the services pass them to the database (or to another service) as they are."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _ids_out_of_range(item, loc + (key,), _is_id_key(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _ids_out_of_range(item, loc + (index,), id_key)
    elif id_key and isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        yield loc


async def _body_errors(request: Request, route: APIRoute) -> list[dict[str, Any]]:
    # Only bodies FastAPI has already read for the route (a form parsed, a JSON body buffered); routes that
    # stream their own body are left alone.
    if route.body_field is None:
        return []
    errors = []
    if isinstance(route.body_field.field_info, params.Form):
        form = await request.form()
        for key, value in form.multi_items():
            if has_control(key):
                errors.append(_error(("body", key), CONTROL_MESSAGE, "control_character"))
            text = (value.filename or "") if isinstance(value, UploadFile) else value
            if isinstance(text, str) and has_control(text, free_text=not isinstance(value, UploadFile)):
                errors.append(_error(("body", key), CONTROL_MESSAGE, "control_character"))
            elif isinstance(value, str) and _is_id_key(key) and out_of_range(value):
                errors.append(_error(("body", key), RANGE_MESSAGE, "out_of_range"))
        return errors
    raw = await request.body()
    if not raw:
        return []
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return []  # not JSON: FastAPI answers it on its own terms
    errors = [_error(loc, CONTROL_MESSAGE, "control_character")
              for loc, text in _strings(document, ("body",)) if has_control(text, free_text=True)]
    return errors + [_error(loc, RANGE_MESSAGE, "out_of_range") for loc in _ids_out_of_range(document, ("body",))]


async def edge_guard(request: Request) -> None:
    """An app-wide dependency: runs before every route's own dependencies (authentication included)."""
    errors: list[dict[str, Any]] = []
    for name, value in request.path_params.items():
        if isinstance(value, str) and has_control(value):
            errors.append(_error(("path", name), CONTROL_MESSAGE, "control_character"))
    for name, value in request.query_params.multi_items():
        if has_control(name) or has_control(value):
            errors.append(_error(("query", name), CONTROL_MESSAGE, "control_character"))
    authorization = request.headers.get("authorization")
    if authorization is not None and has_control(authorization):
        errors.append(_error(("header", "authorization"), CONTROL_MESSAGE, "control_character"))
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        for location, name in integer_params(route):
            if location == "path":
                values = [str(request.path_params.get(name, ""))]
            elif location == "query":
                values = request.query_params.getlist(name)
            elif location == "header":
                values = request.headers.getlist(name)
            else:
                continue
            for value in values:
                if location == "header" and has_control(value):
                    errors.append(_error((location, name), CONTROL_MESSAGE, "control_character"))
                elif out_of_range(value):
                    errors.append(_error((location, name), RANGE_MESSAGE, "out_of_range"))
        if not errors:
            errors = await _body_errors(request, route)
    if errors:
        raise RequestValidationError(errors)


VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ErrorResponse",
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "message": {"type": "string"}, "type": {"type": "string"}}}},
        },
    }},
}


def document_edge_rules(spec: dict[str, Any]) -> dict[str, Any]:
    """Integer parameters get PostgreSQL's bounds (tighter declared ones kept); 422 gets its real shape."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                for variant in [schema, *schema.get("anyOf", [])]:
                    if variant.get("type") == "integer":
                        variant["minimum"] = max(variant.get("minimum", INT_MIN), INT_MIN)
                        variant["maximum"] = min(variant.get("maximum", INT_MAX), INT_MAX)
    schemas = spec.get("components", {}).get("schemas", {})
    if "HTTPValidationError" in schemas:
        schemas["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
    return spec


def install_edge_validation(app: FastAPI) -> None:
    """The guard as an app-wide dependency (see create_app) and the document that describes it."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_edge_rules(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
