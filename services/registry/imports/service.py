"""Bulk import of an existing inventory (all rows or none) and export of any filtered list."""
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from services.common import s3
from services.common.auth import Principal
from services.common.errors import ApiError
from services.common.scope import scope_filter
from services.common.settings import get_settings
from services.registry.accounts.models import PLATFORM_LABELS, Account, AccountCreate, AccountState
from services.registry.audit import service as audit
from services.registry.filings import rules
from services.registry.filings.models import EvidenceKind, Filing, FilingEvidence, FilingKind, FilingState, SubjectKind
from services.registry.imports.layouts import (
    ACCOUNT_HEADERS, ACCOUNT_STATE_LABELS, SITE_HEADERS, SITE_KIND_LABELS, SITE_STATE_LABELS, YES,
    parse_platform, parse_site_kind,
)
from services.registry.imports.tables import read_table
from services.registry.models_base import utcnow
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site, SiteCreate, SiteState
from services.registry.sync import service as sync

SITE_FIELDS = {"name": "网站名称", "homepage_url": "首页网址", "kind": "网站类型", "site_code": "网站标识码",
               "icp_number": "ICP备案号", "psb_number": "公安机关备案号", "has_badge": "党政机关网站标识",
               "host_org_id": "主办单位", "supervising_org_id": "主管单位", "responsible_person": "负责人",
               "contact_phone": "联系电话"}
ACCOUNT_FIELDS = {"registered_name": "账号名称", "platform": "账号类型", "platform_id": "账号ID",
                  "host_org_id": "主办单位", "supervising_org_id": "主管单位", "interaction_url": "互动地址",
                  "responsible_person": "负责人", "contact_phone": "联系电话"}


class ImportReport(BaseModel):
    kind: SubjectKind
    rows: int
    created: int
    dry_run: bool


class RowErrors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, column: str | None, message: str) -> None:
        self.items.append({"row": row, "column": column, "message": message})

    def raise_if_any(self, rows: int) -> None:
        if self.items:
            raise ApiError(422, "import_invalid",
                           f"导入文件有 {len(self.items)} 处错误，未导入任何记录 (nothing was imported)",
                           errors=self.items, rows=rows)


def _orgs_by_name(session: Session, principal: Principal) -> dict[str, list[Organisation]]:
    index: dict[str, list[Organisation]] = defaultdict(list)
    for org in session.exec(select(Organisation).where(scope_filter(Organisation.path, principal))).all():
        index[org.name].append(org)
    return index


def _resolve_org(index: dict[str, list[Organisation]], name: str, column: str, row: int,
                 errors: RowErrors) -> Organisation | None:
    matches = index.get(name.strip(), [])
    if len(matches) == 1:
        return matches[0]
    errors.add(row, column, f"单位「{name}」{'不存在或不在您的管辖范围' if not matches else '重名，无法确定'}")
    return None


def _validate(model: type[BaseModel], data: dict[str, Any], fields: dict[str, str], row: int,
              errors: RowErrors) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            # Our validators' zh-CN messages, without pydantic's English prefix
            errors.add(row, fields.get(str(e["loc"][0]), str(e["loc"][0])), e["msg"].removeprefix("Value error, "))
        return None


