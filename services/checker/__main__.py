"""Command line: `python -m services.checker check-site URL [URL ...] [--now ISO] [--indicator-set ID] [--json]
[--delay SECONDS] [--per-host N] [--max-pages N] [--prefix URL] [--workers N]` and
`python -m services.checker check-account --platform P --id ID [--name 登记名称] [--interaction-url URL]
[--now ISO] [--indicator-set ID] [--json]` (the platform's data source comes from GOVWATCH_PLATFORM_FEEDS).

check-site crawls the whole site (every page of the homepage's host its links reach; `--max-pages` bounds
it) and checks every link found. With `--prefix` the one URL is a 信息公开专栏's entry page: only pages under the
prefix are crawled and the host-level checks are left to the host site. Several URLs are checked concurrently in
one process over one HTTP client, or, with `--workers N`, spread by host over N such processes (workers.py);
their results are printed one JSON object per line as each finishes. A summary line on stderr gives pages,
URLs and seconds.

Exit status: 0 the site passes (every site, for several), 1 it fails (any), 2 the check could not be made
(bad arguments, a target the deployment refuses, an unknown indicator set …). Subcommands register in
`build_parser`, so `check-account` joins as one more `add_parser` with its own handler.
"""
import argparse
import asyncio
import gc
import json
import sys
import time
import traceback
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import uvloop

from services.checker.crawl import CrawlSettings, Fetcher
from services.checker.crawl.crawler import within_scope
from services.checker.engine import AccountUnavailable, TargetRefused, check_account, check_site
from services.checker.indicators import IndicatorSet, resolve
from services.checker.model import CheckResult
from services.checker.workers import check_sites_in_workers

CHINA = timezone(timedelta(hours=8))
PASS, FAIL, ERROR = 0, 1, 2
WHOLE_SITE = 1_000_000   # pages and link targets per site when --max-pages is not given
SITES_AT_ONCE = 32       # sites crawled concurrently by one check-site
SEVERITY_ZH = {"veto": "单项否决", "deduct": "扣分"}


class UsageError(Exception):
    pass


def _now(value: str | None) -> datetime:
    """The monitoring time point; a value without an offset is Beijing time, as notices print it."""
    if value is None:
        return datetime.now(CHINA)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--now 不是 ISO-8601 时间：{value}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def summary(result: CheckResult) -> str:
    verdict = "合格" if result.verdict == "pass" else "不合格"
    target = result.target
    if target.get("kind") == "account":
        from services.checker.platforms import PLATFORM_LABELS
        head = (f"账号：{PLATFORM_LABELS.get(target['platform'], target['platform'])} {target.get('platform_id')}"
                f"{'（' + target['name'] + '）' if target.get('name') else ''}")
    else:
        head = f"网站：{target['url']}"
    lines = [head,
             f"监测时间点：{result.checked_at}　指标集：{result.indicator_set}（第{result.indicator_set_version}版）",
             f"检查结果：{verdict}　得分：{result.score:g}"]
    if not result.findings:
        lines.append("未发现问题。")
    for n, finding in enumerate(result.findings, 1):
        cost = SEVERITY_ZH[finding.severity] + (f" {finding.points:g}分" if finding.severity == "deduct" else "")
        lines.append(f"{n}. 【{cost}】{finding.message}（{finding.indicator}）")
        for evidence in finding.evidence[:3]:
            lines.append(f"   - {evidence.url}　{evidence.excerpt}")
        if len(finding.evidence) > 3:
            lines.append(f"   - ……另有{len(finding.evidence) - 3}条证据")
    return "\n".join(lines)


def _number(value: str | None, name: str, kind: type, least: float) -> float | int | None:
    if value is None:
        return None
    try:
        number = kind(value)
    except ValueError as exc:
        raise UsageError(f"{name} 应为{'整数' if kind is int else '数字'}：{value}") from exc
    if number < least:
        raise UsageError(f"{name} 不能小于 {least:g}：{value}")
    return number


def site_settings(args: argparse.Namespace) -> CrawlSettings:
    """The crawl limits of a check-site run: the whole site unless --max-pages, politeness as given."""
    base = CrawlSettings.fast() if args.fast else CrawlSettings()
    pages = _number(args.max_pages, "--max-pages", int, 1)
    delay = _number(args.delay, "--delay", float, 0)
    per_host = _number(args.per_host, "--per-host", int, 1)
    return replace(base, whole_site=True, page_budget=int(pages or WHOLE_SITE), max_link_checks=WHOLE_SITE,
                   per_host_delay=base.per_host_delay if delay is None else float(delay),
                   per_host_concurrency=base.per_host_concurrency if per_host is None else int(per_host))


