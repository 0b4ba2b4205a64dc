"""Every account check on the simulator: precision and recall 1.0 per indicator code, messages as the
seed notice prints them, verdicts through the indicator sets, and faults confined to their account."""
import asyncio
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.checker.engine import AccountUnavailable, check_account
from services.checker.model import CheckResult
from tests.checker.accounts.conftest import SIM
from tests.fixtures.platforms import DEFECTS
from tests.fixtures.platforms.sim import CHINA as CN

NOW = SIM.now


async def run(row: dict[str, Any], indicator_set: str = "weinan-2024") -> tuple[CheckResult | None, str | None]:
    try:
        return await check_account(row["account"], now=NOW, indicator_set=indicator_set), None
    except AccountUnavailable as exc:
        return None, exc.code


@pytest.fixture(scope="module")
async def outcomes() -> list[tuple[dict[str, Any], CheckResult | None, str | None]]:
    rows = SIM.manifest["accounts"]
    slots = asyncio.Semaphore(20)  # as many accounts at once as one worker runs jobs (checker_max_jobs)

    async def one(row):
        async with slots:
            return await run(row)

    done = await asyncio.gather(*(one(r) for r in rows))
    return [(row, result, error) for row, (result, error) in zip(rows, done, strict=True)]


def pr_table(outcomes) -> dict[str, tuple[int, int, int, float, float]]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for row, result, _ in outcomes:
        if result is None or "codes" not in row["expected"]:
            continue
        found = {f.indicator for f in result.findings}
        wanted = set(row["expected"]["codes"])
        for code in DEFECTS:
            tp[code] += code in found and code in wanted
            fp[code] += code in found and code not in wanted
            fn[code] += code not in found and code in wanted
    table = {}
    for code in DEFECTS:
        precision = tp[code] / (tp[code] + fp[code]) if tp[code] + fp[code] else 0.0
        recall = tp[code] / (tp[code] + fn[code]) if tp[code] + fn[code] else 0.0
        table[code] = (tp[code], fp[code], fn[code], precision, recall)
    return table


def test_precision_and_recall_are_one_for_every_account_check(outcomes):
    table = pr_table(outcomes)
    print("\ncode | TP | FP | FN | precision | recall")
    for code, (tp, fp, fn, p, r) in table.items():
        print(f"{code} | {tp} | {fp} | {fn} | {p:.2f} | {r:.2f}")
    assert all(tp >= 10 for tp, *_ in table.values()), table
    assert {code: (p, r) for code, (*_, p, r) in table.items()} == {code: (1.0, 1.0) for code in DEFECTS}


def test_clean_accounts_pass_on_every_platform(outcomes):
    clean = [(row, result) for row, result, _ in outcomes if row["kind"] == "clean"]
    assert {row["account"]["platform"] for row, _ in clean} >= {"weibo", "toutiao", "douyin", "wechat_subscription"}
    assert all(result is not None and result.verdict == "pass" and result.score == 100 for _, result in clean)
    assert {result.target["source"] for _, result in clean} == {"json", "rss"}


def test_faults_give_their_own_error_or_finding(outcomes):
    faults = [(row, result, error) for row, result, error in outcomes if row["kind"].startswith("fault:")]
    assert {row["kind"] for row, *_ in faults} == {f"fault:{f}" for f in
                                                   ("timeout", "garbage", "endless", "duplicates", "future",
                                                    "name_change", "flaky")}
    for row, result, error in faults:
        expected = row["expected"]
        if "error" in expected:
            assert result is None and error == expected["error"], (row["kind"], error)
        else:
            assert error is None and sorted(f.indicator for f in result.findings) == expected["codes"], row["kind"]


def test_repaired_feed_defects_are_noted(outcomes):
    by_kind = {row["kind"]: result for row, result, _ in outcomes if result is not None}
    assert any("重复发文" in n for n in by_kind["fault:duplicates"].target["notes"])
    future = by_kind["fault:future"]
    assert any("晚于监测时间点" in n for n in future.target["notes"])
    # The real newest post is 20 days old; posts dated a month ahead do not count as updates.
    assert future.findings[0].data["newest"].startswith("2024-05-25")


def _first(outcomes, kind: str) -> CheckResult:
    return next(result for row, result, _ in outcomes if row["kind"] == kind)


