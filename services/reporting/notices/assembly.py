"""Assembly: a completed inspection's results (checker API) + the registry's inventory → a notice draft.

`gather` does the REST calls with a service token; `build` is pure (figures, wording, tables), so the
same code path serves the API, the seed-004 test and the benchmark.
"""
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from services.common.errors import ApiError, conflict
from services.reporting.clients import ServiceClient, UpstreamError
from services.reporting.notices.models import KindFigures, NoticeContent, ProblemGroup, TableRow
from services.reporting.notices.wording import (
    PLATFORM_LABELS, SITE_KIND_LABELS, phrases_of, points, rate, short_date,
)
from services.reporting.settings import get_reporting_settings

REGION_KINDS = ("province", "city", "county", "township")
TIER = {"province": "省", "city": "市", "county": "县", "township": "乡镇"}
MAX_NAMED = 30  # units named per problem in 二、主要问题 before "等N个"


@dataclass
class Gathered:
    inspection: dict[str, Any]
    scope_org: dict[str, Any]
    results: list[dict[str, Any]]
    details: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    targets: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    sites: dict[int, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    orgs: dict[int, dict[str, Any]] = field(default_factory=dict)
    previous: dict[str, Any] | None = None
    prev_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (passed, checked)


def _upstream(exc: UpstreamError) -> ApiError:
    return ApiError(503, "upstream_unavailable", f"检查服务或登记系统暂不可用 ({exc})")


def require_completed(inspection: dict[str, Any] | None) -> dict[str, Any]:
    if inspection is None:
        raise ApiError(404, "not_found", "检查任务不存在或无权访问 (inspection not found)")
    if inspection.get("state") != "completed":
        raise conflict("inspection_not_completed",
                       f"检查任务尚未完成 ({inspection.get('state')})，不能生成或印发通报",
                       state=inspection.get("state"))
    return inspection


def find_previous(client: ServiceClient, inspection: dict[str, Any]) -> dict[str, Any] | None:
    """The latest completed inspection of the same scope organisation before this one."""
    best = None
    for item in client.inspections(state="completed", scope_org_id=inspection["scope_org_id"], sort="-now"):
        if item["id"] == inspection["id"] or item["now"] >= inspection["now"]:
            continue
        best = item
        break
    return best


def gather(client: ServiceClient, inspection_id: int, previous_id: int | None = None,
           sees: Callable[[str], bool] = lambda path: True) -> Gathered:
    """Everything a notice needs, read with the service token; `sees` is the caller's scope rule, applied
    before anything else so an inspection outside the caller's subtree answers 404 whatever its state."""
    try:
        found = client.inspection(inspection_id)
        if found is not None and not sees(found.get("scope_org_path", "")):
            found = None
        inspection = require_completed(found)
        scope = client.org(inspection["scope_org_id"]) or {"id": inspection["scope_org_id"], "name": "",
                                                           "kind": "city", "path": inspection["scope_org_path"]}
        results = list(client.results(inspection_id))
        g = Gathered(inspection=inspection, scope_org=scope, results=results)
        for target in client.targets(inspection_id):
            g.targets[(target["kind"], target["target_id"])] = target
        for row in results:
            if row.get("indicators"):
                detail = client.result(inspection_id, row["kind"], row["target_id"])
                if detail:
                    g.details[(row["kind"], row["target_id"])] = detail
        g.orgs = {o["id"]: o for o in client.orgs() if o.get("path", "").startswith(inspection["scope_org_path"])}
        g.sites = {s["id"]: s for s in client.sites(inspection["scope_org_id"])}
        g.accounts = {a["id"]: a for a in client.accounts(inspection["scope_org_id"])}
        previous = client.inspection(previous_id) if previous_id else find_previous(client, inspection)
        if previous is not None and previous.get("state") == "completed" and sees(previous["scope_org_path"]):
            g.previous = previous
            for kind in ("site", "account"):
                checked = (client.result_count(previous["id"], kind=kind, verdict="pass")
                           + client.result_count(previous["id"], kind=kind, verdict="fail"))
                g.prev_counts[kind] = (client.result_count(previous["id"], kind=kind, verdict="pass"), checked)
        return g
    except UpstreamError as exc:
        raise _upstream(exc) from exc


# ---------------------------------------------------------------------------------------------------
# Pure part


def _level(g: Gathered, org_path: str) -> str | None:
    """The region kind of the highest region below the scope organisation on this path (None: own level)."""
    below = org_path[len(g.inspection["scope_org_path"]):].strip("/")
    for part in below.split("/") if below else []:
        org = g.orgs.get(int(part)) if part.isdigit() else None
        if org and org.get("kind") in REGION_KINDS:
            return org["kind"]
    return None


def site_type(g: Gathered, row: dict[str, Any]) -> tuple[str, str]:
    """(group label for 总体情况, type printed in the table)."""
    site = g.sites.get(row["target_id"]) or {}
    kind = site.get("kind") or "department"
    level = _level(g, site.get("org_path") or row.get("org_path", ""))
    own = TIER.get(g.scope_org.get("kind", ""), "")
    if level is None:
        label = f"{own}政府门户网站" if kind == "portal" else f"{own}政府工作部门及派出机构网站"
    else:
        label = f"{TIER[level]}级政府门户网站" if kind == "portal" else f"{TIER[level]}级部门网站"
    return label, SITE_KIND_LABELS.get(kind, "部门网站")


def account_platform(g: Gathered, row: dict[str, Any]) -> str | None:
    account = g.accounts.get(row["target_id"]) or {}
    target = g.targets.get(("account", row["target_id"])) or {}
    detail = g.details.get(("account", row["target_id"])) or {}
    return account.get("platform") or target.get("platform") or (detail.get("target") or {}).get("platform")


def display_name(g: Gathered, row: dict[str, Any]) -> str:
    if row["kind"] == "site":
        return (g.sites.get(row["target_id"]) or {}).get("name") or row["name"]
    return (g.accounts.get(row["target_id"]) or {}).get("registered_name") or row["name"]


def _group_order(kind: str):  # noqa: ANN202
    if kind == "site":  # own level first, portals before departments
        return lambda x: ("级" in x["label"], "门户" not in x["label"], x["label"])
    return lambda x: (-x["total"], x["label"])


def _figures(g: Gathered, kind: str, rows: list[dict[str, Any]], group_of) -> KindFigures:  # noqa: ANN001
    groups: dict[str, Counter] = defaultdict(Counter)
    fig = KindFigures(total=len(rows))
    for row in rows:
        label = group_of(row)
        groups[label]["total"] += 1
        if row.get("verdict") == "pass":
            fig.passed += 1
            groups[label]["passed"] += 1
        elif row.get("verdict") == "fail":
            fig.failed += 1
            groups[label]["failed"] += 1
        else:
            fig.errors += 1
    fig.checked = fig.passed + fig.failed
    fig.groups = [{"label": k, **{n: v.get(n, 0) for n in ("total", "passed", "failed")}}
                  for k, v in groups.items()]
    fig.groups.sort(key=_group_order(kind))
    if kind in g.prev_counts:
        fig.prev_passed, fig.prev_checked = g.prev_counts[kind]
    return fig


def _verdict_word(row: dict[str, Any]) -> str:
    return {"pass": "合格", "fail": "不合格"}.get(row.get("verdict") or "", "未完成检查")


def _rows_and_problems(g: Gathered, kind: str, rows: list[dict[str, Any]], type_of, list_passing: bool,  # noqa: ANN001
                       problems: dict[str, list[str]]) -> list[TableRow]:
    rank = {"fail": 0, None: 1, "pass": 2}
    chosen = []
    for row in rows:
        detail = g.details.get((kind, row["target_id"]))
        findings = (detail or {}).get("findings") or []
        pairs = phrases_of(findings, verdict=row.get("verdict"))
        if row.get("verdict") == "fail" or row.get("status") == "error" or (list_passing and pairs):
            chosen.append((row, pairs))
    chosen.sort(key=lambda item: (rank.get(item[0].get("verdict"), 1), item[0]["target_id"]))
    out = []
    for n, (row, pairs) in enumerate(chosen, start=1):
        name = display_name(g, row)
        remark = "，".join(p for _, p in pairs)
        if row.get("status") == "error" and not remark:
            remark = "检查未能完成"
        out.append(TableRow(no=n, name=name, type=type_of(row), result=_verdict_word(row), remark=remark,
                            target_id=row["target_id"]))
        if row.get("verdict") == "fail":
            for group, _ in pairs:
                problems.setdefault(group, []).append(name)
    return out


def _join_groups(groups: list[dict[str, Any]], unit: str = "个") -> str:
    return "，".join(f"{x['label']}{x['total']}{unit}" for x in groups)


def overview_text(c: NoticeContent) -> str:
    d, z = c.rate_decimals, c.rate_strip_zeros
    as_of = f"截至{c.issue_date.year}年{c.issue_date.month}月"
    prev = f"较{c.previous_name}" if c.previous_name else ""
    parts = []
    for fig, what, short in ((c.sites, "政府网站", "网站"), (c.accounts, "政务新媒体", "政务新媒体")):
        if not fig.total:
            continue
        text = f"（{'一二'[len(parts)]}）{what}检查情况。{as_of}，{c.scope_name}共运行{short}{fig.total}个"
        if fig.groups:
            text += f"，其中{_join_groups(fig.groups)}"
        text += (f"。检查结果为：合格{what}{fig.passed}个，不合格{what}{fig.failed}个，"
                 f"合格率{rate(fig.passed, fig.checked, d, z)}")
        change = points((fig.passed, fig.checked), (fig.prev_passed, fig.prev_checked)
                        if fig.prev_checked else None, d, z)
        if change and prev:
            text += f"，{prev}{change}"
        text += "。"
        if fig.errors:
            text += f"另有{fig.errors}个{short}未能完成检查。"
        parts.append(text)
    return "\n".join(parts)


def problems_text(c: NoticeContent) -> str:
    lines = []
    heads = 0
    for kind, what in (("site", "政府网站"), ("account", "政务新媒体")):
        groups = [p for p in c.problem_groups if p.kind == kind]
        if not groups:
            continue
        lines.append(f"（{'一二'[heads]}）{what}存在的问题")
        heads += 1
        for i, group in enumerate(groups, start=1):
            named = "、".join(group.units[:MAX_NAMED])
            more = f"等{len(group.units)}个" if len(group.units) > MAX_NAMED else ""
            suffix = "网站" if kind == "site" else "账号"
            lines.append(f"{i}. {group.phrase}（{len(group.units)}个）：{named}{more}{suffix}。")
    return "\n".join(lines) or "本次检查未发现不合格情况。"


def requirements_text(c: NoticeContent) -> str:
    deadline = f"于{short_date(c.deadline)}前" if c.deadline else "限期"
    return ("各级各部门要夯实管理责任，认真做好政府网站与政务新媒体运维工作，按照“谁开设、谁负责”“谁主管、谁负责”"
            "的原则，严格执行常态化监管和信息发布审核制度，持续提升政府网站和政务新媒体服务能力。"
            f"针对存在问题立即整改，并{deadline}将整改情况书面报{c.report_to}，"
            "对逾期未整改单位将在年终绩效评估中扣除相应分值。")


def default_office(org: dict[str, Any]) -> str:
    name = org.get("name") or ""
    return f"{name}人民政府办公室" if org.get("kind") in REGION_KINDS else name


def default_addressees(org: dict[str, Any]) -> str:
    return {
        "province": "各市（区）人民政府，省人民政府各工作部门、直属机构",
        "city": "各县（市、区）人民政府，市人民政府各工作部门、直属机构",
        "county": "各乡镇人民政府（街道办事处），县人民政府各工作部门",
    }.get(org.get("kind", ""), "各有关单位")


_JOINED = ("政府网站与政务新媒体", "政府网站和政务新媒体", "政府网站和政府系统政务新媒体")
_CHECK = re.compile(r"^(.*?)((?:全面|专项|抽查|季度)?检查)$")


def named(inspection_name: str, what: str) -> str:
    """The inspection's name about `what`: 2024年第一次全面检查 → 2024年第一次政府网站全面检查 (seed 004)."""
    for joined in _JOINED:
        if joined in inspection_name:
            return inspection_name.replace(joined, what)
    match = _CHECK.match(inspection_name)
    if match and match.group(1):
        return f"{match.group(1)}{what}{match.group(2)}"
    return f"{inspection_name}{what}检查"


def _date(value: Any) -> date | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()


def build(g: Gathered, *, issue_date: date | None = None, doc_number: str | None = None,
          issuing_office: str | None = None, deadline: date | None = None,
          report_to: str | None = None) -> NoticeContent:
    rs = get_reporting_settings()
    ins = g.inspection
    issue_date = issue_date or date.today()
    office = issuing_office or default_office(g.scope_org)
    name = ins.get("name") or "政府网站与政务新媒体检查"
    title = f"{office}关于{named(name, '政府网站与政务新媒体')}情况的通报"
    sites = [r for r in g.results if r["kind"] == "site"]
    accounts = [r for r in g.results if r["kind"] == "account"]
    start, end = _date(ins.get("window_start")), _date(ins.get("window_end") or ins.get("now"))
    period = (f"（检查时间：{short_date(start)}——{short_date(end)}）" if start and end and start != end
              else f"（检查时间：{short_date(end)}）" if end else "")
    site_problems: dict[str, list[str]] = {}
    account_problems: dict[str, list[str]] = {}
    site_rows = _rows_and_problems(g, "site", sites, lambda r: site_type(g, r)[1], rs.list_passing_with_findings,
                                   site_problems)
    account_rows = _rows_and_problems(
        g, "account", accounts, lambda r: PLATFORM_LABELS.get(account_platform(g, r) or "other", "其他"),
        rs.list_passing_with_findings, account_problems)
    # The most widespread problem first (stable: ties keep the order of the tables).
    groups = ([ProblemGroup(kind="site", phrase=k, units=v)
               for k, v in sorted(site_problems.items(), key=lambda kv: -len(kv[1]))]
              + [ProblemGroup(kind="account", phrase=k, units=v)
                 for k, v in sorted(account_problems.items(), key=lambda kv: -len(kv[1]))])
    content = NoticeContent(
        title=title, doc_number=doc_number or "", issuing_office=office,
        addressees=default_addressees(g.scope_org), issue_date=issue_date, basis=rs.basis,
        scope_name=f"{g.scope_org.get('name', '')}政府系统" if g.scope_org.get("kind") in REGION_KINDS
        else g.scope_org.get("name", ""),
        inspection_name=name, check_period=period,
        deadline=deadline or issue_date + timedelta(days=rs.rectification_days),
        report_to=report_to or office, signature=office,
        rate_decimals=rs.pass_rate_decimals, rate_strip_zeros=rs.pass_rate_strip_zeros,
        previous_name=(g.previous or {}).get("name"),
        sites=_figures(g, "site", sites, lambda r: site_type(g, r)[0]),
        accounts=_figures(g, "account", accounts,
                          lambda r: PLATFORM_LABELS.get(account_platform(g, r) or "other", "其他")),
        problem_groups=groups, site_rows=site_rows, account_rows=account_rows,
        attachment1_title=f"{named(name, '政府网站')}情况汇总表",
        attachment2_title=f"{named(name, '政务新媒体')}情况汇总表",
    )
    content.intro = (f"近期，{office}按照{content.basis}，组织开展{name}，对{content.scope_name}政府网站与政务新媒体"
                     "进行了检查，现将检查情况通报如下。")
    content.overview = overview_text(content)
    content.problems = problems_text(content)
    content.requirements = requirements_text(content)
    return content


def facts(g: Gathered) -> list[dict[str, Any]]:
    """Rows for the statistics table (raw verdicts of every target)."""
    out = []
    for row in g.results:
        site_kind = platform = None
        if row["kind"] == "site":
            site_kind = (g.sites.get(row["target_id"]) or {}).get("kind")
        else:
            platform = account_platform(g, row)
        out.append({"kind": row["kind"], "target_id": row["target_id"], "name": display_name(g, row)[:200],
                    "org_path": row.get("org_path") or g.inspection["scope_org_path"], "site_kind": site_kind,
                    "platform": platform, "verdict": row.get("verdict")})
    return out
