"""Bootstrap from the national systems' export files (.xlsx/.csv): match existing records by 网站标识码
(sites) or platform + 账号ID (accounts), create the missing ones, update differing ones. A dry run
previews every row (created / updated / unchanged / error); applying is all rows or none.

Records taken from the national system are not pushed back to it (no outbox rows): they are its own data."""
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.errors import ApiError
from services.common.scope import scope_filter
from services.registry.accounts.models import Account, AccountCreate, AccountState
from services.registry.audit import service as audit
from services.registry.filings import rules
from services.registry.filings.models import Filing, FilingKind, FilingState, SubjectKind
from services.registry.imports.layouts import YES, parse_platform, parse_site_kind
from services.registry.imports.tables import read_table
from services.registry.models_base import utcnow
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site, SiteCreate, SiteState

SITE_STATES = {"运行": SiteState.active, "正常": SiteState.active, "正常运行": SiteState.active,
               "临时关停": SiteState.suspended, "关停中": SiteState.closing, "永久关停": SiteState.closed,
               "已下线": SiteState.closed, "下线": SiteState.closed, "注销": SiteState.deregistered,
               "已注销": SiteState.deregistered}
ACCOUNT_STATES = {"运行": AccountState.active, "正常": AccountState.active, "正常运行": AccountState.active,
                  "暂停更新": AccountState.suspended, "临时关停": AccountState.suspended,
                  "关停中": AccountState.closing, "注销": AccountState.deregistered,
                  "已注销": AccountState.deregistered}
SITE_COLUMNS = {"name": "网站名称", "homepage_url": "首页网址", "icp_number": "ICP备案号",
                "psb_number": "公安机关备案号", "host_org_id": "主办单位", "state": "运行状态"}
ACCOUNT_COLUMNS = {"registered_name": "账号名称", "interaction_url": "互动地址", "host_org_id": "主办单位",
                   "state": "运行状态"}


class RowResult(BaseModel):
    row: int
    action: Literal["created", "updated", "unchanged", "error"]
    subject_id: int | None = None
    name: str | None = None
    changes: dict[str, list[Any]] = {}
    errors: list[dict[str, str | None]] = []


class BootstrapReport(BaseModel):
    kind: SubjectKind
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: int
    items: list[RowResult]


def _orgs(session: Session, principal: Principal) -> dict[str, list[Organisation]]:
    index: dict[str, list[Organisation]] = {}
    for org in session.exec(select(Organisation).where(scope_filter(Organisation.path, principal))).all():
        index.setdefault(org.name, []).append(org)
    return index


def _org(index: dict[str, list[Organisation]], name: str, column: str, result: RowResult) -> Organisation | None:
    matches = index.get(name.strip(), [])
    if len(matches) == 1:
        return matches[0]
    result.errors.append({"column": column,
                          "message": f"单位「{name}」{'不存在或不在您的管辖范围' if not matches else '重名，无法确定'}"})
    return None


def _validated(model: type[BaseModel], data: dict[str, Any], columns: dict[str, str], result: RowResult) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            result.errors.append({"column": columns.get(str(e["loc"][0]), str(e["loc"][0])), "message": e["msg"]})
        return None


def _state(label: str, table: dict[str, Any], default: Any, result: RowResult) -> Any:
    if not label.strip():
        return default
    state = table.get(label.strip())
    if state is None:
        result.errors.append({"column": "运行状态", "message": f"无法识别的运行状态「{label}」"})
    return state


