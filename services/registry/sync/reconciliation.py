"""Reconciliation: pull the national register for a scope, compare with the registry, store the differences.
A difference can be turned into a filing (adopt the national value here) or a fresh push (correct it there)."""
from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, select

from services.common.auth import Principal, Role
from services.common.errors import ApiError, conflict, not_found, unavailable
from services.common.db import get_engine
from services.common.scope import scope_filter
from services.registry.accounts.models import Account, AccountCreate
from services.registry.audit import service as audit
from services.registry.filings import service as filings
from services.registry.filings.models import KIND_LABELS as FILING_LABELS
from services.registry.filings.models import Filing, FilingCreate, FilingKind, SubjectKind
from services.registry.imports.layouts import ACCOUNT_STATE_LABELS, SITE_STATE_LABELS
from services.registry.imports.tables import write_xlsx
from services.registry.listing import order_by, paginate
from services.registry.orgs.models import Organisation
from services.registry.orgs.service import get_visible
from services.registry.sites.models import Site, SiteCreate
from services.registry.sync import service as outbox
from services.registry.sync.models import Difference, DifferenceKind, DifferencePublic, Reconciliation

RUNNING = {"active", "suspended"}
ENDED = {"closing", "closed", "deregistered"}
SITE_FIELDS = {"site_code": "网站标识码", "icp_number": "ICP备案号", "psb_number": "公安机关备案号",
               "host_unit": "主办单位", "homepage_url": "首页网址"}
ACCOUNT_FIELDS = {"host_unit": "主办单位", "interaction_url": "互动地址"}
FIELD_LABELS = {**SITE_FIELDS, **ACCOUNT_FIELDS, "state": "状态", "name": "名称"}
KIND_LABELS = {DifferenceKind.missing_there: "国家系统无此记录", DifferenceKind.missing_here: "本系统无此记录",
               DifferenceKind.running_there_closed_here: "国家系统运行、本系统已关停",
               DifferenceKind.closed_there_running_here: "国家系统已关停、本系统运行",
               DifferenceKind.name_differs: "名称不一致", DifferenceKind.field_differs: "登记信息不一致"}
# The national side is already closed: here the subject goes the whole way (关停 → 下线 → 注销); the steps
# behind the national state are not pushed (sync.service.enqueue_filing), so it never moves backwards there.
CLOSED_THERE_PATH = "关停（随后下线、注销，国家系统已关停的不再回报）"


def suggested_filing(diff: Difference) -> FilingKind | None:
    """The filing that adopts the national side's value here (None: the fix is a push to the national system)."""
    return {DifferenceKind.missing_here: FilingKind.open, DifferenceKind.name_differs: FilingKind.rename,
            DifferenceKind.closed_there_running_here: FilingKind.close,
            DifferenceKind.field_differs: FilingKind.change if diff.field != "homepage_url" else FilingKind.rename,
            }.get(diff.kind)


def suggested_label(diff: Difference) -> str:
    kind = suggested_filing(diff)
    if kind is None:
        return "重新报送"
    return CLOSED_THERE_PATH if diff.kind == DifferenceKind.closed_there_running_here else FILING_LABELS[kind]


def _value_label(diff: Difference, value: str | None) -> str:
    """States as the user reads them (运行, 已下线 …); other values as they are."""
    if diff.field != "state" or not value:
        return value or ""
    labels: dict = SITE_STATE_LABELS if diff.subject_kind == SubjectKind.site else ACCOUNT_STATE_LABELS
    return next((text for state, text in labels.items() if state.value == value), value)


def public(diff: Difference) -> DifferencePublic:
    return DifferencePublic.model_validate(diff, update={"suggested_filing": suggested_filing(diff)})


def _local(session: Session, kind: SubjectKind, path: str) -> list[dict[str, Any]]:
    model = Site if kind == SubjectKind.site else Account
    subjects = session.exec(select(model).where(model.org_path.startswith(path, autoescape=True),
                                                model.state != "pending_open")).all()
    return [{"subject": s, **outbox.national_record(session, s)} for s in subjects]


def _match_key(record: dict[str, Any]) -> list[tuple]:
    keys: list[tuple] = []
    if record.get("govwatch_id") is not None:
        keys.append(("id", record["govwatch_id"]))
    if record.get("type") == "account":
        keys.append(("platform", record.get("platform"), record.get("platform_id")))
    elif record.get("site_code"):
        keys.append(("code", record["site_code"]))
    return keys


