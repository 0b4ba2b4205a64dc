"""Organisation tree operations."""
from sqlmodel import Session, func, or_, select

from services.common.auth import Principal
from services.common.errors import ApiError, not_found
from services.common.scope import child_path, scope_filter
from services.registry.audit import service as audit
from services.registry.orgs.models import KIND_LABELS, REGION_PREFIX, Organisation, OrgCreate, OrgKind, OrgUpdate

# Which kinds may sit under which parent kind.
CHILD_KINDS: dict[OrgKind, set[OrgKind]] = {
    OrgKind.province: {OrgKind.city, OrgKind.department},
    OrgKind.city: {OrgKind.county, OrgKind.department},
    OrgKind.county: {OrgKind.township, OrgKind.department},
    OrgKind.township: {OrgKind.department},
    OrgKind.department: {OrgKind.department},
}


def get_visible(session: Session, principal: Principal, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None or not principal.sees(org.path):
        raise not_found("组织机构")
    return org


def list_orgs(session: Session, principal: Principal, *, kind: OrgKind | None, q: str | None,
              parent_id: int | None, limit: int, offset: int) -> tuple[list[Organisation], int]:
    query = select(Organisation).where(scope_filter(Organisation.path, principal))
    if kind:
        query = query.where(Organisation.kind == kind)
    if parent_id is not None:
        query = query.where(Organisation.parent_id == parent_id)
    if q:
        query = query.where(or_(Organisation.name.contains(q, autoescape=True),
                                Organisation.region_code.startswith(q, autoescape=True)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Organisation.path).offset(offset).limit(limit)).all()
    return list(rows), total


def _check_region(kind: OrgKind, code: str | None, parent: Organisation | None) -> str | None:
    """The tier rules of a region code (its six digits are checked by the model): creation and edits alike."""
    if kind == OrgKind.department:
        return code or (parent.region_code if parent else None)
    if code is None:
        raise ApiError(422, "region_code_required", "行政区划组织须填写行政区划代码 (region code required)",
                       field="region_code")
    width = REGION_PREFIX[kind]
    if kind in (OrgKind.province, OrgKind.city) and code[width:] != "0" * (6 - width):
        raise ApiError(422, "region_code_tier", f"{KIND_LABELS[kind]}单位的区划代码应以 {'0' * (6 - width)} 结尾",
                       field="region_code")
    parent_width = REGION_PREFIX.get(parent.kind) if parent else None
    if parent and parent.region_code and parent_width and not code.startswith(parent.region_code[:parent_width]):
        raise ApiError(422, "region_code_parent", "区划代码与上级不一致 (region code outside the parent's region)",
                       field="region_code")
    return code


def create_org(session: Session, principal: Principal, data: OrgCreate) -> Organisation:
    parent = get_visible(session, principal, data.parent_id)
    if data.kind not in CHILD_KINDS[parent.kind]:
        allowed = "、".join(KIND_LABELS[k] for k in OrgKind if k in CHILD_KINDS[parent.kind])
        raise ApiError(422, "org_kind_not_allowed", f"{KIND_LABELS[parent.kind]}单位下只能设立：{allowed}", field="kind")
    org = Organisation(name=data.name, kind=data.kind, parent_id=parent.id,
                       region_code=_check_region(data.kind, data.region_code, parent))
    session.add(org)
    session.flush()
    org.path = child_path(parent.path, org.id)
    audit.record(session, principal, "org.create", "organisation", org.id, org.path, after=audit.snapshot(org))
    session.commit()
    session.refresh(org)
    return org


def update_org(session: Session, principal: Principal, org_id: int, data: OrgUpdate) -> Organisation:
    org = get_visible(session, principal, org_id)
    before = audit.snapshot(org)
    changes = data.model_dump(exclude_unset=True)
    if "region_code" in changes:
        parent = session.get(Organisation, org.parent_id) if org.parent_id is not None else None
        changes["region_code"] = _check_region(org.kind, changes["region_code"], parent)
    org.sqlmodel_update(changes)
    audit.record(session, principal, "org.update", "organisation", org.id, org.path,
                 before=before, after=audit.snapshot(org))
    session.commit()
    session.refresh(org)
    return org


def create_root(session: Session, name: str, kind: OrgKind, region_code: str | None) -> Organisation:
    """The top of a deployment's tree (used by the demo loader and set-up, not over the API)."""
    org = Organisation(name=name, kind=kind, region_code=region_code)
    session.add(org)
    session.flush()
    org.path = child_path(None, org.id)
    return org
