"""The demo's accounts fail for the reasons seed 004 gives (issue 16, item 13): the simulator serves the
registry demo's own platform ids (gh_…, dy…, weibo numbers) with each account's problems, and the account
checks find exactly those, for one or two problems per account."""
from datetime import timedelta

import pytest

from services.checker.engine import check_account
from services.registry.demo import data
from tests.checker.accounts.conftest import SIM

SEEDED = {pid: (name, codes) for _, pid, name, _, codes in data.seeded_accounts()}


def test_every_failing_account_of_seed_004_has_its_problems():
    # 33 accounts failed in seed 004; each is one the demo loads under the id the simulator serves.
    assert len(SEEDED) == 33
    assert set(data.SEED_ACCOUNT_PROBLEMS) == {name for name, *_ in data.NAMED_ACCOUNTS}
    problems = {code for _, codes in SEEDED.values() for code in codes}
    assert problems == {"account_not_updated", "account_no_interaction", "account_interaction_link_broken",
                        "account_no_original", "account_renamed_unfiled", "account_not_found"}
    assert sum(len(codes) == 2 for _, codes in SEEDED.values()) == 2  # 长期无更新 with an interaction problem


@pytest.mark.parametrize("platform_id", sorted(SEEDED))
async def test_the_demo_account_fails_for_its_seed_reasons(platform_id):
    row = next(r for r in SIM.manifest["accounts"] if r["account"]["platform_id"] == platform_id)
    result = await check_account(row["account"], now=SIM.now, indicator_set="weinan-2024")
    name, codes = SEEDED[platform_id]
    assert {f.indicator for f in result.findings} == set(codes), name
    assert result.verdict == "fail"
    renamed = [f for f in result.findings if f.indicator == "account_renamed_unfiled"]
    live = {n: live for n, _, _, live in data.NAMED_ACCOUNTS}[name]
    if renamed:  # the notice names the new name (e.g. 已改名(高新警讯)系统中未改名)
        assert live in renamed[0].message


async def test_other_demo_accounts_still_pass():
    """An id the seed did not fail (e.g. 渭南发布) is served as a clean account."""
    account = {"id": 1, "platform": "wechat_subscription", "platform_id": data.platform_id("wechat_subscription", "渭南发布"),
               "registered_name": "渭南发布", "interaction_url": None}
    result = await check_account(account, now=SIM.now, indicator_set="weinan-2024")
    assert result.verdict == "pass" and not result.findings


async def test_the_result_says_what_the_check_saw():
    """Last post, posts in 14 days, originals in 3 months and the entries the interaction check followed."""
    def row(name):
        pid = next(pid for pid, (n, _) in SEEDED.items() if n == name)
        return next(r for r in SIM.manifest["accounts"] if r["account"]["platform_id"] == pid)["account"]

    stale = await check_account(row("澄城公安"), now=SIM.now, indicator_set="weinan-2024")
    seen = stale.to_json()["activity"]
    assert seen["update_days"] == 14 and seen["posts_in_update_window"] == 0 and seen["posts_seen"] == 5
    assert seen["last_post_at"].startswith((SIM.now - timedelta(days=20, hours=2)).date().isoformat())
    assert seen["original_days"] >= 90 and seen["original_in_window"] >= 1
    assert [(e["kind"], e["outcome"]) for e in seen["entries"]] == [("menu", "ok"), ("menu", "ok"), ("interaction", "ok")]

    dead = (await check_account(row("渭南二黄"), now=SIM.now, indicator_set="weinan-2024")).activity
    link = next(e for e in dead["entries"] if e["kind"] == "interaction")
    assert link["outcome"] == "broken" and link["status"] == 404 and link["reason"] == "HTTP 404"
    assert dead["posts_in_update_window"] >= 1

    reposts = (await check_account(row("法治白水"), now=SIM.now, indicator_set="weinan-2024")).activity
    assert reposts["posts_in_original_window"] >= 1 and reposts["original_in_window"] == 0

    silent = (await check_account(row("韩城公安"), now=SIM.now, indicator_set="weinan-2024")).activity
    assert silent["interaction_enabled"] is False and not [e for e in silent["entries"] if e["kind"] == "interaction"]
