"""Findings → severities, points, score and verdict under an indicator set."""
from collections import defaultdict
from dataclasses import replace
from typing import Literal

from services.checker.indicators.model import IndicatorRule, IndicatorSet, VetoWhen
from services.checker.model import Finding

Verdict = Literal["pass", "fail"]


def _triggered(rule: VetoWhen, findings: list[Finding], indicator_set: IndicatorSet) -> bool:
    if rule.flag is not None:
        return any(f.data.get(rule.flag) for f in findings)
    counted = [f for f in findings if rule.categories is None or f.data.get("category") in rule.categories]
    return sum(f.count for f in counted) >= getattr(indicator_set.parameters, rule.count_param)


def _points(rule: IndicatorRule, finding: Finding) -> float:
    return rule.scope_points.get(finding.data.get("scope"), rule.points) * finding.count


def evaluate(findings: list[Finding], indicator_set: IndicatorSet) -> tuple[Verdict, float, list[Finding]]:
    """Any veto → fail; otherwise 100 minus deductions (each indicator capped at its max_points), and a
    score below the pass score fails. Severity and points are always recomputed from the set, so
    evaluating again after a reviewer dismisses or adds findings gives the right verdict. Findings of
    disabled indicators are dropped; a code the set does not know raises KeyError."""
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_code[finding.indicator].append(finding)
    rules = {code: indicator_set.indicators[code] for code in by_code}
    vetoed = {
        code for code, rule in rules.items()
        if rule.severity == "veto" or any(_triggered(v, by_code[code], indicator_set) for v in rule.veto_when)
    }
    deducted: dict[str, float] = defaultdict(float)
    out: list[Finding] = []
    for finding in findings:
        rule = rules[finding.indicator]
        if not rule.enabled:
            continue
        if finding.indicator in vetoed:
            out.append(replace(finding, severity="veto", points=0.0))
            continue
        # Points beyond the indicator's cap are not deducted; the finding shows what it really cost.
        points = min(_points(rule, finding), max(rule.max_points - deducted[finding.indicator], 0.0))
        deducted[finding.indicator] += points
        out.append(replace(finding, severity="deduct", points=round(points, 2)))
    score = round(max(100.0 - sum(deducted.values()), 0.0), 2)
    failed = any(f.severity == "veto" for f in out) or score < indicator_set.pass_score
    verdict: Verdict = "fail" if failed else "pass"
    return verdict, score, out
