"""The authorization matrix generated from a service's OpenAPI document: every operation, for every role
(admin, supervisor, operator, viewer) at three tiers outside the target subtree (a sibling city, a
sibling county, a department of that county), against real objects of the target subtree (韩城市).

Path parameters are bound to objects found generically in the service's tables: `<name>_id` → the table
named <name> (or ending in _<name>) of the service's schema, a row whose org path (or whose parent's, through
a foreign key) lies in the target subtree. A new endpoint is covered without editing anything; a new kind of
parameter falls back to an id that exists nowhere, which still checks the rest.

Checked for every response: no 5xx; no 2xx for an operation bound to an object of the target subtree; no
organisation path of a sibling subtree anywhere in a 2xx JSON body; no 2xx for a viewer's write.
Used by tests/<service>/…/test_authz_generated.py.
"""
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel
from sqlmodel import select as sm_select

from services.common.auth import Role
from services.common.db import get_engine
from services.registry.auth.service import hash_secret
from services.registry.demo.loader import DEFAULT_PASSWORD
from services.registry.orgs.models import Organisation, OrgKind
from services.registry.users.models import User
from tests.schemathesis_runner import fuzz_subtree, FUZZ_CITY

TARGET = "韩城市"
ROLES = ("admin", "supervisor", "operator", "viewer")
TIERS = {"city": FUZZ_CITY, "county": "临渭区", "department": "临渭区矩阵测试局"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
SELF_SERVICE = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/password")}  # anyone, on their own
PATH_COLUMNS = ("org_path", "scope_org_path", "scope_path", "path")
VALUES = {"kind": "site", "fmt": "docx", "code": "gov-2019", "version": "1"}
ALIASES = {"row_id": "sync_outbox", "client_pk": "api_client", "user_id": "user_account", "org_id": "organisation",
           "target_id": "site", "diff_id": "sync_difference"}
NOWHERE = 2147483647
_ORG_PATH = re.compile(r"^(\d+/)+$")


def _org(session: Session, name: str) -> Organisation:
    return session.exec(sm_select(Organisation).where(Organisation.name == name)).one()


def callers() -> dict[str, str]:
    """username → org path: each role at each tier outside the target (created once, demo password)."""
    fuzz_subtree()
    out = {}
    with Session(get_engine()) as session:
        county = _org(session, TIERS["county"])
        dept = session.exec(sm_select(Organisation).where(Organisation.name == TIERS["department"])).first()
        if dept is None:
            dept = Organisation(name=TIERS["department"], kind=OrgKind.department, parent_id=county.id,
                                region_code=county.region_code)
            session.add(dept)
            session.flush()
            dept.path = f"{county.path}{dept.id}/"
        for tier, name in TIERS.items():
            org = dept if tier == "department" else _org(session, name)
            for role in ROLES:
                username = f"mx_{tier}_{role}"
                if session.exec(sm_select(User).where(User.username == username)).first() is None:
                    session.add(User(username=username, display_name=username, org_id=org.id, role=Role(role),
                                     password_hash=hash_secret(DEFAULT_PASSWORD)))
                out[username] = org.path
        session.commit()
    return out


def target_inspection() -> int:
    """A completed inspection of the target subtree with a failing site and its finding (as the checker's
    workers leave them), so the checker's and reporting's object routes have something to be refused."""
    from datetime import UTC, datetime

    from services.registry.sites.models import Site
    from tests.reporting.conftest import make_inspection

    with Session(get_engine()) as session:
        scope = _org(session, TARGET)
        site = session.exec(sm_select(Site).where(Site.org_path.startswith(scope.path)).order_by(Site.id)).first()
        return make_inspection(session, scope, "授权矩阵检查", datetime(2024, 5, 6, tzinfo=UTC), [
            {"kind": "site", "target_id": site.id, "name": site.name, "org_path": site.org_path,
             "url": site.homepage_url, "verdict": "fail",
             "findings": [("column_not_updated", "deduct", "栏目更新不及时", {})]}]).id


def _tables(schema: str) -> dict[str, Table]:
    return {t.name: t for t in SQLModel.metadata.tables.values() if t.schema == schema}


def _path_column(table: Table) -> Any:
    return next((table.c[name] for name in PATH_COLUMNS if name in table.c), None)


def _sample(session: Session, table: Table, target: str) -> int | None:
    column = _path_column(table)
    if column is not None and "id" in table.c:
        return session.execute(select(table.c.id).where(column.startswith(target)).order_by(table.c.id)
                               .limit(1)).scalar()
    for fk in table.foreign_keys:  # no path of its own: through its parent (evidence → filing, finding → result)
        parent = fk.column.table
        parent_column = _path_column(parent)
        if parent_column is not None and "id" in table.c:
            return session.execute(select(table.c.id).join(parent, fk.parent == fk.column)
                                   .where(parent_column.startswith(target)).order_by(table.c.id).limit(1)).scalar()
    return None


def bind(schema: str, params: list[str], target: str) -> tuple[dict[str, str], bool]:
    """Values for the path parameters, and whether any is a scoped object of the target subtree."""
    tables, values, scoped = _tables(schema), {}, False
    with Session(get_engine()) as session:
        for name in params:
            if name in VALUES:
                values[name] = VALUES[name]
                continue
            stem = ALIASES.get(name, name.removesuffix("_id"))
            table = tables.get(stem)
            if table is None:
                table = next((t for n, t in sorted(tables.items()) if n.endswith(f"_{stem}")), None)
            if table is None and stem in ("organisation", "site", "account", "user_account", "api_client"):
                table = _tables("registry").get(stem)  # other services name registry objects by their ids
            found = _sample(session, table, target) if table is not None else None
            values[name] = str(found if found is not None else NOWHERE)
            scoped = scoped or found is not None
    return values, scoped


def _paths_in(value: Any, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths_in(v, k)]
    if isinstance(value, list):
        return [p for v in value for p in _paths_in(v, key)]
    if isinstance(value, str) and key.endswith("path") and _ORG_PATH.match(value):
        return [value]
    return []


@dataclass
class Matrix:
    api: str
    requests: int = 0
    bound_operations: int = 0
    operations: set[tuple[str, str]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def run(api: str, schema: str, client: Any, login: Any, users: dict[str, str] | None = None) -> Matrix:
    """`users` (username → org path) replaces the generated callers (the self-check of the matrix)."""
    users = users or callers()
    with Session(get_engine()) as session:
        target = _org(session, TARGET).path
    headers = {u: login(u) for u in users}
    matrix = Matrix(api)
    spec = client.get("/openapi.json").json()
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            matrix.operations.add((method, template))
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            values, scoped = bind(schema, names, target)
            matrix.bound_operations += scoped
            url = template.format(**values)
            content = operation.get("requestBody", {}).get("content", {})
            kwargs: dict[str, Any] = {}
            if "application/json" in content:
                kwargs["json"] = {}
            elif content:
                kwargs["data"] = {}
            for username, mine in users.items():
                response = client.request(method, url, headers=headers[username], **kwargs)
                matrix.requests += 1
                status, role = response.status_code, username.rsplit("_", 1)[1]
                where = f"{method} {url} as {username}: {status} {response.text[:160]}"
                if status >= 500:
                    matrix.problems.append(f"server error: {where}")
                elif 200 <= status < 300:
                    if scoped:
                        matrix.problems.append(f"object of {TARGET} answered: {where}")
                    if role == "viewer" and method in WRITES and (method, template) not in SELF_SERVICE:
                        matrix.problems.append(f"viewer wrote: {where}")
                    if response.headers.get("content-type", "").startswith("application/json"):
                        leaks = [p for p in _paths_in(response.json())
                                 if not p.startswith(mine) and not mine.startswith(p)]
                        if leaks:
                            matrix.problems.append(f"sibling paths {sorted(set(leaks))[:3]}: {where}")
    return matrix
