"""Indicator sets as data: the built-ins shipped with the code plus tiers' own sets stored in the
checker schema. A stored set names a parent and overrides some of its values; every change is a new
immutable version, and an inspection records the (code, version) it used."""
import copy
from typing import Any

from sqlalchemy import literal, or_
from sqlmodel import Session, func, select

from services.checker.inspections.service import audit, dump
from services.checker.store.models import IndicatorSetCreate, IndicatorSetPublic, IndicatorSetVersion
from services.common.auth import Principal
from services.common.errors import ApiError, conflict, not_found
from services.common.scope import scope_filter

DEFAULT = "gov-2019"
IDENTITY = ("id", "version", "parent", "name")


def builtins() -> dict[str, dict[str, Any]]:
    """Raw built-in sets by id (a child holds only its overrides)."""
    from services.checker.indicators import builtin_sets
    return builtin_sets()


def validate(definition: dict[str, Any]) -> dict[str, Any]:
    """The merged definition must be a valid indicator set; its normalised form is what is stored."""
    from services.checker.indicators import IndicatorSet
    try:
        return IndicatorSet.model_validate(definition).model_dump(mode="json")
    except ValueError as exc:
        raise ApiError(422, "invalid_indicator_set", f"指标集定义无效: {exc}", field="overrides") from exc


def engine_set(definition: dict[str, Any]) -> Any:
    from services.checker.indicators import IndicatorSet
    return IndicatorSet.model_validate(definition)


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: nested objects merge key by key, anything else is replaced."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _builtin_public(code: str, raw: dict[str, Any]) -> IndicatorSetPublic:
    from services.checker.indicators import resolve
    definition = resolve(code).model_dump(mode="json")
    overrides = {k: v for k, v in raw.items() if k not in IDENTITY} if raw.get("parent") else {}
    return IndicatorSetPublic(code=code, version=definition["version"], name=definition["name"], builtin=True,
                              parent=raw.get("parent"), parent_version=None, org_id=None, org_path=None,
                              overrides=overrides, definition=definition)


def _public(row: IndicatorSetVersion) -> IndicatorSetPublic:
    return IndicatorSetPublic(builtin=False, **row.model_dump(exclude={"id"}))


def visible(principal: Principal):
    # A tier sees its own and its subtree's sets, and the sets of its ancestors (which it may inherit).
    return or_(scope_filter(IndicatorSetVersion.org_path, principal),
               literal(principal.org_path).startswith(IndicatorSetVersion.org_path))


def latest_versions(session: Session, principal: Principal) -> list[IndicatorSetPublic]:
    newest = (select(IndicatorSetVersion.code, func.max(IndicatorSetVersion.version).label("v"))
              .group_by(IndicatorSetVersion.code).subquery())
    rows = session.exec(select(IndicatorSetVersion).join(
        newest, (newest.c.code == IndicatorSetVersion.code) & (newest.c.v == IndicatorSetVersion.version))
        .where(visible(principal)).order_by(IndicatorSetVersion.code)).all()
    return [_builtin_public(c, d) for c, d in sorted(builtins().items())] + [_public(r) for r in rows]


def get(session: Session, principal: Principal | None, code: str, version: int | None = None) -> IndicatorSetPublic:
    """A set by code (latest version unless `version`); built-ins have one version each."""
    table = builtins()
    if code in table:
        public = _builtin_public(code, table[code])
        if version is not None and version != public.version:
            raise not_found(f"指标集 {code} 第{version}版")
        return public
    query = select(IndicatorSetVersion).where(IndicatorSetVersion.code == code)
    if principal is not None:
        query = query.where(visible(principal))
    if version is not None:
        query = query.where(IndicatorSetVersion.version == version)
    row = session.exec(query.order_by(IndicatorSetVersion.version.desc())).first()
    if row is None:
        raise not_found(f"指标集 {code}")
    return _public(row)


def versions(session: Session, principal: Principal, code: str) -> list[IndicatorSetPublic]:
    if code in builtins():
        return [get(session, principal, code)]
    rows = session.exec(select(IndicatorSetVersion).where(IndicatorSetVersion.code == code, visible(principal))
                        .order_by(IndicatorSetVersion.version)).all()
    if not rows:
        raise not_found(f"指标集 {code}")
    return [_public(r) for r in rows]


def create_version(session: Session, principal: Principal, body: IndicatorSetCreate, org_id: int,
                   org_path: str) -> IndicatorSetPublic:
    if body.code in builtins():
        raise conflict("builtin_indicator_set", f"内置指标集 {body.code} 不可修改，请新建继承它的指标集")
    previous = session.exec(select(IndicatorSetVersion).where(IndicatorSetVersion.code == body.code)
                            .order_by(IndicatorSetVersion.version.desc()).with_for_update()).first()
    if previous is not None and previous.org_path != org_path:
        # Codes are global; another tier's set is inherited, never edited.
        raise conflict("indicator_set_owned", f"指标集 {body.code} 属于其他单位，请以它为父集新建指标集")
    parent_code = body.parent or (previous.parent if previous else DEFAULT)
    if parent_code == body.code:
        raise ApiError(422, "indicator_set_cycle", "指标集不能继承自身", field="parent")
    parent = get(session, principal, parent_code, body.parent_version)
    if set(body.overrides) & set(IDENTITY):
        raise ApiError(422, "invalid_override", "覆盖值不能包含 id、version、parent、name", field="overrides")
    # A new version without new overrides keeps the previous ones (e.g. to follow a new parent version).
    overrides = body.overrides if body.overrides or previous is None else previous.overrides
    version = (previous.version + 1) if previous else 1
    name = body.name or (previous.name if previous else body.code)
    definition = merge(parent.definition, overrides)
    definition.update(id=body.code, version=version, parent=parent.code, name=name)
    definition = validate(definition)
    row = IndicatorSetVersion(code=body.code, version=version, name=name, parent=parent.code,
                              parent_version=parent.version, org_id=org_id, org_path=org_path,
                              overrides=overrides, definition=definition, note=body.note, created_by=principal.sub)
    session.add(row)
    session.flush()
    audit(session, principal, "indicator_set.create", "indicator_set", row.id, org_path, after=dump(row))
    session.commit()
    session.refresh(row)
    return _public(row)
