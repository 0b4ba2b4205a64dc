"""Builds the demo tree through the same service code the API uses (import filings, audit rows)."""
import time

from sqlmodel import Session, select

from services.common.auth import Principal, Role
from services.common.s3 import ensure_buckets
from services.common.settings import get_settings, require_client_secrets
from services.registry.accounts.models import Account, AccountState, Platform
from services.registry.audit import service as audit
from services.registry.auth.service import hash_secret, revoke_tokens, verify_secret
from services.registry.demo import data
from services.registry.filings.models import SubjectKind
from services.registry.imports.service import _create_all
from services.registry.orgs.models import Organisation, OrgKind
from services.registry.orgs.service import create_root
from services.registry.sites.models import Site, SiteColumn, SiteKind, SiteState
from services.registry.users.models import ApiClient, User

DEFAULT_PASSWORD = "Govwatch@2024"
DEMO_NOTE = "演示数据：站点部署在本机测试站群（回环地址），非 .gov.cn 域名"


def _system(root: Organisation) -> Principal:
    now = int(time.time())
    return Principal(sub="system:demo", org_id=root.id, org_path=root.path, role=Role.admin, jti="demo",
                     iat=now, exp=now + 60, name="演示数据加载")


def _farm_sites(manifest: dict | None, names: list[str]) -> dict[str, dict]:
    """Pair demo sites with the farm's: same name first (the farm plays seed 004's failing units), then
    the rest in order. The registry then holds what the farm serves (URL, codes, columns)."""
    if not manifest:
        return {}
    farm = list(manifest["sites"])
    paired = {s["name"]: s for s in farm if s["name"] in names}
    rest = iter(s for s in farm if s["name"] not in paired)
    for name in names:
        if name not in paired:
            site = next(rest, None)
            if site is None:
                break
            paired[name] = site
    return paired


def ensure_service_clients(session: Session, root: Organisation) -> None:
    """The checker's and the reporting service's clients at the registry, with the secrets the settings
    hold (./infra/up and ./infra/test generate them). A client whose stored secret differs (an installation
    loaded with an older, or the once well-known default, secret) is re-keyed and its tokens revoked."""
    settings = get_settings()
    require_client_secrets("service_client_secret", "reporting_client_secret", settings=settings)
    for client_id, name, secret in ((settings.service_client_id, "检查服务", settings.service_client_secret),
                                    (settings.reporting_client_id, "通报整改服务", settings.reporting_client_secret)):
        client = session.exec(select(ApiClient).where(ApiClient.client_id == client_id)).first()
        if client is None:
            session.add(ApiClient(client_id=client_id, name=name, org_id=root.id, role=Role.service,
                                  secret_hash=hash_secret(secret)))
        elif not verify_secret(client.secret_hash, secret):
            client.secret_hash = hash_secret(secret)
            revoke_tokens(session, client)
            audit.record(session, _system(root), "client.rekey", "api_client", client.id, root.path,
                         note="演示环境加载：服务客户端密钥更换为本机生成的密钥")
    session.flush()


def _demo_columns(session: Session, system: Principal, orgs: dict[str, Organisation], portal: Site,
                  served: list[dict]) -> None:
    """Departments' 信息公开专栏 on the city portal, as the farm serves them (`--columns`): one with a serious
    error. Only with the farm (tests load the demo without it and count seed 004's sites)."""
    city = orgs["渭南市"]
    columns = [Site(name=c["name"], homepage_url=portal.homepage_url.rstrip("/") + c["path"], kind=SiteKind.column,
                    host_site_id=portal.id, url_prefix=portal.homepage_url.rstrip("/") + c["path"],
                    has_badge=True, host_org_id=orgs[c["org"]].id, supervising_org_id=city.id,
                    org_path=orgs[c["org"]].path, state=SiteState.active, rule_override_reason=DEMO_NOTE)
               for c in served if c.get("org") in orgs]
    _create_all(session, system, "demo".encode(), "演示数据-信息公开专栏.xlsx", SubjectKind.site, columns)


