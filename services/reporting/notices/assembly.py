"""Assembly: a completed inspection's results (checker API) + the registry's inventory → a notice draft.

`gather` does the REST calls with a service token; `build` is pure (figures, wording, tables), so the
same code path serves the API, the seed-004 test and the benchmark.
"""
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from services.common.clock import beijing_date, beijing_today
from services.common.errors import ApiError, conflict, unavailable
from services.reporting.clients import ServiceClient, UpstreamError
from services.reporting.notices.models import (
    INSPECTION_STATE_LABELS, FollowUp, KindFigures, NoticeContent, PeriodFigures, ProblemGroup, TableRow,
)
from services.reporting.notices.text import NO_PROBLEMS, NUMERALS
from services.reporting.notices.wording import (
    PHRASES, PLATFORM_LABELS, SENTENCE_ORDER, SENTENCES, SITE_KIND_LABELS, check_word, clause, cn_date, period_of,
    EXAMPLES, phrases_of, points, rate, short_date, short_name, what_of,
)
from services.reporting.rectification.models import FINAL, RectificationTask
from services.reporting.settings import get_reporting_settings
from services.reporting.templates import service as templates
from services.reporting.templates.defaults import (
    CITY_REQUIREMENTS, REGION_KINDS, TIER, default_addressees, default_template, short_office, tier_char,
    whole_region,
)
from services.reporting.templates.models import TemplateFields
from services.reporting.templates.placeholders import fill

__all__ = ["default_addressees"]



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
    ancestors: list[dict[str, Any]] = field(default_factory=list)  # organisations above the scope, top first
    period: PeriodFigures | None = None  # the quarter of the inspection: account filings, messages


def _upstream(exc: UpstreamError) -> ApiError:
    return unavailable("upstream_unavailable", "检查服务或登记系统暂不可用", exc)


