"""Command line: `python -m services.checker check-site URL [--now ISO] [--indicator-set ID] [--json]`.

Exit status: 0 the site passes, 1 it fails, 2 the check could not be made (bad arguments, a target the
deployment refuses, an unknown indicator set …). Subcommands register in `build_parser`, so
`check-account` joins as one more `add_parser` with its own handler.
"""
import argparse
import asyncio
import json
import sys
import traceback
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from services.checker.crawl import CrawlSettings
from services.checker.engine import TargetRefused, check_site
from services.checker.indicators import resolve
from services.checker.model import CheckResult

CHINA = timezone(timedelta(hours=8))
PASS, FAIL, ERROR = 0, 1, 2
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
    lines = [f"网站：{result.target['url']}",
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


async def _check_site(args: argparse.Namespace) -> int:
    if urlsplit(args.url).scheme not in ("http", "https") or not urlsplit(args.url).hostname:
        raise UsageError(f"网址应以 http:// 或 https:// 开头：{args.url}")
    try:
        indicator_set = resolve(args.indicator_set)
    except KeyError as exc:
        raise UsageError(f"未知的指标集：{args.indicator_set}") from exc
    result = await check_site(args.url, now=_now(args.now), indicator_set=indicator_set,
                              settings=CrawlSettings.fast() if args.fast else None,
                              store_snapshot=not args.no_snapshot)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        print(summary(result))
    return PASS if result.verdict == "pass" else FAIL


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.checker", description="政府网站检查（命令行）")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    site = commands.add_parser("check-site", help="检查一个网站，运行全部网站检查项",
                               description="抓取网站并按指标集判定，输出与检查任务相同的结果。")
    site.add_argument("url", help="网站首页地址")
    site.add_argument("--now", help="监测时间点，ISO-8601（默认当前时间；无时区时按北京时间）")
    site.add_argument("--indicator-set", default="gov-2019", help="指标集 ID（默认 gov-2019）")
    site.add_argument("--json", action="store_true", help="输出 DESIGN.md 约定的 JSON 结果")
    site.add_argument("--fast", action="store_true", help="收紧抓取限制（本机测试站点用）")
    site.add_argument("--no-snapshot", action="store_true", help="不把页面快照存入 S3")
    site.set_defaults(handler=_check_site)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(args.handler(args))
    except TargetRefused as exc:
        print(f"错误：拒绝访问 {exc.url}：该地址属于内网/回环/保留地址，本部署不允许检查。"
              "如确需检查（测试或本机演示站点），请设置环境变量 GOVWATCH_ALLOW_PRIVATE_TARGETS=1。", file=sys.stderr)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
    except Exception:  # noqa: BLE001 - any other failure is "could not check", not a verdict
        traceback.print_exc()
        print("错误：检查未能完成（见上方错误信息）", file=sys.stderr)
    return ERROR


if __name__ == "__main__":
    sys.exit(main())