def _urls(args: argparse.Namespace) -> list[str]:
    for url in args.url:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise UsageError(f"网址应以 http:// 或 https:// 开头：{url}")
    return list(dict.fromkeys(args.url))


def _workers(args: argparse.Namespace, urls: list[str]) -> int:
    return min(len(urls), int(_number(args.workers, "--workers", int, 1) or 1))


def _indicator_set(args: argparse.Namespace) -> IndicatorSet:
    try:
        return resolve(args.indicator_set)
    except KeyError as exc:
        raise UsageError(f"未知的指标集：{args.indicator_set}") from exc


def _sites_at_once(args: argparse.Namespace, urls: list[str]) -> int:
    return min(len(urls), int(_number(args.sites_at_once, "--sites-at-once", int, 1) or SITES_AT_ONCE))


async def _check_site(args: argparse.Namespace) -> int:
    urls = _urls(args)
    indicator_set = _indicator_set(args)
    settings, now = site_settings(args), _now(args.now)
    scope = args.prefix
    if scope is not None:  # a 信息公开专栏: one entry page under the prefix, on the prefix's host
        prefix = urlsplit(scope)
        if prefix.scheme not in ("http", "https") or not prefix.hostname:
            raise UsageError(f"网址前缀应以 http:// 或 https:// 开头：{scope}")
        scope = scope if prefix.path.endswith("/") else f"{scope}/"
        if len(urls) != 1 or not within_scope(urls[0], scope):
            raise UsageError(f"指定 --prefix 时只能检查一个专栏，且入口网址应在网址前缀之下：{scope}")
    at_once = _sites_at_once(args, urls)
    started = time.monotonic()
    # One client for every site: connections, the name cache and per-host limits are shared.
    fetcher = Fetcher(settings, connections=at_once * (settings.link_check_concurrency + settings.per_host_concurrency))
    try:
        async def one(url: str) -> CheckResult:
            return await check_site(url, now=now, indicator_set=indicator_set, settings=settings,
                                    store_snapshot=not args.no_snapshot, fetcher=fetcher, scope=scope)

        if len(urls) == 1:
            result = await one(urls[0])
            if args.json:
                print(json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str))
            else:
                print(summary(result))
            code = PASS if result.verdict == "pass" else FAIL
        else:
            code = await _check_sites(urls, one, at_once)
    finally:
        await fetcher.aclose()
        seconds = time.monotonic() - started
        print(f"共 {len(urls)} 个网站：抓取页面 {fetcher.pages_fetched} 个，检查网址 {len(fetcher.urls)} 个，"
              f"用时 {seconds:.2f} 秒", file=sys.stderr)
    return code