def require_completed(inspection: dict[str, Any] | None) -> dict[str, Any]:
    if inspection is None:
        raise ApiError(404, "not_found", "检查任务不存在或无权访问 (inspection not found)")
    if inspection.get("state") != "completed":
        raise conflict("inspection_not_completed",
                       f"检查任务尚未完成（当前为{INSPECTION_STATE_LABELS.get(str(inspection.get('state')), '未知')}），不能生成或印发通报",
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
        above = [p for p in inspection["scope_org_path"].strip("/").split("/") if p.isdigit()][:-1]
        g.ancestors = [o for o in (client.org(int(p)) for p in above) if o]  # names stripped in running text
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
            if any(s.get("kind") == "column" for s in g.sites.values()):
                split_previous_columns(g, client.results(previous["id"]))
        g.period = period_figures(client, g)
        return g
    except UpstreamError as exc:
        raise _upstream(exc) from exc


def split_previous_columns(g: Gathered, rows: Any) -> None:
    """The previous round's site figures without its 专栏, and the 专栏's apart (the checker counts both as
    sites)."""
    counts = {"site": [0, 0], "column": [0, 0]}
    for row in rows:
        if row.get("kind") != "site" or row.get("verdict") not in ("pass", "fail"):
            continue
        figure = counts["column" if is_column(g, row) else "site"]
        figure[0] += row["verdict"] == "pass"
        figure[1] += 1
    for kind, (passed, checked) in counts.items():
        if checked:
            g.prev_counts[kind] = (passed, checked)
        else:
            g.prev_counts.pop(kind, None)


QUARTERS = "一二三四"
CLOSING = ("close", "deregister")   # 关停 and 注销 filings


def period_figures(client: ServiceClient, g: Gathered) -> PeriodFigures | None:
    """The quarter the inspection's monitoring day falls in (Beijing): approved account filings of the scope
    (开设 → 新增, 关停/注销 → 注销, WeChat apart as seed 001 counts them) and the messages its sites received.
    A figure the systems do not have stays None, and its sentence is left out."""
    day = _date(g.inspection.get("now"))
    if day is None:
        return None
    q = (day.month - 1) // 3
    start = date(day.year, 3 * q + 1, 1)
    end = date(day.year + 1, 1, 1) if q == 3 else date(day.year, 3 * q + 4, 1)
    out = PeriodFigures(label=f"{day.year}年第{QUARTERS[q]}季度")
    path = g.inspection["scope_org_path"]
    opened = wechat = other = 0
    seen = False
    for f in client.filings(subject_kind="account", state="approved", sort="-decided_at"):
        decided = _date(f.get("decided_at"))
        if decided is None or decided < start:
            break
        seen = True
        if decided >= end or not f.get("org_path", "").startswith(path):
            continue
        platform = (f.get("payload") or {}).get("platform") or (g.accounts.get(f["subject_id"]) or {}).get("platform")
        if f["kind"] == "open":
            opened += 1
        elif f["kind"] in CLOSING:
            wechat += str(platform or "").startswith("wechat")
            other += not str(platform or "").startswith("wechat")
    if seen:
        out.accounts_opened, out.accounts_closed_wechat, out.accounts_closed_other = opened, wechat, other
    summary = client.period_summary(g.inspection["scope_org_id"], start.isoformat(), end.isoformat()) or {}
    totals = summary.get("totals") or {}
    if totals.get("messages_received"):
        out.messages_received = int(totals["messages_received"])
        out.messages_answered = int(totals.get("messages_answered") or 0)
    return out


def follow_up(session: Session, g: Gathered) -> FollowUp | None:
    """The previous round's rectification as it stands: its tasks (one per target and problem, whichever notice
    opened it), those re-checked or closed, the units still at it."""
    if g.previous is None:
        return None
    tasks = session.exec(select(RectificationTask).where(
        RectificationTask.inspection_id == g.previous["id"])).all()
    if not tasks:
        return None
    out = FollowUp(name="".join(round_of(g.previous)))
    scope_name = g.scope_org.get("name", "")
    ancestors = [a.get("name", "") for a in g.ancestors]
    regions = [o.get("name", "") for o in g.orgs.values() if o.get("kind") in REGION_KINDS]
    for (kind, _), task in sorted({(t.kind, t.target_id): t for t in tasks}.items(), key=lambda x: x[0]):
        done = task.state in FINAL
        if kind == "site" and (g.sites.get(task.target_id) or {}).get("kind") == "column":
            out.columns += 1
            out.columns_done += done
        elif kind == "site":
            out.sites += 1
            out.sites_done += done
        else:
            out.accounts += 1
            out.accounts_done += done
        if not done:
            out.pending.append(short_name(task.target_name, scope_name=scope_name, ancestors=ancestors,
                                          regions=regions))
    return out


def office_inputs(session: Session, g: Gathered) -> dict[str, Any]:
    """What a draft takes from the database besides the results: the office's template, the previous round's
    rectification."""
    template, _ = templates.effective(session, g.scope_org, children_of(g))
    return {"template": template, "follow_up": follow_up(session, g)}


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


def is_column(g: Gathered, row: dict[str, Any]) -> bool:
    """A 信息公开专栏 (a site of kind column in the registry; its result names the prefix it was checked in)."""
    if row.get("kind") != "site":
        return False
    site = g.sites.get(row["target_id"])
    if site is not None:
        return site.get("kind") == "column"
    detail = g.details.get(("site", row["target_id"])) or {}
    return bool((detail.get("target") or {}).get("scope"))


def columns_label(g: Gathered, rows: list[dict[str, Any]]) -> str:
    """Seed 001: 市级部门信息公开专栏 when every 专栏 is of the scope's own departments, else 信息公开专栏."""
    levels = {_level(g, (g.sites.get(r["target_id"]) or {}).get("org_path") or r.get("org_path", "")) for r in rows}
    own = tier_char(g.scope_org)
    return f"{own}级部门信息公开专栏" if levels == {None} and own and own != "省" else (
        "省级部门信息公开专栏" if levels == {None} and own == "省" else "信息公开专栏")


def site_type(g: Gathered, row: dict[str, Any]) -> tuple[str, str]:
    """(group label for 总体情况, type printed in the table)."""
    site = g.sites.get(row["target_id"]) or {}
    kind = site.get("kind") or "department"
    if kind == "column":
        return "信息公开专栏", "信息公开专栏"
    level = _level(g, site.get("org_path") or row.get("org_path", ""))
    own = tier_char(g.scope_org)  # 韩城市 (a county-level city) writes 市政府门户网站
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
                       problems: dict[str, list[tuple[dict[str, Any], str]]]) -> list[TableRow]:
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
            for code, phrase in pairs:
                problems.setdefault(code, []).append((row, phrase))
    return out


