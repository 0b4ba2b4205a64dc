"""`python -m services.checker check-site` as a subprocess against farm sites."""
import json
import os
import re
import signal
import subprocess
import sys
import time
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


SUMMARY = re.compile(r"共 (\d+) 个网站：抓取页面 (\d+) 个，检查网址 (\d+) 个，用时 ([\d.]+) 秒")


def sites(farm: Farm, *indexes: int, extra: tuple[str, ...] = (), allow_private: bool = True
          ) -> subprocess.CompletedProcess[str]:
    # Deployment timeouts (not --fast's 2 s deadlines): a whole-site count must not depend on the machine's load.
    urls = [farm.manifest["sites"][i]["url"] for i in indexes]
    return cli("check-site", *urls, "--now", farm.manifest["now"], "--no-snapshot", *extra,
               allow_private=allow_private)


def summary_of(done: subprocess.CompletedProcess[str]) -> tuple[int, int, int, float]:
    found = SUMMARY.search(done.stderr)
    assert found, done.stderr
    return int(found[1]), int(found[2]), int(found[3]), float(found[4])


def test_several_sites_one_json_line_each(farm: Farm) -> None:
    done = sites(farm, CLEAN, DOWN, DARK_LINK, extra=("--delay", "0", "--per-host", "8"))
    assert done.returncode == 1, done.stderr           # one site fails: the run fails
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    by_url = {line["target"]["url"]: line for line in lines}
    manifest = farm.manifest["sites"]
    assert sorted(by_url) == sorted(manifest[i]["url"] for i in (CLEAN, DOWN, DARK_LINK))
    assert by_url[manifest[CLEAN]["url"]]["verdict"] == "pass"
    assert "unreachable" in {f["indicator"] for f in by_url[manifest[DOWN]["url"]]["findings"]}
    assert "dark_link" in {f["indicator"] for f in by_url[manifest[DARK_LINK]["url"]]["findings"]}
    count, pages, urls, seconds = summary_of(done)
    # The whole site by default: every HTML page the clean site serves (a redirect and error pages aside)
    # is fetched, beyond --fast's sample budget of 30.
    clean = by_url[manifest[CLEAN]["url"]]["coverage"]
    assert clean["pages_fetched_cycle"] >= manifest[CLEAN]["pages"] - 5 > 30
    assert count == 3 and pages >= sum(line["coverage"]["pages_fetched_cycle"] for line in lines)
    assert urls >= clean["links_checked"] and seconds > 0


def test_max_pages_bounds_the_crawl(farm: Farm) -> None:
    done = sites(farm, CLEAN, extra=("--max-pages", "5", "--json", "--delay", "0"))
    data = result_json(done)                            # one URL: the result object as before
    assert data["coverage"]["pages_fetched_cycle"] <= 5
    assert summary_of(done)[:2] == (1, 5)


def test_politeness_options_are_applied(farm: Farm) -> None:
    # One request at a time, 0.1 s between starts: the homepage, its probe and the checks of the homepage's
    # links to its own host (its columns alone are more than ten) cannot take less than 1 s.
    done = sites(farm, CLEAN, extra=("--max-pages", "1", "--delay", "0.1", "--per-host", "1", "--json"))
    assert result_json(done)["coverage"]["pages_fetched_cycle"] == 1
    assert summary_of(done)[3] >= 1.0


def test_several_sites_bad_url_checks_none(farm: Farm) -> None:
    done = cli("check-site", farm.manifest["sites"][CLEAN]["url"], "ftp://example.gov.cn/", "--fast")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("错误") and "ftp://example.gov.cn/" in done.stderr


@pytest.mark.parametrize("args", [("--delay", "soon"), ("--per-host", "0"), ("--max-pages", "-3")])
def test_bad_politeness_arguments_exit_2(farm: Farm, args: tuple[str, str]) -> None:
    done = check(farm, CLEAN, *args)
    assert done.returncode == 2 and done.stderr.startswith("错误") and args[0] in done.stderr


def test_several_sites_refused_each_say_so(farm: Farm) -> None:
    done = sites(farm, CLEAN, DARK_LINK, allow_private=False)
    assert done.returncode == 2
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 2 and all("拒绝访问" in line["error"] for line in lines)


