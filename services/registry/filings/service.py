"""Filing operations: open a subject, file a change, attach evidence, approve, reject, withdraw."""
from datetime import date, timedelta

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from services.common import s3
from services.common.auth import SUPERVISORS, Principal
from services.common.clock import beijing_today
from services.common.errors import ApiError, conflict, forbidden, not_found
from services.common.files import EVIDENCE_TYPES, check_upload
from services.common.scope import scope_filter
from services.common.settings import get_settings
from services.registry.accounts.models import STATE_LABELS as ACCOUNT_STATE_LABELS
from services.registry.accounts import qrcode
from services.registry.accounts.models import Account, AccountCreate
from services.registry.audit import service as audit
from services.registry.filings import flows, rules
from services.registry.filings.lifecycle import CLOSURE_NOTICE_DAYS, allowed_kinds, transition
from services.registry.filings.models import (
    EVIDENCE_LABELS, KIND_LABELS, EvidenceKind, Filing, FilingCreate, FilingEvidence, FilingKind, FilingState, SubjectKind,
)
from services.registry.listing import order_by, paginate, search_clause
from services.registry.models_base import utcnow
from services.registry.orgs.models import Organisation
from services.registry.orgs.service import get_visible
from services.registry.sites.models import STATE_LABELS as SITE_STATE_LABELS
from services.registry.sites.models import Site, SiteColumn, SiteCreate, SiteKind, within_prefix

# The filing list's sortable columns (its table's main columns); anything else is a zh-CN 422.
SORTS = {"id", "subject_name", "kind", "state", "requested_at", "decided_at"}
MODELS: dict[SubjectKind, type[Site] | type[Account]] = {SubjectKind.site: Site, SubjectKind.account: Account}
STATE_LABELS = {FilingState.pending: "待审批", FilingState.approved: "已批准", FilingState.rejected: "已驳回",
                FilingState.withdrawn: "已撤回"}


def today() -> date:
    """Calendar days of filings (closure notices) are Beijing days."""
    return beijing_today()


def subject_name(subject: Site | Account) -> str:
    return subject.name if isinstance(subject, Site) else subject.registered_name


def get_subject(session: Session, principal: Principal, kind: SubjectKind, subject_id: int) -> Site | Account:
    subject = session.get(MODELS[kind], subject_id)
    if subject is None or not principal.sees(subject.org_path):
        raise not_found("网站" if kind == SubjectKind.site else "新媒体账号")
    return subject