def _region(g: Gathered, row: dict[str, Any]) -> int | None:
    """The first region below the scope on the unit's path (None: the scope's own level)."""
    subject = (g.sites if row["kind"] == "site" else g.accounts).get(row["target_id"]) or {}
    path = subject.get("org_path") or row.get("org_path") or ""
    below = path[len(g.inspection["scope_org_path"]):].strip("/") if path.startswith(
        g.inspection["scope_org_path"]) else ""
    for part in below.split("/") if below else []:
        org = g.orgs.get(int(part)) if part.isdigit() else None
        if org and org.get("kind") in REGION_KINDS:
            return org["id"]
    return None


def problem_groups(g: Gathered, kind: str, problems: dict[str, list[tuple[dict[str, Any], str]]]) -> list[ProblemGroup]:
    """One group per indicator, in the seeds' order; units by their running-text names, examples from
    different places first (seed 004: 市卫生健康委、澄城公安), the rest in the tables' order."""
    scope_name = g.scope_org.get("name", "")
    ancestors = [a.get("name", "") for a in g.ancestors]
    regions = [o.get("name", "") for o in g.orgs.values()
               if o.get("kind") in REGION_KINDS and o.get("id") != g.scope_org.get("id")]
    out = []
    for code, items in problems.items():
        first, rest, seen = [], [], set()
        for row, _ in items:
            region = _region(g, row)
            (rest if region in seen else first).append(row)
            seen.add(region)
        ordered = first + rest
        out.append(ProblemGroup(
            kind=kind, indicator=code, phrase=SENTENCES.get(code) or PHRASES.get(code) or items[0][1],
            units=[short_name(display_name(g, r), scope_name=scope_name, ancestors=ancestors, regions=regions)
                   for r in ordered],
            # Sites: "column" marks a 信息公开专栏 (its name is said without 网站 after it).
            platforms=[account_platform(g, r) if kind == "account" else ("column" if is_column(g, r) else None)
                       for r in ordered]))
    out.sort(key=lambda p: (SENTENCE_ORDER.index(p.indicator) if p.indicator in SENTENCES else len(SENTENCES),
                            -len(p.units)))
    return out


def _join_groups(groups: list[dict[str, Any]], unit: str = "个") -> str:
    return "，".join(f"{x['label']}{x['total']}{unit}" for x in groups)


def follow_up_text(f: FollowUp) -> str:
    """Seed 001: "经复查，2021年第一季度发现的1个问题网站、…4个不合格政府系统政务新媒体，均已完成整改。"."""
    found = "、".join(x for x in (f"{f.sites}个问题网站" if f.sites else "", f"{f.columns}个问题专栏" if f.columns else "",
                                  f"{f.accounts}个不合格政务新媒体" if f.accounts else "") if x)
    done = f.sites_done + f.columns_done + f.accounts_done
    if done == f.sites + f.columns + f.accounts:
        return f"经复查，{f.name}发现的{found}，均已完成整改。"
    named = "、".join(f.pending[:EXAMPLES]) + ("等" if len(f.pending) > EXAMPLES else "")
    return (f"经复查，{f.name}发现的{found}，已完成整改{done}个，{named}{len(f.pending)}个网站和政务新媒体"
            "尚未完成整改。" if len(f.pending) > EXAMPLES else
            f"经复查，{f.name}发现的{found}，已完成整改{done}个，{named}尚未完成整改。")