def test_messages_follow_the_seed_notice(outcomes):
    messages = {kind: _first(outcomes, kind).findings[0].message for kind in DEFECTS}
    assert messages["account_not_updated"] == "14天未更新"
    assert messages["account_no_original"] == "3个月无原创"
    assert messages["account_no_interaction"] == "未提供有效互动功能"
    assert messages["account_interaction_link_broken"] == "互动交流链接有误"
    assert messages["account_not_found"] == "搜索不到"
    renamed = _first(outcomes, "account_renamed_unfiled")
    live = renamed.findings[0].data["live_name"]
    assert messages["account_renamed_unfiled"] == f"已改名({live})系统中未改名"
    assert "再接再励" in messages["typo"] and "再接再厉" in messages["typo"]
    for kind in DEFECTS:
        for evidence in _first(outcomes, kind).findings[0].evidence:
            assert evidence.url and evidence.excerpt and evidence.observed_at
    # A link that fails is named in words in the evidence (it goes into notices), never by the crawler's code.
    [broken] = _first(outcomes, "account_interaction_link_broken").findings[0].evidence
    assert "链接无法访问（" in broken.excerpt and not re.search(r"[a-z]+_[a-z]+", broken.excerpt), broken.excerpt


async def test_verdicts_follow_the_indicator_set(outcomes):
    """weinan-2024 (seed 004) makes no-original, renamed and wrong interaction links a veto; gov-2019
    deducts them (at no cost: accounts have no national points scale)."""
    for kind in ("account_no_original", "account_renamed_unfiled", "account_interaction_link_broken"):
        row = next(r for r, *_ in outcomes if r["kind"] == kind)
        weinan = _first(outcomes, kind)
        assert weinan.verdict == "fail" and weinan.findings[0].severity == "veto"
        national, _ = await run(row, "gov-2019")
        assert national.verdict == "pass" and national.findings[0].severity == "deduct"
    for kind in ("account_not_found", "account_not_updated", "account_no_interaction", "serious_error",
                 "sensitive_content"):
        assert _first(outcomes, kind).verdict == "fail"
    assert _first(outcomes, "typo").verdict == "pass" and _first(outcomes, "typo").findings[0].severity == "deduct"


def feed_metrics(platform_id: str) -> dict[str, dict[str, int]]:
    """What the simulator serves for the account, counted by China month: each post once, none dated after
    the time point (+1 day), nothing for an account the platform does not know."""
    account = SIM.accounts[platform_id]
    posts, original = Counter(), Counter()
    if account.kind != "account_not_found":
        for post in {p.id: p for p in account.posts}.values():
            when = datetime.fromisoformat(post.published)
            if when <= NOW + timedelta(days=1):
                posts[f"{when.astimezone(CN):%Y-%m}"] += 1
                original[f"{when.astimezone(CN):%Y-%m}"] += post.original
    return {"posts_by_month": dict(sorted(posts.items())), "original_by_month": dict(sorted(original.items()))}


def test_metrics_count_the_feed_posts_by_month(outcomes):
    checked = [(row, result) for row, result, _ in outcomes if result is not None]
    wrong = [(row["kind"], result.metrics) for row, result in checked
             if result.metrics != feed_metrics(row["account"]["platform_id"])]
    assert not wrong, wrong
    clean = next(result for row, result in checked if row["account"]["platform_id"] == "sim00001")
    assert clean.metrics == {"posts_by_month": {"2024-03": 1, "2024-04": 1, "2024-05": 2, "2024-06": 4},
                             "original_by_month": {"2024-03": 0, "2024-04": 1, "2024-05": 1, "2024-06": 3}}
    # Posts dated a month ahead are not publications; the two real ones are.
    future = _first(outcomes, "fault:future")
    assert future.metrics == {"posts_by_month": {"2024-05": 2}, "original_by_month": {"2024-05": 2}}
    # Page 2 repeated page 1: each post counts once.
    duplicates = _first(outcomes, "fault:duplicates")
    assert sum(duplicates.metrics["posts_by_month"].values()) == 8


def test_result_has_the_contract_shape(outcomes):
    row, result, _ = next(o for o in outcomes if o[0]["kind"] == "account_not_updated")
    data = result.to_json()
    assert data["target"]["kind"] == "account" and data["target"]["platform"] == row["account"]["platform"]
    assert data["target"]["id"] == row["account"]["id"]
    assert data["indicator_set"] == "weinan-2024" and data["verdict"] == "fail"
    assert set(data["findings"][0]) >= {"indicator", "severity", "message", "evidence"}
    assert datetime.fromisoformat(data["checked_at"]) == NOW

