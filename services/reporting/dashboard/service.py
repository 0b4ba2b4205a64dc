"""Aggregates of the supervising office's dashboard, per direct sub-unit (下级地区 and 部门) and for the whole
subtree, and the health index (健康指数) computed from them.

Sources: the latest round's verdicts (`target_fact`, recorded when a notice is assembled), rectification tasks
(this service's tables), and — read from the registry and the checker with the caller's token (flows.py) —
the sub-units, the running sites and the whole-site monitoring ledger's coverage and open veto problems.

健康指数 (0–100), one number per unit so offices can rank them:

    H = 100 × (0.50·P + 0.20·V + 0.15·O + 0.15·C) / (weights of the terms that are known)

    P  latest round's pass rate of the unit's sites and accounts (合格数 ÷ 检查数)
    V  1 − 0.5 × open veto-level monitoring problems (单项否决), at least 0
    O  1 − 0.25 × overdue rectification tasks (逾期整改), at least 0
    C  monitoring coverage: each running site counts 1 once monitoring completed a full cycle, else the
       share of its known pages fetched this cycle (0 when never monitored); averaged over the running sites

P is unknown for a unit without results in the round and C for a unit without running sites (or while the
checker cannot answer): their weight is left out. With neither known there is no index (None, "暂无数据").
A veto fails a site whatever its score, so while any veto problem is open the index is capped at 59."""
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.scope import ancestor_paths, scope_filter
from services.reporting.dashboard.flows import Upstream
from services.reporting.rectification.models import FINAL, RectificationTask
from services.reporting.statistics.models import TargetFact

WEIGHTS = {"pass_rate": 0.50, "veto": 0.20, "overdue": 0.15, "coverage": 0.15}
VETO_CAP = 59.0
FORMULA = ("健康指数（0–100）= 合格率×50% + 单项否决项×20% + 逾期整改项×15% + 监测覆盖率×15%。"
           "单项否决项每有1个未处置的单项否决问题扣50%，逾期整改项每有1件逾期任务扣25%（均扣完为止）；"
           "无检查结果或无运行中网站时，相应项不计入并按其余权重折算；存在未处置的单项否决问题时不超过59分。")
REGION_KINDS = ("province", "city", "county", "township")


def health_index(pass_rate: float | None, open_vetoes: int | None, overdue: int,
                 coverage: float | None) -> float | None:
    """The formula of the module docstring. `open_vetoes` None: the monitoring ledger could not be read."""
    terms: dict[str, float] = {}
    if pass_rate is not None:
        terms["pass_rate"] = pass_rate
    if coverage is not None:
        terms["coverage"] = coverage
    if not terms:
        return None
    if open_vetoes is not None:
        terms["veto"] = max(0.0, 1 - 0.5 * open_vetoes)
    terms["overdue"] = max(0.0, 1 - 0.25 * overdue)
    value = 100 * sum(WEIGHTS[k] * v for k, v in terms.items()) / sum(WEIGHTS[k] for k in terms)
    if open_vetoes:
        value = min(value, VETO_CAP)
    return round(value, 1)


def site_coverage(row: dict[str, Any]) -> float:
    """One monitored site's coverage in [0, 1] (Coverage shape of the checker's monitor API)."""
    if row.get("last_full_cycle_at"):
        return 1.0
    known = int(row.get("pages_known") or 0)
    return min(1.0, int(row.get("pages_fetched_cycle") or 0) / known) if known else 0.0


@dataclass
class Round:
    inspection_id: int
    name: str
    now: Any


def latest_round(session: Session, principal: Principal, org_path: str) -> Round | None:
    """The latest inspection that covered the whole office (its scope or a wider one); failing that the latest
    with any result in its subtree (a county's spot check is better than nothing)."""
    base = (scope_filter(TargetFact.org_path, principal), TargetFact.org_path.startswith(org_path, autoescape=True))
    order = (TargetFact.inspection_now.desc(), TargetFact.inspection_id.desc())
    head = session.exec(select(TargetFact).where(
        *base, TargetFact.scope_org_path.in_(ancestor_paths(org_path))).order_by(*order)).first()  # type: ignore[attr-defined]
    head = head or session.exec(select(TargetFact).where(*base).order_by(*order)).first()
    return Round(head.inspection_id, head.inspection_name, head.inspection_now) if head else None


