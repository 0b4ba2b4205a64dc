"""Filter, search, sort and paginate a scoped query: the one way every list endpoint works."""
import asyncio
import base64
import binascii
import time
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from fastapi.responses import Response
from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, literal_column
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, func, select
from sqlmodel.sql.expression import SelectOfScalar

from services.common.auth import Principal, unauthorized
from services.common.errors import ApiError
from services.common.pagination import Page
from services.common.scope import scope_filter
from services.common.settings import get_settings
from services.common.validation import INT_MAX, INT_MIN
from services.registry.orgs.models import Organisation

T = TypeVar("T", bound=SQLModel)


def search_text(*columns: Any) -> ColumnElement[str]:
    """The searched text of a record: its columns joined by spaces. The trigram GIN index of each table
    is built on exactly this expression (models_base.search_index), so ILIKE '%q%' is an index scan."""
    expression = func.coalesce(columns[0], literal_column("''"))
    for column in columns[1:]:
        expression = expression.op("||")(literal_column("' '")).op("||")(func.coalesce(column, literal_column("''")))
    return expression


def search_clause(q: str, *columns: Any) -> ColumnElement[bool]:
    return search_text(*columns).icontains(q, autoescape=True)


def _nullable_text(annotation: Any) -> bool:
    """`str | None`: a sort key that may be NULL. Sorted and compared as COALESCE(column, '') — a NULL in a row
    comparison would drop rows from keyset pages, and NULLs would sort differently per direction."""
    return annotation == (str | None)


def sort_expression(spec_public: type[BaseModel], name: str) -> str:
    return f"COALESCE({name}, '')" if _nullable_text(spec_public.model_fields[name].annotation) else name


def order_by(model: type[SQLModel], sort: str, allowed: set[str]) -> list[Any]:
    name = sort.lstrip("-")
    if name not in allowed:
        raise ApiError(422, "invalid_sort", f"不支持的排序字段: {name}; 可用: {', '.join(sorted(allowed))}",
                       field="sort")
    column = getattr(model, name)
    if _nullable_text(model.model_fields[name].annotation):  # as the lean path: no value sorts as ''
        column = func.coalesce(column, literal_column("''"))
    primary = column.desc() if sort.startswith("-") else column.asc()
    return [primary, model.id.desc() if sort.startswith("-") else model.id.asc()]  # type: ignore[attr-defined]


def paginate(session: Session, query: SelectOfScalar[T], ordering: list[Any], limit: int,
             offset: int) -> tuple[list[T], int]:
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    rows = session.exec(query.order_by(*ordering).offset(offset).limit(limit)).all()
    return list(rows), total


def scoped_query(session: Session, model: type[T], principal: Any, *, q: str | None, search: tuple[Any, ...],
                 equals: dict[Any, Any], org_id: int | None) -> SelectOfScalar[T]:
    """Records of `model` in the principal's scope (by `org_path`), optionally narrowed to the subtree of
    `org_id`, matching `q` in any `search` column and every non-None value of `equals`."""
    path_column = model.org_path  # type: ignore[attr-defined]
    query = select(model).where(scope_filter(path_column, principal))
    if q:
        query = query.where(search_clause(q, *search))
    for column, value in equals.items():
        if value is not None:
            query = query.where(column == value)
    if org_id is not None:
        org = session.get(Organisation, org_id)
        query = query.where(path_column.startswith(org.path if org else "/none/", autoescape=True))
    return query


# --- The lean read path of the site and account lists (issue 13: national size) -----------------------------
# Plain SQL on a psycopg async pool, the token holder's revocation check and the page and its count sent in
# one round trip (pipeline mode), rows straight to orjson: no ORM objects, no thread hops. The WHERE clause is
# the same rule as scoped_query: the principal's subtree, the `org_id` subtree, equal filters, `q` in the
# searched text (the trigram index's expression).

COUNT_EXACT_UP_TO = 1000
POOL_SIZE = 8


class CountMode(StrEnum):
    exact = "exact"        # the default: services page through `total`, reports print it
    estimate = "estimate"  # exact up to COUNT_EXACT_UP_TO, past it the planner's estimate (the SPA shows 约 N)


class ListPage(Page[T], Generic[T]):
    total_estimated: bool = Field(False, description=f"total is an estimate (more than {COUNT_EXACT_UP_TO} rows)")
    next_cursor: str | None = Field(None, description="`cursor` of the page after this one; null on the last page")


Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=INT_MAX, description="rows to skip (after `cursor`, if given)")]
Cursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page (keyset)")]
Count = Annotated[CountMode, Query(description="exact total, or estimated past 1,000 rows")]


@dataclass(frozen=True)
class ListSpec:
    """A list with a stored `search_text` (migration 0006) and an `org_path` scope key."""
    table: str                          # schema-qualified
    public: type[BaseModel]             # the response row: its fields are the selected columns
    sorts: frozenset[str]

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.public.model_fields)