def compare(kind: SubjectKind, local: list[dict[str, Any]], national: list[dict[str, Any]],
            path: str) -> Iterator[dict[str, Any]]:
    index: dict[tuple, dict[str, Any]] = {}
    for n in national:
        for key in _match_key(n):
            index.setdefault(key, n)
    matched: set[int] = set()
    fields = SITE_FIELDS if kind == SubjectKind.site else ACCOUNT_FIELDS
    for ours in local:
        subject = ours["subject"]
        theirs = next((index[k] for k in _match_key(ours) if k in index), None)
        base = {"subject_kind": kind, "subject_id": subject.id, "name": ours["name"], "org_path": subject.org_path}
        if theirs is None:
            if ours["state"] != "deregistered":
                yield {**base, "kind": DifferenceKind.missing_there, "ours": ours["state"]}
            continue
        matched.add(id(theirs))
        snapshot = {k: v for k, v in theirs.items() if k != "org_path"}
        if theirs.get("state") in RUNNING and ours["state"] in ENDED:
            yield {**base, "kind": DifferenceKind.running_there_closed_here, "field": "state",
                   "ours": ours["state"], "theirs": theirs.get("state"), "national": snapshot}
        elif theirs.get("state") in ENDED and ours["state"] in RUNNING:
            yield {**base, "kind": DifferenceKind.closed_there_running_here, "field": "state",
                   "ours": ours["state"], "theirs": theirs.get("state"), "national": snapshot}
        if (theirs.get("name") or "") != ours["name"]:
            yield {**base, "kind": DifferenceKind.name_differs, "field": "name", "ours": ours["name"],
                   "theirs": theirs.get("name"), "national": snapshot}
        for field in fields:
            if field in theirs and (theirs.get(field) or None) != (ours.get(field) or None):
                yield {**base, "kind": DifferenceKind.field_differs, "field": field, "ours": ours.get(field),
                       "theirs": theirs.get(field), "national": snapshot}
    for n in national:
        if id(n) not in matched and n.get("state") not in ("deregistered",):
            yield {"subject_kind": kind, "subject_id": None, "name": n.get("name") or n.get("national_ident", "?"),
                   "org_path": n.get("org_path") or path, "kind": DifferenceKind.missing_here,
                   "theirs": n.get("national_ident"), "national": {k: v for k, v in n.items() if k != "org_path"}}


def run(session: Session, principal: Principal, client: Any, scope_org_id: int | None,
        subject_kind: SubjectKind | None) -> Reconciliation:
    scope = get_visible(session, principal, scope_org_id or principal.org_id)
    report = Reconciliation(scope_org_id=scope.id, scope_path=scope.path, subject_kind=subject_kind,
                            started_by=principal.sub)
    session.add(report)
    session.flush()
    counts: dict[str, int] = {}
    for kind in [subject_kind] if subject_kind else list(SubjectKind):
        try:
            national = client.register(kind.value, scope.path)
        except Exception as exc:  # noqa: BLE001
            session.rollback()
            raise unavailable("national_unavailable", "国家报送系统暂不可用", exc) from exc
        local = _local(session, kind, scope.path)
        report.local_count += len(local)
        report.national_count += len(national)
        for diff in compare(kind, local, national, scope.path):
            for text_field in ("ours", "theirs", "name"):
                if diff.get(text_field) is not None:
                    diff[text_field] = str(diff[text_field])[:500 if text_field != "name" else 200]
            session.add(Difference(reconciliation_id=report.id, **diff))
            counts[diff["kind"].value] = counts.get(diff["kind"].value, 0) + 1
    report.counts, report.difference_count = counts, sum(counts.values())
    audit.record(session, principal, "sync.reconcile", "sync_reconciliation", report.id, scope.path,
                 after=audit.snapshot(report))
    session.commit()
    session.refresh(report)
    return report


def scheduled(client: Any) -> None:
    """The worker's periodic run: one report per top-level organisation, as the system itself."""
    with Session(get_engine()) as session:
        roots = session.exec(select(Organisation).where(Organisation.parent_id.is_(None))).all()
        for root in roots:
            system = Principal(sub="system:sync", org_id=root.id, org_path=root.path, role=Role.admin,
                               jti="sync", iat=0, exp=0, name="定时对账")
            run(session, system, client, root.id, None)


def list_reports(session: Session, principal: Principal, limit: int, offset: int) -> tuple[list[Reconciliation], int]:
    query = select(Reconciliation).where(scope_filter(Reconciliation.scope_path, principal))
    return paginate(session, query, order_by(Reconciliation, "-id", {"id"}), limit, offset)


def get_report(session: Session, principal: Principal, report_id: int) -> Reconciliation:
    report = session.get(Reconciliation, report_id)
    if report is None or not principal.sees(report.scope_path):
        raise not_found("对账报告")
    return report


def differences(session: Session, principal: Principal, report_id: int, kind: DifferenceKind | None,
                limit: int | None = None, offset: int = 0) -> tuple[list[Difference], int]:
    get_report(session, principal, report_id)
    query = select(Difference).where(Difference.reconciliation_id == report_id,
                                     scope_filter(Difference.org_path, principal))
    if kind:
        query = query.where(Difference.kind == kind)
    return paginate(session, query, order_by(Difference, "id", {"id"}), limit or 100_000, offset)


def get_difference(session: Session, principal: Principal, report_id: int, diff_id: int,
                   lock: bool = False) -> Difference:
    diff = session.get(Difference, diff_id, with_for_update=lock)
    if diff is None or diff.reconciliation_id != report_id or not principal.sees(diff.org_path):
        raise not_found("差异")
    return diff