def _under(path: str, prefix: str) -> bool:
    return path.startswith(prefix)


def overview(session: Session, principal: Principal, org: dict[str, Any], upstream: Upstream,
             day: date) -> dict[str, Any]:
    """Per-unit rows (direct children of `org`) and the subtree's totals. Everything is scoped twice: the
    upstream lists were read with the caller's token, the local tables through `scope_filter`."""
    path: str = org["path"]
    round_ = latest_round(session, principal, path)
    facts: list[tuple[str, int, int]] = []
    if round_ is not None:
        passed = func.sum(case((TargetFact.verdict == "pass", 1), else_=0))
        checked = func.sum(case((TargetFact.verdict.in_(("pass", "fail")), 1), else_=0))  # type: ignore[attr-defined]
        facts = [(p, int(c or 0), int(ok or 0)) for p, c, ok in session.exec(
            select(TargetFact.org_path, checked, passed).where(
                scope_filter(TargetFact.org_path, principal), TargetFact.org_path.startswith(path, autoescape=True),
                TargetFact.inspection_id == round_.inspection_id).group_by(TargetFact.org_path)).all()]
    late = (RectificationTask.deadline < day) & RectificationTask.state.not_in(FINAL)  # type: ignore[operator,attr-defined]
    overdue_rows = [(p, int(n)) for p, n in session.exec(
        select(RectificationTask.org_path, func.count()).where(
            scope_filter(RectificationTask.org_path, principal),
            RectificationTask.org_path.startswith(path, autoescape=True), late)  # type: ignore[attr-defined]
        .group_by(RectificationTask.org_path)).all()]
    site_path = {int(s["id"]): s["org_path"] for s in upstream.sites}
    monitored = {int(c["site_id"]): c for c in upstream.coverage or [] if int(c["site_id"]) in site_path}

    def aggregate(prefix: str) -> dict[str, Any]:
        checked = sum(c for p, c, _ in facts if _under(p, prefix))
        passed = sum(ok for p, _, ok in facts if _under(p, prefix))
        sites = [sid for sid, p in site_path.items() if _under(p, prefix)]
        coverage = (sum(site_coverage(monitored[s]) if s in monitored else 0.0 for s in sites) / len(sites)
                    if sites and upstream.coverage is not None else None)
        vetoes = (sum(int(monitored[s].get("open_veto_findings") or 0) for s in sites if s in monitored)
                  if upstream.coverage is not None else None)
        overdue = sum(n for p, n in overdue_rows if _under(p, prefix))
        rate = round(passed / checked, 6) if checked else None
        return {"checked": checked, "passed": passed, "pass_rate": rate, "open_vetoes": vetoes,
                "overdue_tasks": overdue, "sites": len(sites),
                "monitored_sites": sum(1 for s in sites if s in monitored),
                "coverage": round(coverage, 4) if coverage is not None else None,
                "health": health_index(rate, vetoes, overdue, coverage)}

    units = []
    for child in upstream.children:
        if not principal.sees(child.get("path", "")):
            continue
        group = "region" if child.get("kind") in REGION_KINDS else "department"
        units.append({"org_id": child["id"], "name": child["name"], "kind": child.get("kind"), "group": group,
                      "region_code": child.get("region_code"), **aggregate(child["path"])})
    units.sort(key=lambda u: (u["health"] is None, -(u["health"] or 0), u["name"]))
    return {"org": {"id": org["id"], "name": org["name"], "kind": org.get("kind"),
                    "region_code": org.get("region_code")},
            "round": {"inspection_id": round_.inspection_id, "name": round_.name, "now": round_.now}
            if round_ else None,
            "monitor_available": upstream.coverage is not None,
            "totals": aggregate(path), "units": units, "formula": FORMULA}