def changes_text(p: PeriodFigures | None) -> str:
    """Seed 001: "二季度新增登记政府系统政务新媒体54个，关停注销微信公众号11个，注销其他政务新媒体账号17个。"."""
    if p is None or p.accounts_opened is None:
        return ""
    parts = [f"新增登记政务新媒体{p.accounts_opened}个"]
    if p.accounts_closed_wechat:
        parts.append(f"关停注销微信公众号{p.accounts_closed_wechat}个")
    if p.accounts_closed_other:
        parts.append(f"注销其他政务新媒体账号{p.accounts_closed_other}个")
    if not (p.accounts_opened or p.accounts_closed_wechat or p.accounts_closed_other):
        return f"{p.label}，无新增登记和关停注销政务新媒体。"
    return f"{p.label}，{'，'.join(parts)}。"


def messages_text(c: NoticeContent) -> str:
    p = c.period
    if p is None or not p.messages_received:
        return ""
    answered = p.messages_answered or 0
    where = c.placeholder_values.get("地区") or c.scope_name
    return (f"{p.label}，{where}政府网站共接到网民留言{p.messages_received}条，已办结{answered}条，办结率"
            f"{rate(answered, p.messages_received, c.rate_decimals, c.rate_strip_zeros)}。")


def relative_round(name: str, issued: date) -> str:
    """The previous round as running text names it: last year's round is 去年… (seed 004: 较去年第四次全面检查)."""
    return "去年" + name.removeprefix(f"{issued.year - 1}年") if name.startswith(f"{issued.year - 1}年") else name


def running_scope(c: NoticeContent) -> str:
    """全市政府系统 (seed 004, seed 000: 全市…) for an office's own region; a department's scope by its name."""
    region = c.placeholder_values.get("地区")
    return f"{region}政府系统" if region and c.scope_name.endswith("政府系统") else c.scope_name


def overview_text(c: NoticeContent) -> str:
    """总体情况 in seed 001's order, each part only when its figures exist: the previous round's rectification,
    the sites, the accounts (with the quarter's 新增/注销), the messages."""
    d, z = c.rate_decimals, c.rate_strip_zeros
    by_kind = c.layout == "by_kind"
    as_of = f"截至{c.issue_date.year}年{c.issue_date.month}月"
    prev = f"较{relative_round(c.previous_name, c.issue_date)}" if c.previous_name else ""
    parts: list[tuple[str, str]] = []
    if c.follow_up is not None:
        parts.append((f"{c.follow_up.name}通报问题整改情况", follow_up_text(c.follow_up)))
    cols = c.columns
    for fig, what, short in ((c.sites, "政府网站", "网站"), (c.accounts, "政务新媒体", "政务新媒体")):
        with_columns = what == "政府网站" and cols.total > 0
        if not fig.total and not with_columns:
            continue
        if fig.total:
            text = f"{as_of}，{running_scope(c)}共运行{short}{fig.total}个"
            # Seed 004 (by_kind) counts accounts without their platforms and says nothing of unchanged numbers.
            groups = fig.groups if not (by_kind and what == "政务新媒体") else []
            if groups:
                text += f"，其中{_join_groups(groups)}"
            if with_columns:  # seed 001: "登记在运行政府网站9个、市级部门信息公开专栏38个"
                text += f"；登记在运行{c.columns_label}{cols.total}个"
            changes = changes_text(c.period) if what == "政务新媒体" else ""
            if by_kind and changes.endswith("无新增登记和关停注销政务新媒体。"):
                changes = ""
            text += "。" + changes if groups or with_columns or changes else "，"
            text += (f"检查结果为：合格{what}{fig.passed}个，不合格{what}{fig.failed}个，"
                     f"合格率{rate(fig.passed, fig.checked, d, z)}")
            change = points((fig.passed, fig.checked), (fig.prev_passed, fig.prev_checked)
                            if fig.prev_checked else None, d, z)
            if change and prev:
                text += f"，{prev}{change}"
        else:
            text = f"{as_of}，{running_scope(c)}登记在运行{c.columns_label}{cols.total}个。检查结果为"
        if with_columns:  # seed 001: "问题专栏1个，合格率97.37%"
            text += f"{'；' if fig.total else '：'}问题专栏{cols.failed}个，合格率{rate(cols.passed, cols.checked, d, z)}"
            change = points((cols.passed, cols.checked), (cols.prev_passed, cols.prev_checked)
                            if cols.prev_checked else None, d, z)
            if change and prev:
                text += f"，{prev}{change}"
        text += "。"
        if fig.errors:
            text += f"另有{fig.errors}个{short}未能完成检查。"
        if with_columns and cols.errors:
            text += f"另有{cols.errors}个专栏未能完成检查。"
        parts.append((f"{what}和信息公开专栏检查情况" if with_columns else f"{what}检查情况", text))
    messages = messages_text(c)
    if messages:
        parts.append(("网民留言办理情况", messages))
    return "\n".join(f"（{NUMERALS[i]}）{head}。{text}" for i, (head, text) in enumerate(parts))



