"""Filter, search, sort and paginate a scoped query: the one way every list endpoint works."""
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, literal_column
from sqlmodel import Session, SQLModel, func, select
from sqlmodel.sql.expression import SelectOfScalar

from services.common.errors import ApiError
from services.common.scope import scope_filter
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


def order_by(model: type[SQLModel], sort: str, allowed: set[str]) -> list[Any]:
    name = sort.lstrip("-")
    if name not in allowed:
        raise ApiError(422, "invalid_sort", f"不支持的排序字段: {name}; 可用: {', '.join(sorted(allowed))}",
                       field="sort")
    column = getattr(model, name)
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
