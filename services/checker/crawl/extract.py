"""Attachment text extraction in child processes (crawl/attachments.py does the reading).

Attachments come from the sites we supervise and may be hostile: a PDF that crashes PDFium, a file that sends
a parser into a loop, one that inflates past any memory. Read in the worker's own process, one such file takes
the worker down with every slice it was running. Here each file is read in a child process (pebble's pool):
a child that dies, runs past `TIMEOUT` seconds or past `MEMORY_BYTES` of address space is replaced, and the
file is reported not scannable ("corrupt" / "timeout"), never clean. The children also put the second core to
work on PDFs while the worker's own process fetches and parses.
"""
import asyncio
from collections.abc import Callable
import logging
import multiprocessing
import resource
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from pebble import ProcessExpired, ProcessPool

from services.checker.crawl.attachments import Extracted, extract_text

log = logging.getLogger(__name__)

TIMEOUT = 60.0                       # seconds one file may take (a 500-page PDF reads in a few seconds)
MEMORY_BYTES = 1536 * 1024 * 1024    # address space of a child: a file needing more is not read
CHILDREN = 2
TASKS_PER_CHILD = 200                # children are renewed now and then (PDFium's caches, fragmentation)

_pool: ProcessPool | None = None
_lock = threading.Lock()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _get_pool() -> ProcessPool:
    global _pool
    with _lock:
        if _pool is None or not _pool.active:
            if _pool is not None:
                _pool.stop()      # a broken pool's threads and children go with it
            # Spawned, not forked: the worker forks with threads and locks held (logging, the DB pool).
            _pool = ProcessPool(max_workers=CHILDREN, max_tasks=TASKS_PER_CHILD, initializer=_limit_memory,
                                context=multiprocessing.get_context("spawn"))
        return _pool


def _read(body: bytes, url: str, content_type: str | None) -> Extracted:
    try:
        return extract_text(body, url=url, content_type=content_type)
    except MemoryError:
        return Extracted("unknown", "", False, "too_large")


async def extract(body: bytes, *, url: str = "", content_type: str | None = None,
                  timeout: float = TIMEOUT, reader: Callable[[bytes, str, str | None], Extracted] = _read) -> Extracted:
    """The file's text as `extract_text` reads it (or `reader`, a module-level function), from a child process;
    what kills or stalls the child is the file's fault and makes it not scannable."""
    for attempt in range(2):
        future = _get_pool().schedule(reader, args=(body, url, content_type), timeout=timeout)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            # pebble gives up a pool when a child dies while none of its tasks runs (the OOM killer, an operator):
            # the file is read again in a new pool, once; a second break is the file's.
            log.warning("attachment %s: extraction pool broken (attempt %d)", url, attempt + 1)
            continue
        except FutureTimeout:
            log.warning("attachment %s: extraction timed out", url)
            return Extracted("unknown", "", False, "timeout")
        except ProcessExpired as exc:
            log.warning("attachment %s: extraction process died (%s)", url, exc.exitcode)
            return Extracted("unknown", "", False, "corrupt")
    return Extracted("unknown", "", False, "corrupt")


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.stop()
            _pool.join(timeout=5)
            _pool = None