def problems_text(c: NoticeContent) -> str:
    """One paragraph per kind in seed 004's words: "（二）政务新媒体。市卫生健康委、澄城公安等微信公众号内容14天
    未更新，…，个别账号名称更改后未在全国政务新媒体报送系统及时更新。" (the attachments list every unit)."""
    lines: list[str] = []
    for kind, what in (("site", "政府网站"), ("account", "政务新媒体")):
        groups = [p for p in c.problem_groups if p.kind == kind]
        if not groups:
            continue
        clauses = [_columns_said(p, clause(p.indicator, p.phrase, kind,
                                           list(zip(p.units, p.platforms if len(p.platforms) == len(p.units)
                                                    else [None] * len(p.units), strict=True))))
                   for p in groups]
        lines.append(f"（{'一二'[len(lines)]}）{what}。{'，'.join(clauses)}。")
    return "\n".join(lines) or NO_PROBLEMS


def _columns_said(p: ProblemGroup, text: str) -> str:
    """Seed 001 names a 专栏 alone ("如：市自然资源和规划局信息公开专栏"), never "…专栏网站"."""
    if p.kind == "site" and p.platforms and all(x == "column" for x in p.platforms):
        return text.replace(f"网站{p.phrase}", p.phrase, 1)
    return text


def placeholder_values(c: NoticeContent) -> dict[str, str]:
    """What the template's placeholders stand for: those fixed at assembly, and those a draft edit changes."""
    return {**c.placeholder_values, "发文机关": c.issuing_office, "依据": c.basis, "范围": c.scope_name,
            "整改期限": short_date(c.deadline) if c.deadline else "规定期限", "报送单位": c.report_to}


def requirements_text(c: NoticeContent) -> str:
    return fill(c.requirements_template or CITY_REQUIREMENTS, placeholder_values(c))


def round_of(inspection: dict[str, Any]) -> tuple[str, str]:
    """(period, kind of check) of an inspection: ("2024年第一次", "全面检查"), ("2026年第四季度", "抽查"); the
    period falls back to the quarter of its monitoring day when its name states none."""
    name = inspection.get("name") or ""
    return period_of(name, _date(inspection.get("now"))), check_word(name)


def check_period(rows: list[dict[str, Any]], fallback: tuple[date | None, date | None]) -> str:
    """（检查时间：2月19日——2月20日） from the days (Beijing) the targets of an attachment were checked; one day:
    （检查时间：2月23日）."""
    days = sorted({d for d in (_date(r.get("checked_at")) for r in rows) if d})
    start, end = (days[0], days[-1]) if days else fallback
    start = start or end
    if end is None:
        return ""
    fmt = short_date if start.year == end.year else cn_date
    return f"（检查时间：{fmt(start)}——{fmt(end)}）" if start != end else f"（检查时间：{fmt(end)}）"


def _date(value: Any) -> date | None:
    """The Beijing day of a checker timestamp (an inspection window ending 2026-12-04T23:30Z is 12月5日)."""
    return beijing_date(str(value)) if value else None


def children_of(g: Gathered) -> list[dict[str, Any]]:
    return [o for o in g.orgs.values() if o.get("parent_id") == g.scope_org.get("id")]


