"""check-site over several worker processes (`--workers N`): one process runs Python on one core, so a
machine's other cores check other sites. This process loads the checker once and forks the workers from it (each
then starts at once, without an interpreter and imports of its own); each worker is `check-site` itself over its
share of the sites (the same time point, indicator set and limits), its output piped back here, where the lines are
passed on whole as they come.

A host's sites stay in one worker, so the per-host limits hold for them; a host only linked to (an outside
site's link targets) may get requests from several workers at once.
"""
import asyncio
import gc
import json
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable
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


def check_sites_in_workers(urls: list[str], options: list[str], workers: int,
                           run: Callable[[list[str]], int]) -> int:
    """`run(argv)` is the command line's main, which each worker runs as `check-site <its sites> <options>`.
    Exit status as one process's: 0 every site passes, 1 any fails, 2 any could not be checked."""
    started = time.monotonic()
    parts = shares(urls, workers)
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # what the workers inherit stays shared: the collector does not touch it
    # Forked before any event loop runs here: a child of a running loop could not start its own (Python 3.11).
    children = [_fork(["check-site", *share, *options], run) + (share,) for share in parts]
    return asyncio.run(_relay(children, len(urls), started))


def _fork(argv: list[str], run: Callable[[list[str]], int]) -> tuple[int, int, int]:
    """(pid, read end of its stdout, read end of its stderr)."""
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: its output goes to the pipes, and it never returns into the parent's code
        code = ERROR
        try:
            os.close(out_read)
            os.close(err_read)
            os.dup2(out_write, 1)
            os.dup2(err_write, 2)
            code = run(argv)
        except SystemExit as exc:  # argparse's own exit
            code = exc.code if isinstance(exc.code, int) else ERROR
        except BaseException:  # noqa: BLE001 - whatever happens, the worker process ends here
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(out_write)
    os.close(err_write)
    return pid, out_read, err_read


def _counts(line: str) -> tuple[int, int] | None:
    """(pages, URLs) of a worker's summary line."""
    try:
        pages = int(line.split("抓取页面 ", 1)[1].split(" ", 1)[0])
        checked = int(line.split("检查网址 ", 1)[1].split(" ", 1)[0])
    except (IndexError, ValueError):
        return None
    return pages, checked


async def _lines(fd: int) -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024, loop=loop)  # one site's JSON line can be large
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), os.fdopen(fd, "rb", 0))
    return reader


async def _relay(children: list[tuple[int, int, int, list[str]]], count: int, started: float) -> int:
    totals = [0, 0]

    async def worker(pid: int, out_fd: int, err_fd: int, share: list[str]) -> int:
        answered: set[str] = set()
        results, messages = await _lines(out_fd), await _lines(err_fd)

        async def pass_results() -> None:
            async for line in results:
                try:
                    answered.add(json.loads(line)["target"]["url"])
                except (ValueError, KeyError, TypeError):
                    pass
                sys.stdout.buffer.write(line)
                sys.stdout.flush()

        async def pass_messages() -> None:
            async for raw in messages:
                line = raw.decode("utf-8", "replace")
                counts = _counts(line) if line.startswith(_SUMMARY) else None
                if counts is None:
                    sys.stderr.write(line)
                else:
                    totals[0] += counts[0]
                    totals[1] += counts[1]

        await asyncio.gather(pass_results(), pass_messages())
        _, status = await asyncio.to_thread(os.waitpid, pid, 0)
        code = os.waitstatus_to_exitcode(status)
        missing = [url for url in share if url not in answered]
        for url in missing:  # the worker died (killed, out of memory) before checking these
            print(json.dumps({"target": {"kind": "site", "url": url}, "error": "检查进程意外退出，检查未能完成"},
                             ensure_ascii=False), flush=True)
        return ERROR if missing or code not in (0, 1, 2) else code

    codes = await asyncio.gather(*(worker(*child) for child in children))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"共 {count} 个网站：抓取页面 {totals[0]} 个，检查网址 {totals[1]} 个，用时 {time.monotonic() - started:.2f} 秒"
          f"（{len(children)} 个进程；网址数为各进程之和，单个进程内存峰值 {peak:.0f} MB）", file=sys.stderr)
    return max(codes)