def load(session: Session, password: str = DEFAULT_PASSWORD, site_url: str = "http://127.0.1.{n}:8090/",
         farm_manifest: dict | None = None) -> bool:
    root = session.exec(select(Organisation).where(Organisation.parent_id.is_(None))).first()
    if root is not None:
        ensure_service_clients(session, root)  # an installation loaded before a service had its own client
        session.commit()
        return False
    ensure_buckets(get_settings().bucket_evidence)
    province = create_root(session, "陕西省", OrgKind.province, "610000")
    orgs: dict[str, Organisation] = {"陕西省": province}

    def add(name: str, kind: OrgKind, parent: str, code: str | None = None) -> Organisation:
        parent_org = orgs[parent]
        org = Organisation(name=name, kind=kind, parent_id=parent_org.id, region_code=code or parent_org.region_code)
        session.add(org)
        session.flush()
        org.path = f"{parent_org.path}{org.id}/"
        orgs[name] = org
        return org

    add("渭南市", OrgKind.city, "陕西省", "610500")
    for name in data.CITY_DEPARTMENTS + data.CITY_OTHER_UNITS:
        add(name, OrgKind.department, "渭南市")
    for county, code, _ in data.COUNTIES:
        add(county, OrgKind.county, "渭南市", code)
        for dept in data.COUNTY_DEPARTMENTS.get(county, []):
            add(dept, OrgKind.department, county)
        for town in data.TOWNSHIPS.get(county, []):
            add(town, OrgKind.township, county, code)
    for parent, units in data.SUB_UNITS.items():
        for unit in units:
            add(unit, OrgKind.department, parent)

    for username, display, unit, role in data.USERS:
        session.add(User(username=username, display_name=display, org_id=orgs[unit].id, role=Role(role),
                         password_hash=hash_secret(password)))
    ensure_service_clients(session, province)

    system = _system(province)
    sites: list[Site] = []
    farm = _farm_sites(farm_manifest, ["渭南市人民政府", *data.CITY_DEPARTMENTS, *(f"{c}人民政府" for c, _, _ in data.COUNTIES),
                                       *data.COUNTY_DEPARTMENT_SITES])

    def site(name: str, host: str, supervising: str, kind: SiteKind) -> None:
        n = len(sites) + 1
        served = farm.get(name)
        facts = served["registry"] if served else {}
        record = Site(name=name, homepage_url=served["url"] if served else site_url.format(n=n), kind=kind,
                      site_code=facts.get("site_code") or f"6105{n:06d}",
                      icp_number=facts.get("icp_number") or f"陕ICP备{12000000 + n}号",
                      psb_number=facts.get("psb_number") or f"陕公网安备 610502020{n:05d}号",
                      has_badge=True, host_org_id=orgs[host].id, supervising_org_id=orgs[supervising].id,
                      org_path=orgs[host].path, state=SiteState.active, rule_override_reason=DEMO_NOTE)
        record.columns = [SiteColumn(name=c["name"], url=c["url"], category=c["category"],
                                     should_update=c.get("should_update", True)) for c in facts.get("columns", [])]
        sites.append(record)

    site("渭南市人民政府", "渭南市", "渭南市", SiteKind.portal)
    for dept in data.CITY_DEPARTMENTS:
        site(dept, dept, "渭南市", SiteKind.department)
    for county, _, _ in data.COUNTIES:
        site(f"{county}人民政府", county, "渭南市", SiteKind.portal)
    for dept in data.COUNTY_DEPARTMENT_SITES:
        county = next(c for c, depts in data.COUNTY_DEPARTMENTS.items() if dept in depts)
        site(dept, dept, county, SiteKind.department)
    _create_all(session, system, "demo".encode(), "演示数据-政府网站.xlsx", SubjectKind.site, sites)
    if farm_manifest and farm_manifest.get("columns"):
        _demo_columns(session, system, orgs, next(s for s in sites if s.name == "渭南市人民政府"),
                      farm_manifest["columns"])

    accounts: list[Account] = []
    taken: set[tuple[str, int]] = set()

    def interaction_url(name: str, platform: str) -> str | None:
        # Seed 004's accounts without any interaction function have no channel on record either.
        if "account_no_interaction" in data.SEED_ACCOUNT_PROBLEMS.get(name, ()):
            return None
        return f"http://127.0.0.1:8095/interact/{data.platform_id(platform, name)}"

    def account(name: str, platform: str, host: str) -> None:
        org = orgs[host]
        if (platform, org.id) in taken:
            return
        taken.add((platform, org.id))
        supervising = orgs[next((c for c, _, _ in data.COUNTIES if org.path.startswith(orgs[c].path)), "渭南市")]
        accounts.append(Account(registered_name=name, platform=Platform(platform),
                                platform_id=data.platform_id(platform, name), host_org_id=org.id,
                                supervising_org_id=supervising.id, org_path=org.path, state=AccountState.active,
                                interaction_url=interaction_url(name, platform)))

    for name, platform, host, _ in data.NAMED_ACCOUNTS:
        account(name, platform, host)
    account("渭南发布", "wechat_subscription", "渭南市")
    account("渭南发布", "weibo", "渭南市")
    account("渭南发布", "douyin", "渭南市")
    for county, _, _ in data.COUNTIES:
        short = county[:-1] if county.endswith(("区", "县")) else county
        account(f"{short}发布", "wechat_subscription", county)
        account(f"{short}发布", "weibo", county)
        account(f"{short}发布", "toutiao", county)
    for dept in data.CITY_DEPARTMENTS:
        account(dept, "wechat_subscription", dept)
    _create_all(session, system, "demo".encode(), "演示数据-政务新媒体.xlsx", SubjectKind.account, accounts)
    return True
