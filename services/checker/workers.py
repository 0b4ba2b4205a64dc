"""check-site over several worker processes (`--workers N`): one process runs Python on one core, so a
machine's other cores check other sites. Each worker is `check-site` itself over its share of the sites
(the same time point, indicator set and limits); this process hands the shares out and passes the workers'
lines on as they come. It loads none of the checker.

A host's sites stay in one worker, so the per-host limits hold for them; a host only linked to (an outside
site's link targets) may get requests from several workers at once.
"""
import asyncio
import json
import resource
import sys
import time
from urllib.parse import urlsplit

ERROR = 2
_SUMMARY = "共 "  # a worker's summary line on stderr: 共 N 个网站：抓取页面 P 个，检查网址 U 个，用时 S 秒


def shares(urls: list[str], workers: int) -> list[list[str]]:
    """The sites by host, the largest hosts first, each to the worker with the fewest sites so far."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(urlsplit(url).netloc.lower(), []).append(url)
    buckets: list[list[str]] = [[] for _ in range(workers)]
    for group in sorted(by_host.values(), key=len, reverse=True):
        min(buckets, key=len).extend(group)
    return [bucket for bucket in buckets if bucket]


def check_sites_in_workers(urls: list[str], options: list[str], workers: int) -> int:
    """Exit status as one process's: 0 every site passes, 1 any fails, 2 any could not be checked."""
    return asyncio.run(_run(urls, options, workers))


def _counts(line: str) -> tuple[int, int] | None:
    """(pages, URLs) of a worker's summary line."""
    try:
        pages = int(line.split("抓取页面 ", 1)[1].split(" ", 1)[0])
        checked = int(line.split("检查网址 ", 1)[1].split(" ", 1)[0])
    except (IndexError, ValueError):
        return None
    return pages, checked


async def _run(urls: list[str], options: list[str], workers: int) -> int:
    started = time.monotonic()
    totals = [0, 0]
    parts = shares(urls, workers)

    async def worker(share: list[str]) -> int:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.checker", "check-site", *share, *options,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, limit=64 * 1024 * 1024)
        answered: set[str] = set()

        async def results() -> None:
            assert process.stdout is not None
            async for line in process.stdout:
                try:
                    answered.add(json.loads(line)["target"]["url"])
                except (ValueError, KeyError, TypeError):
                    pass
                sys.stdout.buffer.write(line)
                sys.stdout.flush()

        async def messages() -> None:
            assert process.stderr is not None
            async for raw in process.stderr:
                line = raw.decode("utf-8", "replace")
                counts = _counts(line) if line.startswith(_SUMMARY) else None
                if counts is None:
                    sys.stderr.write(line)
                else:
                    totals[0] += counts[0]
                    totals[1] += counts[1]

        await asyncio.gather(results(), messages())
        code = await process.wait()
        missing = [url for url in share if url not in answered]
        for url in missing:  # the worker died (killed, out of memory) before checking these
            print(json.dumps({"target": {"kind": "site", "url": url}, "error": "检查进程意外退出，检查未能完成"},
                             ensure_ascii=False), flush=True)
        return ERROR if missing or code not in (0, 1, 2) else code

    codes = await asyncio.gather(*(worker(share) for share in parts))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"共 {len(urls)} 个网站：抓取页面 {totals[0]} 个，检查网址 {totals[1]} 个，用时 {time.monotonic() - started:.2f} 秒"
          f"（{len(parts)} 个进程；网址数为各进程之和，单个进程内存峰值 {peak:.0f} MB）", file=sys.stderr)
    return max(codes)