def build(g: Gathered, *, issue_date: date | None = None, doc_number: str | None = None,
          issuing_office: str | None = None, deadline: date | None = None,
          report_to: str | None = None, now: datetime | None = None,
          template: TemplateFields | None = None, follow_up: FollowUp | None = None) -> NoticeContent:
    """The draft: figures and tables from the results, the office's own parts (标志, 主送, 版记, signature, the
    intro and 有关要求 with their placeholders filled) from its template (its tier's default when none)."""
    rs = get_reporting_settings()
    ins = g.inspection
    t = template or default_template(g.scope_org, children_of(g))
    issue_date = issue_date or beijing_today(now)
    office = issuing_office or t.signature
    name = ins.get("name") or "政府网站与政务新媒体检查"
    period, check = round_of(ins)
    what = what_of(ins.get("target_kinds") or {r["kind"] for r in g.results})
    title = f"{office}关于{period}{what}{check}情况的通报"
    columns = [r for r in g.results if is_column(g, r)]
    sites = [r for r in g.results if r["kind"] == "site" and not is_column(g, r)]
    accounts = [r for r in g.results if r["kind"] == "account"]
    window = (_date(ins.get("window_start")), _date(ins.get("window_end") or ins.get("now")))
    site_problems: dict[str, list[tuple[dict[str, Any], str]]] = {}
    account_problems: dict[str, list[tuple[dict[str, Any], str]]] = {}
    site_rows = _rows_and_problems(g, "site", sites, lambda r: site_type(g, r)[1], rs.list_passing_with_findings,
                                   site_problems)
    account_rows = _rows_and_problems(
        g, "account", accounts, lambda r: PLATFORM_LABELS.get(account_platform(g, r) or "other", "其他"),
        rs.list_passing_with_findings, account_problems)
    # A 专栏's problems read with the sites' (seed 001: "存在严重表述错误，如：市自然资源和规划局信息公开专栏").
    column_rows = _rows_and_problems(g, "site", columns, lambda r: "信息公开专栏", rs.list_passing_with_findings,
                                     site_problems)
    groups = problem_groups(g, "site", site_problems) + problem_groups(g, "account", account_problems)
    previous = "".join(round_of(g.previous)) if g.previous else None
    fixed = {"机关简称": short_office(g.scope_org) or office, "地区": whole_region(g.scope_org), "期次": period,
             "检查类型": check, "检查对象": what}
    content = NoticeContent(
        title=title, doc_number=doc_number or "", doc_prefix=t.doc_prefix, mark=issuing_office or t.mark,
        issuing_office=office, addressees=t.addressees, issue_date=issue_date, basis=rs.basis,
        printed_by=issuing_office or t.printed_by, cc=t.cc,
        scope_name=f"{g.scope_org.get('name', '')}政府系统" if g.scope_org.get("kind") in REGION_KINDS
        else g.scope_org.get("name", ""),
        inspection_name=name, check_period="", layout=t.layout,
        attachment1_period=check_period(sites, window), attachment2_period=check_period(accounts, window),
        attachment1_columns=t.site_columns, attachment2_columns=t.account_columns,
        deadline=deadline or issue_date + timedelta(days=rs.rectification_days),
        signature=office, requirements_template=t.requirements, placeholder_values=fixed,
        rate_decimals=rs.pass_rate_decimals, rate_strip_zeros=rs.pass_rate_strip_zeros,
        previous_name=previous,
        sites=_figures(g, "site", sites, lambda r: site_type(g, r)[0]),
        accounts=_figures(g, "account", accounts,
                          lambda r: PLATFORM_LABELS.get(account_platform(g, r) or "other", "其他")),
        columns=_figures(g, "column", columns, lambda r: "信息公开专栏"), columns_label=columns_label(g, columns),
        column_rows=column_rows, columns_title=f"{period}信息公开专栏{check}情况汇总表",
        columns_period=check_period(columns, window),
        problem_groups=groups, site_rows=site_rows, account_rows=account_rows, follow_up=follow_up, period=g.period,
        attachment1_title=f"{period}政府网站{check}情况汇总表",
        attachment2_title=f"{period}政务新媒体{check}情况汇总表",
    )
    content.report_to = fill(report_to or t.report_to or office, placeholder_values(content))
    for name_ in ("addressees", "cc", "printed_by", "signature", "mark"):
        setattr(content, name_, fill(getattr(content, name_), placeholder_values(content)))
    content.intro = fill(t.intro, placeholder_values(content))
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
