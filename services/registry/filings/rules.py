"""Inventory rules checked when a subject is opened or changed. Each may be overridden with a
recorded reason (the national rules say "in principle"), except uniqueness of identifiers."""
from urllib.parse import urlsplit

from sqlmodel import Session, select

from services.common.errors import ApiError, conflict
from services.registry.accounts.models import Account, AccountState, Platform
from services.registry.orgs.models import Organisation, OrgKind
from services.registry.sites.models import Site, SiteKind, SiteState, within_prefix

SITE_LIVE = [SiteState.pending_open, SiteState.active, SiteState.suspended, SiteState.closing]
ACCOUNT_LIVE = [AccountState.pending_open, AccountState.active, AccountState.suspended, AccountState.closing]


def site_rule_violations(session: Session, host: Organisation, homepage_url: str,
                         exclude_id: int | None = None, kind: SiteKind = SiteKind.department) -> list[dict[str, str]]:
    """A 专栏 (kind column) lives on its host's domain and is counted apart: one 专栏 per unit in principle, and
    a unit with a site of its own may also have one (townships too: theirs are on the county's portal)."""
    problems: list[dict[str, str]] = []
    host_name = (urlsplit(homepage_url).hostname or "").lower()
    if not (host_name.endswith(".gov.cn") or host_name.endswith(".政务") or host_name.endswith(".xn--zfr164b")):
        problems.append({"rule": "gov_domain",
                         "message": f"政府网站应使用 .gov.cn 或 .政务 域名 ({host_name or homepage_url})"})
    column = kind == SiteKind.column
    if host.kind != OrgKind.township or column:
        query = select(Site.id, Site.name).where(Site.host_org_id == host.id, Site.state.in_(SITE_LIVE),
                                                 (Site.kind == SiteKind.column) if column else
                                                 (Site.kind != SiteKind.column))
        if exclude_id is not None:
            query = query.where(Site.id != exclude_id)
        existing = session.exec(query).first()
        if existing and column:
            problems.append({"rule": "one_column_per_unit",
                             "message": f"{host.name} 已有信息公开专栏「{existing[1]}」(id {existing[0]})，原则上一个单位只开设一个专栏"})
        elif existing:
            problems.append({"rule": "one_site_per_unit",
                             "message": f"{host.name} 已有网站「{existing[1]}」(id {existing[0]})，原则上一个单位只开设一个网站"})
    else:
        problems.append({"rule": "township_no_site", "message": "乡镇（街道）原则上不单独开设政府网站"})
    return problems


def check_column_host(session: Session, host_site_id: int | None, url_prefix: str | None,
                      exclude_id: int | None = None) -> Site:
    """A 专栏's host is a running site (not another 专栏) whose domain the prefix is on, and no other running 专栏
    has the same prefix. Not overridable: a 专栏 outside its host's domain would be crawled as nobody's pages."""
    host = session.get(Site, host_site_id) if host_site_id is not None else None
    if host is None or host.kind == SiteKind.column or host.state not in SITE_LIVE:
        raise ApiError(422, "unknown_host_site", "所在网站不存在、已关停或本身是专栏，请选择登记在运行的网站",
                       field="host_site_id")
    if not url_prefix or not within_prefix(url_prefix, f"{urlsplit(host.homepage_url).scheme}://"
                                                       f"{urlsplit(host.homepage_url).netloc}/"):
        raise ApiError(422, "prefix_off_host", f"网址前缀应在所在网站「{host.name}」的域名"
                       f"（{urlsplit(host.homepage_url).hostname}）之下", field="url_prefix")
    query = select(Site.id, Site.name).where(Site.kind == SiteKind.column, Site.url_prefix == url_prefix,
                                             Site.state.in_(SITE_LIVE))
    if exclude_id is not None:
        query = query.where(Site.id != exclude_id)
    if (same := session.exec(query).first()) is not None:
        raise conflict("duplicate_prefix", f"该网址前缀已登记为专栏「{same[1]}」", field="url_prefix")
    return host


def account_rule_violations(session: Session, host: Organisation, platform: Platform,
                            exclude_id: int | None = None) -> list[dict[str, str]]:
    query = select(Account.id, Account.registered_name).where(
        Account.host_org_id == host.id, Account.platform == platform, Account.state.in_(ACCOUNT_LIVE))
    if exclude_id is not None:
        query = query.where(Account.id != exclude_id)
    existing = session.exec(query).first()
    if existing:
        return [{"rule": "one_account_per_platform",
                 "message": f"{host.name} 在该平台已有账号「{existing[1]}」(id {existing[0]})，原则上一个单位在同一平台只开设一个账号"}]
    return []


def enforce(problems: list[dict[str, str]], override_reason: str | None) -> None:
    if problems and not (override_reason and override_reason.strip()):
        raise conflict("rule_violation", "；".join(p["message"] for p in problems)
                       + "。如确需开设，请填写 override_reason 说明理由。", rules=problems)


def ensure_unique_site_code(session: Session, site_code: str | None, exclude_id: int | None = None) -> None:
    if not site_code:
        return
    query = select(Site.id).where(Site.site_code == site_code)
    if exclude_id is not None:
        query = query.where(Site.id != exclude_id)
    if session.exec(query).first() is not None:
        raise conflict("duplicate_site_code", f"网站标识码已被使用: {site_code}", field="site_code")


def ensure_unique_platform_id(session: Session, platform: Platform, platform_id: str,
                              exclude_id: int | None = None) -> None:
    query = select(Account.id).where(Account.platform == platform, Account.platform_id == platform_id)
    if exclude_id is not None:
        query = query.where(Account.id != exclude_id)
    if session.exec(query).first() is not None:
        raise conflict("duplicate_platform_id", f"该平台账号ID已登记: {platform_id}", field="platform_id")


def host_and_supervisor(session: Session, visible_host: Organisation, supervising_org_id: int) -> Organisation:
    supervising = session.get(Organisation, supervising_org_id)
    if supervising is None:
        raise ApiError(422, "unknown_org", f"主管单位不存在: {supervising_org_id}", field="supervising_org_id")
    if not visible_host.path.startswith(supervising.path):
        raise ApiError(422, "supervisor_not_ancestor",
                       "主管单位应为主办单位本身或其上级 (supervising unit must be the host or an ancestor)",
                       field="supervising_org_id")
    return supervising