def import_sites(session: Session, principal: Principal, data: bytes, filename: str, dry_run: bool) -> ImportReport:
    rows = read_table(data, filename, ["网站名称", "首页网址", "主办单位"])
    orgs, errors = _orgs_by_name(session, principal), RowErrors()
    planned: list[tuple[SiteCreate, Organisation]] = []
    codes_in_file: set[str] = set()
    hosts_in_file: set[int] = set()
    for number, row in enumerate(rows, start=2):
        host = _resolve_org(orgs, row.get("主办单位", ""), "主办单位", number, errors)
        supervising = (_resolve_org(orgs, row["主管单位"], "主管单位", number, errors)
                       if row.get("主管单位") else host)
        kind = parse_site_kind(row.get("网站类型", "") or "部门网站")
        if kind is None and "专栏" in (row.get("网站类型") or ""):
            errors.add(number, "网站类型", "信息公开专栏须逐个登记（选择所在网站和网址前缀），不能批量导入")
        elif kind is None:
            errors.add(number, "网站类型", f"无法识别的网站类型「{row.get('网站类型')}」(政府门户网站/部门网站)")
        if host is None or supervising is None or kind is None:
            continue
        site = _validate(SiteCreate, {
            "name": row.get("网站名称", ""), "homepage_url": row.get("首页网址", ""), "kind": kind,
            "site_code": row.get("网站标识码") or None, "icp_number": row.get("ICP备案号") or None,
            "psb_number": row.get("公安机关备案号") or None,
            "has_badge": row.get("党政机关网站标识", "").strip().lower() in YES,
            "host_org_id": host.id, "supervising_org_id": supervising.id,
            "responsible_person": row.get("负责人") or None, "contact_phone": row.get("联系电话") or None,
            "override_reason": row.get("例外说明") or None}, SITE_FIELDS, number, errors)
        if site is None:
            continue
        try:
            rules.host_and_supervisor(session, host, supervising.id)
            rules.ensure_unique_site_code(session, site.site_code)
            problems = rules.site_rule_violations(session, host, site.homepage_url)
            if host.id in hosts_in_file and host.kind.value != "township":
                problems.append({"rule": "one_site_per_unit", "message": f"{host.name} 在本文件中出现多个网站"})
            rules.enforce(problems, site.override_reason)
        except ApiError as exc:
            errors.add(number, SITE_FIELDS.get(exc.detail.get("field") or "", None), exc.detail["message"])
            continue
        if site.site_code and site.site_code in codes_in_file:
            errors.add(number, "网站标识码", f"网站标识码在文件中重复: {site.site_code}")
            continue
        codes_in_file.add(site.site_code or "")
        hosts_in_file.add(host.id)
        planned.append((site, host))
    errors.raise_if_any(len(rows))
    if not dry_run:
        _create_all(session, principal, data, filename, SubjectKind.site, [
            Site.model_validate(s, update={"org_path": h.path, "state": SiteState.active, "columns": []})
            for s, h in planned])
    return ImportReport(kind=SubjectKind.site, rows=len(rows), created=0 if dry_run else len(planned),
                        dry_run=dry_run)


def import_accounts(session: Session, principal: Principal, data: bytes, filename: str,
                    dry_run: bool) -> ImportReport:
    rows = read_table(data, filename, ["账号名称", "账号类型", "账号ID", "主办单位"])
    orgs, errors = _orgs_by_name(session, principal), RowErrors()
    planned: list[tuple[AccountCreate, Organisation]] = []
    seen: set[tuple[str, str]] = set()
    per_platform_host: set[tuple[str, int]] = set()
    for number, row in enumerate(rows, start=2):
        host = _resolve_org(orgs, row.get("主办单位", ""), "主办单位", number, errors)
        supervising = (_resolve_org(orgs, row["主管单位"], "主管单位", number, errors)
                       if row.get("主管单位") else host)
        platform = parse_platform(row.get("账号类型", ""))
        if platform is None:
            errors.add(number, "账号类型", f"无法识别的账号类型「{row.get('账号类型')}」")
        if host is None or supervising is None or platform is None:
            continue
        account = _validate(AccountCreate, {
            "registered_name": row.get("账号名称", ""), "platform": platform, "platform_id": row.get("账号ID", ""),
            "host_org_id": host.id, "supervising_org_id": supervising.id,
            "interaction_url": row.get("互动地址") or None, "override_reason": row.get("例外说明") or None,
            "responsible_person": row.get("负责人") or None, "contact_phone": row.get("联系电话") or None},
            ACCOUNT_FIELDS, number, errors)
        if account is None:
            continue
        try:
            rules.host_and_supervisor(session, host, supervising.id)
            rules.ensure_unique_platform_id(session, account.platform, account.platform_id)
            problems = rules.account_rule_violations(session, host, account.platform)
            if (account.platform, host.id) in per_platform_host:
                problems.append({"rule": "one_account_per_platform",
                                 "message": f"{host.name} 在本文件中同一平台有多个账号"})
            rules.enforce(problems, account.override_reason)
        except ApiError as exc:
            errors.add(number, ACCOUNT_FIELDS.get(exc.detail.get("field") or "", None), exc.detail["message"])
            continue
        key = (account.platform.value, account.platform_id)
        if key in seen:
            errors.add(number, "账号ID", f"账号ID在文件中重复: {account.platform_id}")
            continue
        seen.add(key)
        per_platform_host.add((account.platform, host.id))
        planned.append((account, host))
    errors.raise_if_any(len(rows))
    if not dry_run:
        _create_all(session, principal, data, filename, SubjectKind.account, [
            Account.model_validate(a, update={"org_path": h.path, "state": AccountState.active}) for a, h in planned])
    return ImportReport(kind=SubjectKind.account, rows=len(rows), created=0 if dry_run else len(planned),
                        dry_run=dry_run)