def like_pattern(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _prefix_end(path: str) -> str:
    """The least string above every string that starts with `path` (byte order, text_pattern_ops)."""
    return path[:-1] + chr(ord(path[-1]) + 1)


_ORG_PATH = "(SELECT path FROM registry.organisation WHERE id = %s)"


def where_clause(principal: Principal, *, q: str | None, equals: dict[str, Any],
                 org_id: int | None) -> tuple[str, list[Any]]:
    # starts_with is the rule (as scope_filter); the ranges only let the planner use the text_pattern_ops
    # indexes. The scope is written into the statement, not passed: each scope's statement is prepared on its
    # own (psycopg prepares a statement from its fifth use), so its plan is made knowing the scope's size.
    path = principal.org_path
    clauses = [f"starts_with(org_path, {_literal(path)})"]
    if path:
        clauses += [f"org_path ~>=~ {_literal(path)}", f"org_path ~<~ {_literal(_prefix_end(path))}"]
    params: list[Any] = []
    if org_id is not None:  # a missing organisation: NULL, so nothing matches
        clauses += [f"starts_with(org_path, {_ORG_PATH})", f"org_path ~>=~ {_ORG_PATH}",
                    ("org_path ~<~ (SELECT left(path, -1) || chr(ascii(right(path, 1)) + 1) "
                     "FROM registry.organisation WHERE id = %s)")]
        params += [org_id, org_id, org_id]
    for column, value in equals.items():
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    if q:  # as ILIKE on the joined columns (PostgreSQL's ILIKE lower-cases both sides), on the stored text
        clauses.append("search_text LIKE lower(%s)")
        params.append(like_pattern(q))
    return " AND ".join(clauses), params


def _literal(text: str) -> str:
    return sql.Literal(text).as_string().replace("%", "%%")  # the statement still takes %s parameters


def bad_cursor() -> ApiError:
    return ApiError(422, "invalid_cursor", "翻页游标无效或已与排序方式不符，请回到第一页重新查询", field="cursor")


def encode_cursor(sort: str, row: dict[str, Any]) -> str:
    value = row[sort.lstrip("-")]
    key = [sort, "" if value is None else value, row["id"]]  # NULL sorts as '' (sort_expression)
    return base64.urlsafe_b64encode(orjson.dumps(key, option=orjson.OPT_UTC_Z)).decode().rstrip("=")


@lru_cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def decode_cursor(spec: ListSpec, sort: str, cursor: str) -> tuple[Any, int]:
    """(sort key, id) of the last row of the previous page; 422 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, last_id = orjson.loads(raw)
        if cursor_sort != sort or type(last_id) is not int or not INT_MIN <= last_id <= INT_MAX:
            raise ValueError(cursor_sort)
        field = spec.public.model_fields[sort.lstrip("-")]
        return _adapter(field.annotation).validate_python(value, strict=False), last_id
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError, ValidationError) as exc:
        raise bad_cursor() from exc


def _order(spec: ListSpec, sort: str, cursor: str | None) -> tuple[str, str, list[Any]]:
    """ORDER BY, the keyset condition after `cursor` ('' without one) and its parameters."""
    name = sort.lstrip("-")
    if name not in spec.sorts:
        raise ApiError(422, "invalid_sort", f"不支持的排序字段: {name}; 可用: {', '.join(sorted(spec.sorts))}",
                       field="sort")
    direction, after = ("DESC", "<") if sort.startswith("-") else ("ASC", ">")
    if name == "id":
        order, keyset = f"id {direction}", f"id {after} %s"
    else:
        key = sort_expression(spec.public, name)
        order, keyset = f"{key} {direction}, id {direction}", f"({key}, id) {after} (%s, %s)"
    if cursor is None:
        return order, "", []
    value, last_id = decode_cursor(spec, sort, cursor)
    return order, keyset, [last_id] if name == "id" else [value, last_id]


def _holder_check(principal: Principal) -> tuple[str, list[Any]] | None:
    """check_not_revoked's query: the holder's state and token version (None: no such holder can exist)."""
    kind, _, ident = principal.sub.partition(":")
    if kind == "user":
        if not ident.isdigit() or int(ident) > INT_MAX:
            return None
        return "SELECT is_active, token_version FROM registry.user_account WHERE id = %s", [int(ident)]
    return "SELECT is_active, token_version FROM registry.api_client WHERE client_id = %s", [ident]


_pools: dict[asyncio.AbstractEventLoop, asyncio.Future[AsyncConnectionPool]] = {}


async def _open_pool() -> AsyncConnectionPool:
    url = make_url(get_settings().database_url).set(drivername="postgresql")
    pool = AsyncConnectionPool(url.render_as_string(hide_password=False), min_size=1, max_size=POOL_SIZE,
                               open=False, kwargs={"autocommit": True, "options": "-c TimeZone=UTC"})
    await pool.open()
    return pool


async def _pool() -> AsyncConnectionPool:
    """One pool per event loop (a uvicorn worker has one; a test client may bring another), opened once."""
    loop = asyncio.get_running_loop()
    opening = _pools.get(loop)
    if opening is None or (opening.done() and opening.exception() is not None):  # none yet, or the last try failed
        _pools[loop] = asyncio.ensure_future(_open_pool())
    return await _pools[loop]


async def close_pool() -> None:
    if (opening := _pools.pop(asyncio.get_running_loop(), None)) is not None:
        await (await opening).close()


# Estimated totals (past COUNT_EXACT_UP_TO) by statement and parameters, reused for a minute: paging through
# one filtered list asks for the same total on every page. Exact totals are never reused.
ESTIMATE_SECONDS = 60
_estimates: dict[str, dict[tuple[Any, ...], tuple[int, float]]] = {}


def _remember(matching: tuple[str, list[Any]], total: int) -> None:
    if sum(len(v) for v in _estimates.values()) >= 10_000:
        _estimates.clear()
    _estimates.setdefault(matching[0], {})[tuple(matching[1])] = (total, time.monotonic() + ESTIMATE_SECONDS)


def _known_estimate(matching: tuple[str, list[Any]]) -> int | None:
    known = _estimates.get(matching[0], {}).get(tuple(matching[1]))
    return known[0] if known is not None and known[1] > time.monotonic() else None


async def _estimate(conn: AsyncConnection[Any], sql: str, params: list[Any]) -> int:
    plan = await (await conn.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)).fetchone()
    return int(plan[0][0]["Plan"]["Plan Rows"]) if plan else 0


@dataclass(frozen=True)
class PageQuery:
    """The statements of one list request: (sql, params) each."""
    holder: tuple[str, list[Any]] | None  # None: the token names no possible holder
    count: tuple[str, list[Any]]
    page: tuple[str, list[Any]]
    matching: tuple[str, list[Any]]       # EXPLAINed for the estimate past COUNT_EXACT_UP_TO


def page_query(spec: ListSpec, principal: Principal, *, q: str | None, equals: dict[str, Any], org_id: int | None,
               sort: str, limit: int, offset: int, cursor: str | None, count: CountMode) -> PageQuery:
    if cursor is not None and offset:
        raise ApiError(422, "cursor_with_offset", "按游标翻页时不能同时指定偏移量", field="offset")
    order, keyset, keyset_params = _order(spec, sort, cursor)
    where, params = where_clause(principal, q=q, equals=equals, org_id=org_id)
    matching = f"SELECT 1 FROM {spec.table} WHERE {where}"
    count_sql = (f"SELECT count(*) FROM {spec.table} WHERE {where}" if count is CountMode.exact
                 else f"SELECT count(*) FROM ({matching} LIMIT {COUNT_EXACT_UP_TO + 1}) AS capped")
    page_where = f"{where} AND {keyset}" if keyset else where
    # The page's ids first (an index-only scan where an index covers the filters), then only those rows.
    page_sql = (f"SELECT {', '.join(spec.columns)} FROM {spec.table} WHERE id IN (SELECT id FROM {spec.table} "
                f"WHERE {page_where} ORDER BY {order} LIMIT %s OFFSET %s) ORDER BY {order}")
    return PageQuery(_holder_check(principal), (count_sql, params),
                     (page_sql, [*params, *keyset_params, limit + 1, offset]), (matching, params))


async def list_page(spec: ListSpec, principal: Principal, *, limit: int, offset: int, sort: str, count: CountMode,
                    **filters: Any) -> Response:
    """One page of `spec.table` in the principal's scope as a ListPage JSON response, after the token holder's
    revocation check (401 as check_not_revoked)."""
    query = page_query(spec, principal, limit=limit, offset=offset, sort=sort, count=count, **filters)
    if query.holder is None:
        raise unauthorized("令牌已被撤销 (token revoked)")
    known = _known_estimate(query.matching) if count is CountMode.estimate else None
    async with (await _pool()).connection() as conn:
        async with conn.pipeline():
            holder_cur = await conn.execute(*query.holder)
            count_cur = await conn.execute(*query.count) if known is None else None
            page_cur = await conn.execute(*query.page)
        found = await holder_cur.fetchone()
        if found is None or not found[0] or found[1] != principal.ver:
            raise unauthorized("令牌已被撤销 (token revoked)")
        rows = await page_cur.fetchall()
        if count_cur is None:
            total, estimated = known or 0, True
        else:
            total = (await count_cur.fetchone() or (0,))[0]
            estimated = count is CountMode.estimate and total > COUNT_EXACT_UP_TO
            if estimated:
                total = max(total, await _estimate(conn, *query.matching))
                _remember(query.matching, total)
    items = [dict(zip(spec.columns, row)) for row in rows[:limit]]
    body = {"items": items, "total": total, "limit": limit, "offset": offset, "total_estimated": estimated,
            "next_cursor": encode_cursor(sort, items[-1]) if len(rows) > limit else None}
    return Response(orjson.dumps(body, option=orjson.OPT_UTC_Z), media_type="application/json")
