from services.checker.indicators import builtin_sets, evaluate, resolve
from services.checker.model import Evidence, Finding

GOV = resolve("gov-2019")
EV = [Evidence(url="https://www.example.gov.cn/", excerpt="x", observed_at="2024-02-20T10:00:00+08:00")]


def finding(code: str, count: int = 1, **data) -> Finding:
    return Finding(code, "消息", EV, count=count, data=data)


def test_no_findings_pass_with_100():
    assert evaluate([], GOV) == ("pass", 100.0, [])


def test_any_veto_fails_and_severity_comes_from_the_set():
    verdict, score, out = evaluate([finding("home_not_updated"), finding("typo")], GOV)
    assert verdict == "fail" and score == 99.0
    assert [(f.severity, f.points) for f in out] == [("veto", 0.0), ("deduct", 1.0)]


def test_deductions_are_capped_per_indicator():
    findings = [finding("typo", count=3), finding("typo", count=4), finding("mobile_unfriendly")]
    verdict, score, out = evaluate(findings, GOV)
    assert [f.points for f in out] == [3.0, 2.0, 2.0]      # typo capped at 5
    assert (verdict, score) == ("pass", 93.0)


def test_scope_points_price_home_and_other_pages_apart():
    _, score, out = evaluate([finding("broken_link", 2, scope="home"), finding("broken_link", 12, scope="other")], GOV)
    assert [f.points for f in out] == [2.0, 1.2] and score == 96.8


def test_score_below_pass_score_fails():
    raw = builtin_sets()
    raw["gov-2019"]["indicators"]["typo"] = {"severity": "deduct", "points": 10, "max_points": 50}
    strict = resolve("gov-2019", raw.__getitem__)
    verdict, score, _ = evaluate([finding("typo", count=4), finding("missing_error_entry")], strict)
    assert (verdict, score) == ("fail", 58.0)
    verdict, score, _ = evaluate([finding("typo", count=4)], strict)
    assert (verdict, score) == ("pass", 60.0)


def test_stale_columns_escalate_at_five_news_notice_policy():
    four = [finding("column_not_updated", category=c) for c in ("news", "news", "notice", "policy")]
    verdict, score, out = evaluate(four + [finding("column_not_updated", category="other")], GOV)
    assert verdict == "pass" and score == 90.0 and {f.severity for f in out} == {"deduct"}
    five = four + [finding("column_not_updated", category="notice")]
    verdict, _, out = evaluate(five, GOV)
    assert verdict == "fail" and {f.severity for f in out} == {"veto"} and {f.points for f in out} == {0.0}


def test_stale_columns_escalate_at_ten_should_update():
    nine = [finding("column_not_updated", category="other") for _ in range(9)]
    assert evaluate(nine, GOV)[0] == "pass"
    assert evaluate(nine + [finding("column_not_updated", category="other")], GOV)[0] == "fail"


def test_empty_columns_and_guides_escalate_by_count():
    assert evaluate([finding("column_empty")] * 4, GOV)[0] == "pass"
    assert evaluate([finding("column_empty")] * 5, GOV)[0] == "fail"
    assert evaluate([finding("service_guide_incomplete")] * 4, GOV)[:2] == ("pass", 96.0)
    assert evaluate([finding("service_guide_incomplete")] * 5, GOV)[0] == "fail"


def test_dark_link_vetoes_only_when_illegal():
    assert evaluate([finding("dark_link", illegal=False)], GOV)[:2] == ("pass", 100.0)
    verdict, _, out = evaluate([finding("dark_link", illegal=False), finding("dark_link", illegal=True)], GOV)
    assert verdict == "fail" and all(f.severity == "veto" for f in out)


def test_reevaluation_is_stable_and_dismissal_recomputes():
    five = [finding("column_empty") for _ in range(5)]
    _, _, out = evaluate(five, GOV)
    assert evaluate(out, GOV) == evaluate(five, GOV)
    verdict, _, after = evaluate(out[1:], GOV)   # a reviewer dismissed one
    assert verdict == "pass" and {f.severity for f in after} == {"deduct"}


def test_city_set_makes_account_findings_veto():
    city = resolve("weinan-2024")
    assert evaluate([finding("account_no_original")], GOV)[0] == "pass"
    assert evaluate([finding("account_no_original")], city)[0] == "fail"


def test_disabled_indicator_findings_are_dropped():
    raw = builtin_sets()
    raw["gov-2019"]["indicators"]["typo"]["enabled"] = False
    assert evaluate([finding("typo")], resolve("gov-2019", raw.__getitem__)) == ("pass", 100.0, [])


def test_inputs_are_not_mutated():
    original = finding("home_not_updated")
    evaluate([original], GOV)
    assert original.severity == "deduct" and original.points == 0.0