def _diff(subject: Any, wanted: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for field, value in wanted.items():
        if value is None:
            continue
        current = getattr(subject, field)
        if (current.value if hasattr(current, "value") else current) != (value.value if hasattr(value, "value") else value):
            changes[field] = [current.value if hasattr(current, "value") else current,
                              value.value if hasattr(value, "value") else value]
    return changes


def _plan_sites(session: Session, principal: Principal, rows: list[dict[str, str]]) -> list[tuple[RowResult, Any]]:
    orgs, planned, seen = _orgs(session, principal), [], set()
    for number, row in enumerate(rows, start=2):
        result = RowResult(row=number, action="error", name=row.get("网站名称") or None)
        code = (row.get("网站标识码") or "").strip()
        host = _org(orgs, row.get("主办单位", ""), "主办单位", result) if row.get("主办单位") else None
        state = _state(row.get("运行状态", ""), SITE_STATES, SiteState.active, result)
        if not code:
            result.errors.append({"column": "网站标识码", "message": "缺少网站标识码，无法与国家系统记录对应"})
        elif code in seen:
            result.errors.append({"column": "网站标识码", "message": f"网站标识码在文件中重复: {code}"})
        seen.add(code)
        existing = session.exec(select(Site).where(Site.site_code == code)).first() if code else None
        plan: Any = None
        if existing is not None:
            if not principal.sees(existing.org_path):
                result.errors.append({"column": "网站标识码", "message": "该网站标识码已登记在您管辖范围之外的单位"})
            else:
                wanted = {"name": row.get("网站名称") or None, "homepage_url": row.get("首页网址") or None,
                          "icp_number": row.get("ICP备案号") or None, "psb_number": row.get("公安机关备案号") or None,
                          "host_org_id": host.id if host else None, "state": state}
                result.subject_id, result.changes = existing.id, _diff(existing, wanted)
                plan = ("update", existing, host)
        elif host is not None:
            supervising = _org(orgs, row["主管单位"], "主管单位", result) if row.get("主管单位") else host
            kind = parse_site_kind(row.get("网站类型", "") or "部门网站")
            if kind is None:
                result.errors.append({"column": "网站类型", "message": f"无法识别的网站类型「{row.get('网站类型')}」"})
            if supervising is not None and kind is not None:
                site = _validated(SiteCreate, {
                    "name": row.get("网站名称", ""), "homepage_url": row.get("首页网址", ""), "kind": kind,
                    "site_code": code or None, "icp_number": row.get("ICP备案号") or None,
                    "psb_number": row.get("公安机关备案号") or None,
                    "has_badge": row.get("党政机关网站标识", "是").strip().lower() in YES,
                    "host_org_id": host.id, "supervising_org_id": supervising.id}, SITE_COLUMNS, result)
                if site is not None:
                    try:
                        rules.host_and_supervisor(session, host, supervising.id)
                    except ApiError as exc:
                        result.errors.append({"column": "主管单位", "message": exc.detail["message"]})
                    plan = ("create", site, host, state)
        elif not row.get("主办单位"):
            result.errors.append({"column": "主办单位", "message": "新记录需要主办单位"})
        if not result.errors:
            result.action = "created" if plan[0] == "create" else ("updated" if result.changes else "unchanged")
        planned.append((result, plan))
    return planned


def _plan_accounts(session: Session, principal: Principal, rows: list[dict[str, str]]) -> list[tuple[RowResult, Any]]:
    orgs, planned, seen = _orgs(session, principal), [], set()
    for number, row in enumerate(rows, start=2):
        result = RowResult(row=number, action="error", name=row.get("账号名称") or None)
        platform = parse_platform(row.get("账号类型") or row.get("平台") or "")
        platform_id = (row.get("账号ID") or "").strip()
        host = _org(orgs, row.get("主办单位", ""), "主办单位", result) if row.get("主办单位") else None
        state = _state(row.get("运行状态", ""), ACCOUNT_STATES, AccountState.active, result)
        if platform is None:
            result.errors.append({"column": "账号类型", "message": f"无法识别的账号类型「{row.get('账号类型')}」"})
        if not platform_id:
            result.errors.append({"column": "账号ID", "message": "缺少账号ID，无法与国家系统记录对应"})
        elif (platform, platform_id) in seen:
            result.errors.append({"column": "账号ID", "message": f"账号ID在文件中重复: {platform_id}"})
        seen.add((platform, platform_id))
        plan: Any = None
        existing = (session.exec(select(Account).where(Account.platform == platform,
                                                       Account.platform_id == platform_id)).first()
                    if platform and platform_id else None)
        if existing is not None:
            if not principal.sees(existing.org_path):
                result.errors.append({"column": "账号ID", "message": "该账号已登记在您管辖范围之外的单位"})
            else:
                wanted = {"registered_name": row.get("账号名称") or None, "interaction_url": row.get("互动地址") or None,
                          "host_org_id": host.id if host else None, "state": state}
                result.subject_id, result.changes = existing.id, _diff(existing, wanted)
                plan = ("update", existing, host)
        elif host is not None and platform is not None and platform_id:
            supervising = _org(orgs, row["主管单位"], "主管单位", result) if row.get("主管单位") else host
            if supervising is not None:
                account = _validated(AccountCreate, {
                    "registered_name": row.get("账号名称", ""), "platform": platform, "platform_id": platform_id,
                    "host_org_id": host.id, "supervising_org_id": supervising.id,
                    "interaction_url": row.get("互动地址") or None}, ACCOUNT_COLUMNS, result)
                plan = ("create", account, host, state)
        elif platform_id and not row.get("主办单位"):
            result.errors.append({"column": "主办单位", "message": "新记录需要主办单位"})
        if not result.errors:
            result.action = "created" if plan[0] == "create" else ("updated" if result.changes else "unchanged")
        planned.append((result, plan))
    return planned


def _filing(session: Session, principal: Principal, kind: SubjectKind, subject: Any, name: str, payload: dict,
            supervising_path: str) -> Filing:
    now = utcnow()
    filing = Filing(subject_kind=kind, subject_id=subject.id, subject_name=name, kind=FilingKind.import_,
                    state=FilingState.approved, payload=payload, org_path=subject.org_path,
                    supervising_path=supervising_path, requested_by=principal.sub, requested_by_name=principal.name,
                    decided_by=principal.sub, decided_by_name=principal.name, decided_at=now,
                    override_reason=getattr(subject, "rule_override_reason", None))
    session.add(filing)
    return filing


def bootstrap(session: Session, principal: Principal, kind: SubjectKind, data: bytes, filename: str,
              dry_run: bool) -> BootstrapReport:
    required = ["网站名称", "网站标识码"] if kind == SubjectKind.site else ["账号名称", "账号ID"]
    rows = read_table(data, filename, required)  # header checked first, row limit, no data rows → 422
    planned = _plan_sites(session, principal, rows) if kind == SubjectKind.site else \
        _plan_accounts(session, principal, rows)
    items = [r for r, _ in planned]
    report = BootstrapReport(kind=kind, dry_run=dry_run, rows=len(rows),
                             created=sum(r.action == "created" for r in items),
                             updated=sum(r.action == "updated" for r in items),
                             unchanged=sum(r.action == "unchanged" for r in items),
                             errors=sum(r.action == "error" for r in items), items=items)
    if dry_run:
        return report
    if report.errors:
        raise ApiError(422, "import_invalid", f"导入文件有 {report.errors} 行错误，未导入任何记录 (nothing was imported)",
                       errors=[{"row": r.row, **e} for r in items for e in r.errors], rows=len(rows))
    source = f"national:{filename}"[:200]
    for result, plan in planned:
        if plan[0] == "create":
            _, data_in, host, state = plan
            if kind == SubjectKind.site:
                problems = rules.site_rule_violations(session, host, data_in.homepage_url)
                subject: Any = Site.model_validate(data_in, update={"org_path": host.path, "state": state, "columns": []})
                name = subject.name
            else:
                problems = rules.account_rule_violations(session, host, data_in.platform)
                subject = Account.model_validate(data_in, update={"org_path": host.path, "state": state})
                name = subject.registered_name
            if problems:  # the national register is the existing fact; the exception is recorded
                subject.rule_override_reason = ("国家系统存量导入：" + "；".join(p["message"] for p in problems))[:500]
            session.add(subject)
            session.flush()
            supervising = session.get(Organisation, subject.supervising_org_id)
            _filing(session, principal, kind, subject, name, {"source": source},
                    supervising.path if supervising else subject.org_path)
            audit.record(session, principal, f"{kind.value}.bootstrap", kind.value, subject.id, subject.org_path,
                         after=audit.snapshot(subject), note=source)
            result.subject_id = subject.id
        elif result.changes:
            _, subject, host = plan
            before = audit.snapshot(subject)
            for field, (_, new) in result.changes.items():
                if field == "state":
                    new = (SiteState if kind == SubjectKind.site else AccountState)(new)
                setattr(subject, field, new)
            if "host_org_id" in result.changes and host is not None:
                subject.org_path = host.path
            subject.updated_at = utcnow()
            session.add(subject)
            supervising = session.get(Organisation, subject.supervising_org_id)
            name = subject.name if kind == SubjectKind.site else subject.registered_name
            _filing(session, principal, kind, subject, name, {"source": source, "changes": result.changes},
                    supervising.path if supervising else subject.org_path)
            audit.record(session, principal, f"{kind.value}.bootstrap", kind.value, subject.id, subject.org_path,
                         before=before, after=audit.snapshot(subject), note=source)
    session.commit()
    return report