def _validated(model: type[BaseModel], payload: dict) -> BaseModel:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "payload." + ".".join(str(p) for p in first["loc"])
        raise ApiError(422, "validation_error", f"备案内容有误: {field}: {first['msg']}", field=field,
                       errors=[{"field": "payload." + ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                               for e in exc.errors()]) from exc


def _new_filing(session: Session, principal: Principal, subject_kind: SubjectKind, subject: Site | Account,
                kind: FilingKind, payload: dict, reason: str | None, override_reason: str | None) -> Filing:
    supervising = session.get(Organisation, subject.supervising_org_id)
    assert supervising is not None
    filing = Filing(subject_kind=subject_kind, subject_id=subject.id, subject_name=subject_name(subject),
                    kind=kind, payload=payload, reason=reason, override_reason=override_reason,
                    org_path=subject.org_path, supervising_path=supervising.path,
                    requested_by=principal.sub, requested_by_name=principal.name)
    session.add(filing)
    session.flush()
    audit.record(session, principal, f"filing.{kind.value}", "filing", filing.id, filing.org_path,
                 after=audit.snapshot(filing))
    return filing


def open_site(session: Session, principal: Principal, data: SiteCreate) -> Filing:
    host = get_visible(session, principal, data.host_org_id)
    rules.host_and_supervisor(session, host, data.supervising_org_id)
    rules.ensure_unique_site_code(session, data.site_code)
    if data.kind == SiteKind.column:
        rules.check_column_host(session, data.host_site_id, data.url_prefix)
    rules.enforce(rules.site_rule_violations(session, host, data.homepage_url, kind=data.kind), data.override_reason)
    site = Site.model_validate(data, update={"org_path": host.path, "columns": []})
    site.columns = [SiteColumn(**c.model_dump()) for c in data.columns]
    session.add(site)
    session.flush()
    audit.record(session, principal, "site.create", "site", site.id, site.org_path, after=audit.snapshot(site))
    filing = _new_filing(session, principal, SubjectKind.site, site, FilingKind.open, {}, None, data.override_reason)
    session.commit()
    return filing


def open_account(session: Session, principal: Principal, data: AccountCreate) -> Filing:
    host = get_visible(session, principal, data.host_org_id)
    rules.host_and_supervisor(session, host, data.supervising_org_id)
    rules.ensure_unique_platform_id(session, data.platform, data.platform_id)
    rules.enforce(rules.account_rule_violations(session, host, data.platform), data.override_reason)
    qr = qrcode.uploaded(data.qr_code_sha256) if data.qr_code_sha256 else None
    account = Account.model_validate(data, update={"org_path": host.path,
                                                   "qr_code_type": qr.content_type if qr else None})
    session.add(account)
    session.flush()
    audit.record(session, principal, "account.create", "account", account.id, account.org_path,
                 after=audit.snapshot(account))
    filing = _new_filing(session, principal, SubjectKind.account, account, FilingKind.open, {}, None,
                         data.override_reason)
    session.commit()
    return filing


def _check_transition(session: Session, subject_kind: SubjectKind, subject: Site | Account,
                      kind: FilingKind) -> None:
    step = transition(subject_kind, kind)
    if step is None or subject.state not in step.sources:
        allowed = allowed_kinds(subject_kind, subject.state)
        state = (SITE_STATE_LABELS if subject_kind == SubjectKind.site else ACCOUNT_STATE_LABELS)[subject.state]
        allowed_text = "、".join(KIND_LABELS[FilingKind(k)] for k in allowed) or "无"
        raise conflict("illegal_transition", f"当前状态为{state}，不能办理{KIND_LABELS[kind]}备案；可办理：{allowed_text}",
                       state=subject.state, allowed=allowed)


def _check_payload_rules(session: Session, principal: Principal, subject_kind: SubjectKind,
                         subject: Site | Account, kind: FilingKind, payload: dict, override: str | None) -> None:
    """Rules that depend on the payload: identifiers stay unique, hosts stay in scope, notice periods."""
    if payload.get("qr_code_sha256"):
        if isinstance(subject, Site):
            raise ApiError(422, "qr_code_not_for_sites", "只有政务新媒体账号需要上传二维码", field="payload.qr_code_sha256")
        qrcode.uploaded(payload["qr_code_sha256"], field="payload.qr_code_sha256")
    if kind == FilingKind.rename and isinstance(subject, Site) and payload.get("new_homepage_url"):
        problems = [p for p in rules.site_rule_violations(session, session.get(Organisation, subject.host_org_id),
                                                           payload["new_homepage_url"], subject.id)
                    if p["rule"] == "gov_domain"]
        rules.enforce(problems, override)
        if subject.kind == SiteKind.column and not within_prefix(payload["new_homepage_url"], subject.url_prefix or ""):
            raise ApiError(422, "outside_prefix", f"专栏入口网址应在其网址前缀（{subject.url_prefix}）之下",
                           field="new_homepage_url")
    if kind == FilingKind.change:
        host = get_visible(session, principal, payload.get("host_org_id") or subject.host_org_id)
        rules.host_and_supervisor(session, host, payload.get("supervising_org_id") or subject.supervising_org_id)
        if isinstance(subject, Site):
            rules.ensure_unique_site_code(session, payload.get("site_code"), subject.id)
            kind = payload.get("kind")
            if kind is not None and kind not in {k.value for k in SiteKind}:
                raise ApiError(422, "invalid_kind", "网站类型应为政府门户网站、部门网站或信息公开专栏", field="kind")
            if kind is not None and kind != subject.kind and SiteKind.column in (kind, subject.kind):
                # A 专栏 is scoped by its host and prefix, which a change filing does not carry.
                raise ApiError(422, "column_kind_fixed", "信息公开专栏与网站之间不能变更类型，请办理注销后重新登记",
                               field="kind")
            if payload.get("host_org_id"):
                rules.enforce([p for p in rules.site_rule_violations(session, host, subject.homepage_url, subject.id,
                                                                     kind=subject.kind)
                               if p["rule"] != "gov_domain"], override)
        else:
            if payload.get("platform_id"):
                rules.ensure_unique_platform_id(session, subject.platform, payload["platform_id"], subject.id)
            if payload.get("host_org_id"):
                rules.enforce(rules.account_rule_violations(session, host, subject.platform, subject.id), override)
    if kind == FilingKind.offline:
        earliest = (subject.closure_notice_on or today()) + timedelta(days=CLOSURE_NOTICE_DAYS)
        if today() < earliest:
            raise conflict("closure_notice_period",
                           f"关停公告须在原首页保留不少于{CLOSURE_NOTICE_DAYS}天，最早可于 {earliest.isoformat()} 下线",
                           earliest=earliest.isoformat())


def file_change(session: Session, principal: Principal, subject_kind: SubjectKind, subject_id: int,
                data: FilingCreate) -> Filing:
    subject = get_subject(session, principal, subject_kind, subject_id)
    if data.kind == FilingKind.import_:
        raise ApiError(422, "invalid_kind", "import 备案只能通过批量导入产生", field="kind")
    _check_transition(session, subject_kind, subject, data.kind)
    step = transition(subject_kind, data.kind)
    assert step is not None
    payload = _validated(step.payload, data.payload).model_dump(mode="json", exclude_none=True)
    pending = session.exec(select(Filing.id).where(
        Filing.subject_kind == subject_kind, Filing.subject_id == subject.id,
        Filing.state == FilingState.pending)).first()
    if pending is not None:
        raise conflict("filing_pending", f"该对象已有待审批的备案 (id {pending})，请先处理", filing_id=pending)
    _check_payload_rules(session, principal, subject_kind, subject, data.kind, payload, data.override_reason)
    filing = _new_filing(session, principal, subject_kind, subject, data.kind, payload, data.reason,
                         data.override_reason)
    session.commit()
    return filing


def get_filing(session: Session, principal: Principal, filing_id: int) -> Filing:
    filing = session.get(Filing, filing_id)
    if filing is None or not principal.sees(filing.org_path):
        raise not_found("备案")
    return filing


def evidence_of(session: Session, filing_id: int) -> list[FilingEvidence]:
    return list(session.exec(select(FilingEvidence).where(FilingEvidence.filing_id == filing_id)
                             .order_by(FilingEvidence.id)).all())


def required_evidence(filing: Filing) -> list[EvidenceKind]:
    step = transition(filing.subject_kind, filing.kind)
    return list(step.evidence) if step else []


def missing_evidence(session: Session, filing: Filing) -> list[EvidenceKind]:
    have = {e.kind for e in evidence_of(session, filing.id)}
    return [k for k in required_evidence(filing) if k not in have]


def add_evidence(session: Session, principal: Principal, filing_id: int, kind: EvidenceKind,
                 filename: str | None, data: bytes | None) -> FilingEvidence:
    filing = get_filing(session, principal, filing_id)
    if filing.state != FilingState.pending:
        raise conflict("filing_decided", f"该备案{STATE_LABELS[filing.state]}，不能再上传材料", state=filing.state,
                       state_label=STATE_LABELS[filing.state])
    file_type, name = check_upload(data, filename, EVIDENCE_TYPES, get_settings().evidence_max_bytes)
    assert data is not None
    stored = s3.put_bytes(get_settings().bucket_evidence, data, file_type.mime, prefix="filings/sha256/")
    evidence = FilingEvidence(filing_id=filing.id, kind=kind, filename=name, content_type=file_type.mime,
                              size=stored.size, sha256=stored.sha256, object_key=stored.key,
                              uploaded_by=principal.sub)
    session.add(evidence)
    session.flush()
    audit.record(session, principal, "filing.evidence", "filing", filing.id, filing.org_path,
                 after=audit.snapshot(evidence))
    session.commit()
    session.refresh(evidence)
    return evidence


def _locked_filing(session: Session, principal: Principal, filing_id: int) -> Filing:
    """The filing row locked (FOR UPDATE) and re-read for this transaction: concurrent decisions of one
    filing queue here, and each sees the state the one before it committed, so a filing is decided once."""
    filing = session.get(Filing, filing_id, with_for_update=True, populate_existing=True)
    if filing is None or not principal.sees(filing.org_path):
        raise not_found("备案")
    return filing


def _ensure_pending(filing: Filing) -> None:
    if filing.state != FilingState.pending:
        raise conflict("filing_decided", f"该备案{STATE_LABELS[filing.state]}，不能再次处理", state=filing.state,
                       state_label=STATE_LABELS[filing.state])


def _decidable(session: Session, principal: Principal, filing_id: int) -> Filing:
    filing = _locked_filing(session, principal, filing_id)
    if principal.role not in SUPERVISORS or not principal.sees(filing.supervising_path):
        raise forbidden("只有主管单位的监管员可以审批该备案 (only the supervising tier can decide)")
    if filing.requested_by == principal.sub:  # separation of duties: another supervisor decides
        raise ApiError(403, "self_decision", "不能审批自己提交的备案，请由主管单位的其他监管员审批")
    _ensure_pending(filing)
    return filing


def approve(session: Session, principal: Principal, filing_id: int, note: str | None) -> Filing:
    filing = _decidable(session, principal, filing_id)
    subject = session.get(MODELS[filing.subject_kind], filing.subject_id, with_for_update=True)
    assert subject is not None
    _check_transition(session, filing.subject_kind, subject, filing.kind)
    missing = missing_evidence(session, filing)
    if missing:
        raise conflict("evidence_missing", f"缺少证明材料：{'、'.join(EVIDENCE_LABELS[m] for m in missing)}",
                       missing=[m.value for m in missing])
    _check_payload_rules(session, principal, filing.subject_kind, subject, filing.kind, filing.payload,
                         filing.override_reason)
    before = audit.snapshot(subject)
    flows.apply_approved(session, filing, subject)
    filing.state, filing.decided_by, filing.decided_by_name = FilingState.approved, principal.sub, principal.name
    filing.decided_at, filing.decision_note = utcnow(), note
    audit.record(session, principal, "filing.approve", "filing", filing.id, filing.org_path, note=note,
                 after=audit.snapshot(filing))
    audit.record(session, principal, f"{filing.subject_kind.value}.{filing.kind.value}", filing.subject_kind.value,
                 subject.id, subject.org_path, before=before, after=audit.snapshot(subject))
    session.commit()
    session.refresh(filing)
    return filing


def reject(session: Session, principal: Principal, filing_id: int, note: str) -> Filing:
    filing = _decidable(session, principal, filing_id)
    before = audit.snapshot(filing)
    filing.state, filing.decided_by, filing.decided_by_name = FilingState.rejected, principal.sub, principal.name
    filing.decided_at, filing.decision_note = utcnow(), note
    audit.record(session, principal, "filing.reject", "filing", filing.id, filing.org_path, note=note,
                 before=before, after=audit.snapshot(filing))
    session.commit()
    session.refresh(filing)
    return filing


def withdraw(session: Session, principal: Principal, filing_id: int) -> Filing:
    filing = _locked_filing(session, principal, filing_id)
    if filing.requested_by != principal.sub and principal.role not in SUPERVISORS:
        raise forbidden("只有提交人可以撤回备案 (only the requester can withdraw)")
    _ensure_pending(filing)
    before = audit.snapshot(filing)
    filing.state = FilingState.withdrawn
    audit.record(session, principal, "filing.withdraw", "filing", filing.id, filing.org_path,
                 before=before, after=audit.snapshot(filing))
    session.commit()
    session.refresh(filing)
    return filing


def list_filings(session: Session, principal: Principal, *, state: FilingState | None, kind: FilingKind | None,
                 subject_kind: SubjectKind | None, subject_id: int | None, q: str | None,
                 awaiting_me: bool, sort: str, limit: int, offset: int) -> tuple[list[Filing], int]:
    query = select(Filing).where(scope_filter(Filing.org_path, principal))
    if state:
        query = query.where(Filing.state == state)
    if kind:
        query = query.where(Filing.kind == kind)
    if subject_kind:
        query = query.where(Filing.subject_kind == subject_kind)
    if subject_id is not None:
        query = query.where(Filing.subject_id == subject_id)
    if q:
        query = query.where(search_clause(q, Filing.subject_name))
    if awaiting_me:
        # The approval queue: pending filings this supervisor's tier decides.
        query = query.where(Filing.state == FilingState.pending,
                            scope_filter(Filing.supervising_path, principal))
    return paginate(session, query, order_by(Filing, sort, SORTS), limit, offset)