def _create_all(session: Session, principal: Principal, data: bytes, filename: str, kind: SubjectKind,
                subjects: list[Site] | list[Account]) -> None:
    """One transaction: subjects, an approved import filing each with the source file as evidence, audit rows."""
    stored = s3.put_bytes(get_settings().bucket_evidence, data, "application/octet-stream", prefix="imports/sha256/")
    now = utcnow()
    for subject in subjects:
        session.add(subject)
        session.flush()
        org = session.get(Organisation, subject.supervising_org_id)
        name = subject.name if isinstance(subject, Site) else subject.registered_name
        filing = Filing(subject_kind=kind, subject_id=subject.id, subject_name=name, kind=FilingKind.import_,
                        state=FilingState.approved, payload={"source": filename}, org_path=subject.org_path,
                        supervising_path=org.path if org else subject.org_path, requested_by=principal.sub,
                        requested_by_name=principal.name, decided_by=principal.sub,
                        decided_by_name=principal.name, decided_at=now,
                        override_reason=subject.rule_override_reason)
        session.add(filing)
        session.flush()
        session.add(FilingEvidence(filing_id=filing.id, kind=EvidenceKind.other, filename=filename[:200],
                                   content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                                   object_key=stored.key, uploaded_by=principal.sub))
        sync.enqueue_filing(session, filing, subject)
        audit.record(session, principal, f"{kind.value}.import", kind.value, subject.id, subject.org_path,
                     after=audit.snapshot(subject), note=filename)
    session.commit()


def site_rows(session: Session, sites: Iterator[Site]) -> Iterator[list[Any]]:
    names = _org_names(session)
    for s in sites:
        yield [s.name, s.homepage_url, SITE_KIND_LABELS[s.kind], s.site_code or "", s.icp_number or "",
               s.psb_number or "", "是" if s.has_badge else "否", names.get(s.host_org_id, ""),
               names.get(s.supervising_org_id, ""), SITE_STATE_LABELS[s.state], s.rule_override_reason or "",
               s.responsible_person or "", s.contact_phone or ""]


def account_rows(session: Session, accounts: Iterator[Account]) -> Iterator[list[Any]]:
    names = _org_names(session)
    for a in accounts:
        yield [a.registered_name, PLATFORM_LABELS[a.platform], a.platform_id, names.get(a.host_org_id, ""),
               names.get(a.supervising_org_id, ""), a.interaction_url or "", ACCOUNT_STATE_LABELS[a.state],
               a.rule_override_reason or "", a.responsible_person or "", a.contact_phone or "",
               "已上传" if a.qr_code_sha256 else "未上传"]


def _org_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(Organisation.id, Organisation.name)).all())


EXPORTS: dict[SubjectKind, tuple[list[str], Callable[..., Iterator[list[Any]]]]] = {
    SubjectKind.site: (SITE_HEADERS, site_rows), SubjectKind.account: (ACCOUNT_HEADERS, account_rows)}