SERVER_STACK = ("fastapi", "sqlalchemy", "sqlmodel", "minio", "psycopg", "httpx", "lxml", "aiohttp")


def test_check_site_imports_only_what_it_uses(farm: Farm) -> None:
    # About 1 s of CPU per process went to the API, database and S3 stacks (spool, ledger) a check-site run
    # without snapshots never calls, and a tenth of one to httpx and aiohttp (the crawler is on libcurl; aiohttp
    # reads the platform feeds) and lxml (Office files).
    site = farm.manifest["sites"][DARK_LINK]
    code = ("import sys; from services.checker.__main__ import main; code = main(sys.argv[1:]); "
            f"print([m for m in {SERVER_STACK!r} if m in sys.modules], file=sys.stderr); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code, "check-site", site["url"], "--now", farm.manifest["now"],
                           "--fast", "--no-snapshot", "--json"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "GOVWATCH_ALLOW_PRIVATE_TARGETS": "1"}, timeout=120)
    assert "dark_link" in {f["indicator"] for f in result_json(done)["findings"]}
    assert done.stderr.splitlines()[-1] == "[]"


def test_nothing_fails_at_interpreter_exit(farm: Farm) -> None:
    # The site's pages outlive the modules at exit (gc.freeze); memos of theirs must not fail then.
    done = check(farm, CLEAN, "--json", "--no-snapshot")
    assert result_json(done)["metrics"]["messages_by_month"]
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr, done.stderr


def _lines(done: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    return {line["target"]["url"]: line for line in map(json.loads, done.stdout.splitlines())}


def _verdicts(lines: dict[str, dict[str, Any]]) -> dict[str, tuple[str, list[str]]]:
    return {url: (line["verdict"], sorted(f["indicator"] for f in line["findings"])) for url, line in lines.items()}


def test_workers_check_the_same_sites_the_same_way(farm: Farm) -> None:
    chosen = (CLEAN, DOWN, DARK_LINK, 0, 1)
    one = sites(farm, *chosen, extra=("--delay", "0", "--per-host", "8"))
    two = sites(farm, *chosen, extra=("--delay", "0", "--per-host", "8", "--workers", "2"))
    assert (one.returncode, two.returncode) == (1, 1), two.stderr
    assert _verdicts(_lines(two)) == _verdicts(_lines(one)) and len(_lines(two)) == 5
    count, pages, _, _ = summary_of(two)
    assert count == 5 and pages == summary_of(one)[1] and "2 个进程" in two.stderr


def test_a_worker_that_dies_leaves_an_error_line_for_each_of_its_sites(farm: Farm) -> None:
    urls = [farm.manifest["sites"][i]["url"] for i in (CLEAN, DARK_LINK, 0, 1)]
    env = {**os.environ, "GOVWATCH_ALLOW_PRIVATE_TARGETS": "1"}
    # 0.2 s between requests to a host: the workers are still crawling when one is killed.
    parent = subprocess.Popen([sys.executable, "-m", "services.checker", "check-site", *urls, "--now",
                               farm.manifest["now"], "--no-snapshot", "--delay", "0.2", "--workers", "2"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children: list[int] = []
    for _ in range(200):
        children = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent_of(int(p)) == parent.pid]
        if len(children) == 2:
            break
        time.sleep(0.05)
    assert len(children) == 2
    time.sleep(1.0)
    os.kill(children[0], signal.SIGKILL)
    out, _ = parent.communicate(timeout=120)
    lines = [json.loads(line) for line in out.splitlines()]
    assert parent.returncode == 2
    assert sorted(line["target"]["url"] for line in lines) == sorted(urls)  # every site has its line
    died = [line for line in lines if "error" in line]
    assert died and all(line["error"] == "检查进程意外退出，检查未能完成" for line in died)


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


@pytest.mark.parametrize("args", [("--workers", "0"), ("--workers", "two")])
def test_bad_workers_argument_exits_2(farm: Farm, args: tuple[str, str]) -> None:
    done = sites(farm, CLEAN, DARK_LINK, extra=args)
    assert done.returncode == 2 and done.stderr.startswith("错误") and "--workers" in done.stderr
