"""`python -m services.checker check-site` as a subprocess against farm sites."""
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.farm import Farm

ROOT = Path(__file__).resolve().parents[2]
CLEAN, DOWN, DARK_LINK = 6, 3, 13            # farm indexes: 渭南市人民政府, 韩城市财政局 (down), a dark link


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    with Farm(sites=DARK_LINK + 1) as running:
        yield running


def cli(*args: str, allow_private: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GOVWATCH_ALLOW_PRIVATE_TARGETS"}
    if allow_private:
        env["GOVWATCH_ALLOW_PRIVATE_TARGETS"] = "1"
    return subprocess.run([sys.executable, "-m", "services.checker", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def check(farm: Farm, index: int, *extra: str, allow_private: bool = True) -> subprocess.CompletedProcess[str]:
    site = farm.manifest["sites"][index]
    return cli("check-site", site["url"], "--now", farm.manifest["now"], "--fast", *extra, allow_private=allow_private)


def result_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_private_target_refused_without_the_switch(farm: Farm) -> None:
    done = check(farm, CLEAN, "--json", allow_private=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "GOVWATCH_ALLOW_PRIVATE_TARGETS=1" in done.stderr and "拒绝访问" in done.stderr


def test_json_result_and_exit_code(farm: Farm) -> None:
    site = farm.manifest["sites"][CLEAN]
    data = result_json(check(farm, CLEAN, "--json"))
    assert data["target"] == {"kind": "site", "id": None, "url": site["url"]}
    assert (data["indicator_set"], data["checked_at"]) == ("gov-2019", farm.manifest["now"])
    assert data["verdict"] == "pass" and data["score"] >= 60
    # Monthly figures of what the crawl saw, as the farm planted them (24 articles, 8 board messages).
    assert data["metrics"] == site["metrics"]
    assert sum(data["metrics"]["items_by_month"].values()) == 24


@pytest.mark.parametrize("index, code", [(DOWN, "unreachable"), (DARK_LINK, "dark_link")])
def test_failing_site_exits_1(farm: Farm, index: int, code: str) -> None:
    done = check(farm, index, "--json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["verdict"] == "fail" and code in {f["indicator"] for f in data["findings"]}


def test_readable_summary(farm: Farm) -> None:
    done = check(farm, DOWN)
    assert done.returncode == 1
    assert "检查结果：不合格" in done.stdout and "监测时间点无法访问" in done.stdout


@pytest.mark.parametrize("args", [("--indicator-set", "no-such-set"), ("--now", "yesterday")])
def test_bad_arguments_exit_2(farm: Farm, args: tuple[str, str]) -> None:
    done = check(farm, CLEAN, *args)
    assert done.returncode == 2 and done.stderr.startswith("错误")