def _check_site_in_workers(args: argparse.Namespace) -> int | None:
    """Several sites with --workers N > 1: worker processes forked from this one check them
    (services/checker/workers.py) and this process passes their lines on. None when one process is to check
    them. The arguments are checked here, once, and the indicator set read before the workers inherit it."""
    urls = _urls(args)
    workers = _workers(args, urls)
    if workers < 2:
        return None
    if args.prefix is not None:
        raise UsageError("指定 --prefix 时只能检查一个专栏，不能使用 --workers")
    site_settings(args)
    _indicator_set(args)
    options = ["--now", _now(args.now).isoformat(), "--indicator-set", args.indicator_set,
               "--sites-at-once", str(-(-_sites_at_once(args, urls) // workers))]
    for flag, value in (("--delay", args.delay), ("--per-host", args.per_host), ("--max-pages", args.max_pages)):
        if value is not None:
            options += [flag, value]
    options += [flag for flag, on in (("--fast", args.fast), ("--no-snapshot", args.no_snapshot)) if on]
    return check_sites_in_workers(urls, options, workers, main)


async def _check_sites(urls: list[str], one, at_once: int) -> int:  # noqa: ANN001 - one(url) -> CheckResult
    """Every site concurrently (`at_once` at a time); one JSON line per site as it finishes. A site that
    could not be checked gets a line with its `error` (in Chinese) instead of a result."""
    gate = asyncio.Semaphore(at_once)
    codes: list[int] = []

    async def line(url: str) -> None:
        async with gate:
            try:
                result = await one(url)
            except TargetRefused as exc:
                data, code = {"target": {"kind": "site", "url": url},
                              "error": f"拒绝访问 {exc.url}：该地址属于内网/回环/保留地址，本部署不允许检查"}, ERROR
            except Exception:  # noqa: BLE001 - one site's failure is its line, the others go on
                traceback.print_exc()
                data, code = {"target": {"kind": "site", "url": url}, "error": "检查未能完成"}, ERROR
            else:
                data, code = result.to_json(), PASS if result.verdict == "pass" else FAIL
        print(json.dumps(data, ensure_ascii=False, default=str), flush=True)
        codes.append(code)

    await asyncio.gather(*(line(url) for url in urls))
    return max(codes)


async def _check_account(args: argparse.Namespace) -> int:
    from services.checker.platforms import PLATFORMS, feed_configs
    if args.platform not in PLATFORMS:
        raise UsageError(f"未知的平台：{args.platform}（可选：{'、'.join(PLATFORMS)}）")
    indicator_set = _indicator_set(args)
    try:
        feed_configs()
    except ValueError as exc:
        raise UsageError(f"GOVWATCH_PLATFORM_FEEDS 配置有误：{exc}") from exc
    account = {"id": None, "platform": args.platform, "platform_id": args.id, "registered_name": args.name or "",
               "interaction_url": args.interaction_url}
    result = await check_account(account, now=_now(args.now), indicator_set=indicator_set)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        print(summary(result))
        for note in result.target.get("notes", []):
            print(f"注：{note}")
    return PASS if result.verdict == "pass" else FAIL


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.checker", description="政府网站检查（命令行）")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    site = commands.add_parser("check-site", help="检查网站（可多个），运行全部网站检查项",
                               description="抓取整个网站并按指标集判定，输出与检查任务相同的结果；"
                                           "多个网站同时检查，每个网站输出一行 JSON。")
    site.add_argument("url", nargs="+", help="网站首页地址（可多个）")
    site.add_argument("--now", help="监测时间点，ISO-8601（默认当前时间；无时区时按北京时间）")
    site.add_argument("--indicator-set", default="gov-2019", help="指标集 ID（默认 gov-2019）")
    site.add_argument("--json", action="store_true", help="输出 DESIGN.md 约定的 JSON 结果")
    site.add_argument("--fast", action="store_true", help="收紧抓取限制（本机测试站点用）")
    site.add_argument("--no-snapshot", action="store_true", help="不把页面快照存入 S3")
    site.add_argument("--delay", metavar="SECONDS", help="同一主机两次请求的最小间隔秒数（默认 0.5；自有服务器或基准测试可设 0）")
    site.add_argument("--per-host", metavar="N", help="同一主机同时进行的请求数（默认 2）")
    site.add_argument("--max-pages", metavar="N", help="每个网站最多抓取的页面数（默认：整个网站）")
    site.add_argument("--prefix", metavar="URL",
                      help="信息公开专栏：只检查该网址前缀下的页面（URL 为专栏入口，须在前缀之下）")
    site.add_argument("--sites-at-once", metavar="N", help=f"同时检查的网站数（默认 {SITES_AT_ONCE}）")
    site.add_argument("--workers", metavar="N",
                      help="检查进程数（默认 1）。多个网站按主机分给各进程，用满多核；"
                           "同一主机的并发与间隔由各进程分别遵守，外部链接的主机可能同时收到多个进程的请求")
    site.set_defaults(handler=_check_site)
    account = commands.add_parser("check-account", help="检查一个政务新媒体账号，运行全部账号检查项",
                                  description="通过平台数据源（GOVWATCH_PLATFORM_FEEDS）读取账号并按指标集判定。")
    account.add_argument("--platform", required=True, help="平台：wechat_subscription、weibo、douyin …")
    account.add_argument("--id", required=True, help="平台账号ID / 微信号")
    account.add_argument("--name", help="登记名称（用于判断改名未备案）")
    account.add_argument("--interaction-url", help="登记的互动交流链接")
    account.add_argument("--now", help="监测时间点，ISO-8601（默认当前时间；无时区时按北京时间）")
    account.add_argument("--indicator-set", default="gov-2019", help="指标集 ID（默认 gov-2019）")
    account.add_argument("--json", action="store_true", help="输出 DESIGN.md 约定的 JSON 结果")
    account.set_defaults(handler=_check_account)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "check-site":
        try:
            code = _check_site_in_workers(args)
        except UsageError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return ERROR
        if code is not None:
            return code
    # A crawl allocates many small objects (links, items) that live until the site's checks: the import-time
    # objects are set aside for good and collections run less often (about a tenth less CPU per URL).
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(args.handler(args))
    except TargetRefused as exc:
        print(f"错误：拒绝访问 {exc.url}：该地址属于内网/回环/保留地址，本部署不允许检查。"
              "如确需检查（测试或本机演示站点），请设置环境变量 GOVWATCH_ALLOW_PRIVATE_TARGETS=1。", file=sys.stderr)
    except AccountUnavailable as exc:
        print(f"错误：无法读取账号数据（{exc.code}）：{exc}", file=sys.stderr)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
    except Exception:  # noqa: BLE001 - any other failure is "could not check", not a verdict
        traceback.print_exc()
        print("错误：检查未能完成（见上方错误信息）", file=sys.stderr)
    return ERROR


if __name__ == "__main__":
    sys.exit(main())
