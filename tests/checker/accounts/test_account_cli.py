"""`python -m services.checker check-account` as a subprocess against the simulator."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.checker.accounts.conftest import FEEDS, SIM

ROOT = Path(__file__).resolve().parents[3]


def cli(*args: str, feeds: dict | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVWATCH_ALLOW_PRIVATE_TARGETS": "1",
           "GOVWATCH_PLATFORM_FEEDS": json.dumps(FEEDS if feeds is None else feeds)}
    return subprocess.run([sys.executable, "-m", "services.checker", "check-account", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def row_of(kind: str) -> dict:
    return next(r for r in SIM.manifest["accounts"] if r["kind"] == kind)["account"]


def args_of(account: dict, *extra: str) -> list[str]:
    out = ["--platform", account["platform"], "--id", account["platform_id"], "--name", account["registered_name"],
           "--now", SIM.now.isoformat(), *extra]
    if account["interaction_url"]:
        out += ["--interaction-url", account["interaction_url"]]
    return out


def test_json_output_for_a_renamed_account_fails_under_weinan():
    account = row_of("account_renamed_unfiled")
    done = cli(*args_of(account, "--indicator-set", "weinan-2024", "--json"))
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["target"]["kind"] == "account" and result["target"]["platform"] == account["platform"]
    assert result["verdict"] == "fail" and result["indicator_set"] == "weinan-2024"
    assert [f["indicator"] for f in result["findings"]] == ["account_renamed_unfiled"]
    assert result["findings"][0]["message"].startswith("已改名(")
    assert result["findings"][0]["severity"] == "veto"
    assert sum(result["metrics"]["posts_by_month"].values()) == 8  # the feed's posts, by China month


def test_clean_account_passes_with_a_readable_summary():
    done = cli(*args_of(row_of("clean")))
    assert done.returncode == 0, done.stderr
    assert "检查结果：合格" in done.stdout and "未发现问题" in done.stdout


def test_not_updated_summary_in_chinese():
    done = cli(*args_of(row_of("account_not_updated")))
    assert done.returncode == 1
    assert "14天未更新" in done.stdout and "单项否决" in done.stdout


def test_feed_fault_is_an_error_exit():
    done = cli(*args_of(row_of("fault:garbage")))
    assert done.returncode == 2 and "bad_feed" in done.stderr and "格式错误" in done.stderr


def test_bad_arguments():
    assert cli("--platform", "myspace", "--id", "x").returncode == 2
    done = cli("--platform", "weibo", "--id", "x", "--indicator-set", "nope")
    assert done.returncode == 2 and "未知的指标集" in done.stderr
    done = cli("--platform", "weibo", "--id", "x", feeds={"weibo": {"kind": "json"}})
    assert done.returncode == 2 and "GOVWATCH_PLATFORM_FEEDS" in done.stderr


def test_simulator_runs_as_a_process_and_serves_demo_interaction_paths(tmp_path):
    """`python -m tests.fixtures.platforms` writes its manifest and serves /interact/<platform_id> for the
    registry demo accounts (a clean account for ids it was not seeded with)."""
    import socket
    import time
    import urllib.error
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    manifest = tmp_path / "sim.json"
    process = subprocess.Popen([sys.executable, "-m", "tests.fixtures.platforms", "--port", str(port), "--accounts",
                                "24", "--no-demo", "--manifest", str(manifest)], cwd=ROOT,
                               stdout=subprocess.DEVNULL)   # only the 24 seeded (demo ids still answer, clean)
    try:
        deadline = time.monotonic() + 20
        while not manifest.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        data = json.loads(manifest.read_text(encoding="utf-8"))
        assert len(data["accounts"]) == 24 and data["base"] == f"http://127.0.0.1:{port}"
        assert {r["kind"] for r in data["accounts"]} >= {"clean", "account_menu_broken", "fault:timeout"}
        with urllib.request.urlopen(f"{data['base']}/interact/demo-weibo-1", timeout=5) as response:
            assert response.status == 200 and "留言互动" in response.read().decode()
        dead = next(r["account"]["platform_id"] for r in data["accounts"]
                    if r["kind"] == "account_interaction_link_broken")
        try:
            urllib.request.urlopen(f"{data['base']}/interact/{dead}", timeout=5)
            raise AssertionError("dead interaction link answered")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    finally:
        process.terminate()
        process.wait(timeout=10)
