"""Hostile or broken platform data: one account's fault is that account's error or finding, nothing else."""
import asyncio
import time
from dataclasses import replace

import pytest

from services.checker.engine import AccountUnavailable, check_account
from services.checker.platforms import FeedConfig, feed_config
from services.common.settings import get_settings
from tests.checker.accounts.conftest import SIM

NOW = SIM.now


def row_of(kind: str) -> dict:
    return next(r for r in SIM.manifest["accounts"] if r["kind"] == kind)["account"]


async def test_hung_feed_does_not_hold_up_other_accounts():
    hung, clean = row_of("fault:timeout"), [r["account"] for r in SIM.manifest["accounts"] if r["kind"] == "clean"][:10]
    started = time.monotonic()
    outcomes = await asyncio.gather(check_account(hung, now=NOW), *(check_account(a, now=NOW) for a in clean),
                                    return_exceptions=True)
    assert isinstance(outcomes[0], AccountUnavailable) and outcomes[0].code == "timeout"
    assert "超时" in str(outcomes[0]) and "重试" in str(outcomes[0])
    assert all(r.verdict == "pass" for r in outcomes[1:])
    assert time.monotonic() - started < 10   # 2 attempts of 1 s plus backoff, not the server's 3 s sleep × n


async def test_endless_pagination_stops_at_the_page_cap():
    before = SIM.leaves["posts"]
    with pytest.raises(AccountUnavailable) as caught:
        await check_account(row_of("fault:endless"), now=NOW)
    assert caught.value.code == "endless_pagination"
    assert SIM.leaves["posts"] - before == feed_config("weibo").page_cap   # the entries are read meanwhile


async def test_name_changing_between_pages_is_an_inconsistent_feed():
    with pytest.raises(AccountUnavailable) as caught:
        await check_account(row_of("fault:name_change"), now=NOW)
    assert caught.value.code == "inconsistent_feed" and "（新）" in str(caught.value)


async def test_wrong_credentials_are_refused():
    account = row_of("clean")
    config = replace(feed_config(account["platform"]), token="wrong") if account["platform"] != "toutiao" else None
    if config is None:
        account = next(r["account"] for r in SIM.manifest["accounts"]
                       if r["kind"] == "clean" and r["account"]["platform"] != "toutiao")
        config = replace(feed_config(account["platform"]), token="wrong")
    with pytest.raises(AccountUnavailable) as caught:
        await check_account(account, now=NOW, feed=config)
    assert caught.value.code == "unauthorized"


async def test_rss_garbage_and_dtd_are_refused():
    account = next(r["account"] for r in SIM.manifest["accounts"] if r["account"]["platform"] == "toutiao")
    bad_xml = FeedConfig(kind="rss", feed_url=f"{SIM.base}/feeds/weibo/accounts/{{platform_id}}/profile", retries=1)
    with pytest.raises(AccountUnavailable) as caught:
        await check_account(account, now=NOW, feed=replace(bad_xml, token=SIM.token))
    assert caught.value.code == "bad_feed"
    from services.checker.platforms.rss import _parse
    from services.checker.platforms.base import FeedError
    with pytest.raises(FeedError):
        _parse(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>')


async def test_unreachable_feed_is_a_connect_error():
    config = FeedConfig(base_url="http://127.0.0.1:9/feeds", retries=2, backoff=0.01, timeout=1)
    with pytest.raises(AccountUnavailable) as caught:
        await check_account(row_of("clean"), now=NOW, feed=config)
    assert caught.value.code == "connect_error"


async def test_private_interaction_links_are_refused_without_the_deployment_switch():
    """Links come from untrusted feed data: with private targets not allowed, the SSRF guard refuses the
    loopback interaction and menu links (reported as not working), while the configured feed itself may
    be explicitly allowed on a private address."""
    account = next(r["account"] for r in SIM.manifest["accounts"]
                   if r["kind"] == "clean" and r["account"]["platform"] == "weibo")
    settings = get_settings()
    saved = settings.allow_private_targets
    settings.allow_private_targets = False
    try:
        result = await check_account(account, now=NOW, feed=replace(feed_config("weibo"), allow_private=True))
    finally:
        settings.allow_private_targets = saved
    codes = {f.indicator: f for f in result.findings}
    assert set(codes) == {"account_interaction_link_broken", "account_menu_broken"}
    assert all(link["error"] == "forbidden_address" for f in codes.values() for link in f.data["links"])


def test_unconfigured_platform_without_observations_is_not_configured():
    with pytest.raises(AccountUnavailable) as caught:
        asyncio.run(check_account({"id": 1, "platform": "app", "platform_id": "nothing-here", "registered_name": "x"},
                                  now=NOW, feed=FeedConfig(kind="import")))
    assert caught.value.code == "not_configured"


async def test_server_errors_are_retried_with_backoff():
    account = next(r["account"] for r in SIM.manifest["accounts"] if r["kind"] == "fault:flaky")
    SIM._failed_once.discard(account["platform_id"])
    result = await check_account(account, now=NOW)
    assert result.verdict == "pass" and account["platform_id"] in SIM._failed_once
    SIM._failed_once.discard(account["platform_id"])
    with pytest.raises(AccountUnavailable) as caught:
        await check_account(account, now=NOW, feed=replace(feed_config(account["platform"]), retries=1))
    assert caught.value.code == "http_error" and "503" in str(caught.value)