def _org_by_name(session: Session, principal: Principal, name: str | None) -> Organisation:
    orgs = session.exec(select(Organisation).where(Organisation.name == (name or ""),
                                                   scope_filter(Organisation.path, principal))).all()
    if len(orgs) != 1:
        raise ApiError(422, "unknown_org", f"无法确定主办单位「{name}」(不存在、重名或不在管辖范围)", field="host_unit")
    return orgs[0]


def file_difference(session: Session, principal: Principal, report_id: int, diff_id: int,
                    reason: str | None, override_reason: str | None = None) -> Filing:
    """One step from a difference to the filing that adopts the national value (then approved as usual).
    `override_reason` records why an inventory rule is set aside, as on any other filing."""
    diff = get_difference(session, principal, report_id, diff_id, lock=True)
    if diff.filing_id is not None:
        raise conflict("already_filed", f"该差异已生成备案 (id {diff.filing_id})", filing_id=diff.filing_id)
    kind = suggested_filing(diff)
    national = diff.national or {}
    reason = reason or f"对账差异 #{diff.id}：{KIND_LABELS[diff.kind]}，按国家系统登记信息备案"
    if kind is None:
        raise conflict("not_fileable", "该差异应以重新报送国家系统处理：POST …/differences/{id}/push",
                       kind=diff.kind)
    if kind == FilingKind.open:
        host = _org_by_name(session, principal, national.get("host_unit"))
        supervising = (_org_by_name(session, principal, national["supervising_unit"])
                       if national.get("supervising_unit") else host)
        if diff.subject_kind == SubjectKind.site:
            data: Any = SiteCreate(name=national.get("name") or "", homepage_url=national.get("homepage_url") or "",
                                   kind=national.get("site_kind") or "department",
                                   site_code=national.get("site_code"), icp_number=national.get("icp_number"),
                                   psb_number=national.get("psb_number"), has_badge=bool(national.get("has_badge")),
                                   host_org_id=host.id, supervising_org_id=supervising.id,
                                   override_reason=override_reason or reason)
            filing = filings.open_site(session, principal, data)
        else:
            data = AccountCreate(platform=national.get("platform") or "other",
                                 platform_id=national.get("platform_id") or "",
                                 registered_name=national.get("name") or "", host_org_id=host.id,
                                 supervising_org_id=supervising.id, interaction_url=national.get("interaction_url"),
                                 override_reason=override_reason or reason)
            filing = filings.open_account(session, principal, data)
    else:
        assert diff.subject_id is not None
        if kind == FilingKind.rename:
            payload: dict[str, Any] = {"new_name": national.get("name") or diff.theirs}
            if diff.subject_kind == SubjectKind.site and national.get("homepage_url"):
                payload["new_homepage_url"] = national["homepage_url"]
        elif kind == FilingKind.close:
            payload = {"closure_notice_on": national.get("closure_notice_on") or filings.today().isoformat()}
            if diff.subject_kind == SubjectKind.site and national.get("migration_target_url"):
                payload["migration_target_url"] = national["migration_target_url"]
        elif diff.field == "host_unit":
            payload = {"host_org_id": _org_by_name(session, principal, diff.theirs).id}
        else:
            payload = {diff.field: diff.theirs}
        filing = filings.file_change(session, principal, diff.subject_kind, diff.subject_id,
                                     FilingCreate(kind=kind, payload=payload, reason=reason,
                                                  override_reason=override_reason))
    diff = session.get(Difference, diff_id)
    diff.filing_id = filing.id
    session.add(diff)
    session.commit()
    return filing


def push_difference(session: Session, principal: Principal, report_id: int, diff_id: int) -> Difference:
    """Correct the national side: a fresh push of the registry's current record."""
    diff = get_difference(session, principal, report_id, diff_id, lock=True)
    if diff.subject_id is None:
        raise conflict("not_pushable", "本系统无此记录，无法报送；请用 …/file 生成开设备案")
    row = outbox.push_again(session, principal, diff.subject_kind, diff.subject_id)
    session.flush()
    diff.outbox_id = row.id
    session.add(diff)
    session.commit()
    session.refresh(diff)
    return diff


def export_xlsx(session: Session, principal: Principal, report_id: int) -> bytes:
    rows, _ = differences(session, principal, report_id, None)
    headers = ["序号", "差异类型", "对象类型", "本系统ID", "名称", "字段", "本系统", "国家系统", "建议备案", "已生成备案"]
    return write_xlsx("对账差异", headers, (
        [i, KIND_LABELS[d.kind], "网站" if d.subject_kind == SubjectKind.site else "新媒体账号", d.subject_id or "",
         d.name, FIELD_LABELS.get(d.field or "", d.field or ""), _value_label(d, d.ours),
         _value_label(d, d.theirs), suggested_label(d), d.filing_id or ""] for i, d in enumerate(rows, 1)))
