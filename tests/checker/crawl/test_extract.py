"""Attachments read in child processes (crawl/extract.py): the same text as reading in-process, and a file
that stalls or kills its reader is reported not scannable while the pool goes on reading the next files."""
import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from services.checker.crawl import extract as sandbox
from services.checker.crawl.attachments import extract_text
from tests.fixtures.farm.attachments import KINDS, make_attachment

WORD = "中华人名共和国"


@pytest.fixture(scope="module", autouse=True)
def pool_stopped_after():
    yield
    sandbox.shutdown()


def _readers() -> list[int]:
    """Live reader processes of the pool: spawned children of this test process (not the resource tracker,
    nor servers other tests started)."""
    me, out = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z" and b"spawn_main" in command:
                out.append(int(entry.name))
    return out


def _big_pdf(pages: int = 400) -> bytes:
    return make_attachment("pdf", ("县政府工作报告。" * 60 + "\n") * pages + WORD)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_child_reads_what_the_process_reads(kind: str) -> None:
    body = make_attachment(kind, f"本县通知附件，{WORD}在文末。")
    inside = extract_text(body, url=f"http://127.0.0.1/f.{kind}")
    outside = asyncio.run(sandbox.extract(body, url=f"http://127.0.0.1/f.{kind}"))
    assert outside == inside
    assert WORD in outside.text if outside.scannable else outside.reason == "image_only"


def test_a_file_that_stalls_its_reader_times_out_and_the_next_is_read() -> None:
    async def run() -> tuple[sandbox.Extracted, sandbox.Extracted]:
        stalled = await sandbox.extract(_big_pdf(), url="http://127.0.0.1/big.pdf", timeout=0.05)
        after = await sandbox.extract(make_attachment("docx", WORD), url="http://127.0.0.1/a.docx")
        return stalled, after

    stalled, after = asyncio.run(run())
    assert (stalled.scannable, stalled.reason) == (False, "timeout")
    assert after.scannable and WORD in after.text


def test_a_reader_that_dies_makes_the_file_corrupt_not_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    async def run() -> tuple[sandbox.Extracted, sandbox.Extracted]:
        await sandbox.extract(b"warm up", url="http://127.0.0.1/a.txt")   # the pool's children are up
        pool, scheduled = sandbox._get_pool(), []
        schedule = pool.schedule
        monkeypatch.setattr(pool, "schedule", lambda *a, **kw: scheduled.append(schedule(*a, **kw)) or scheduled[-1])
        task = asyncio.ensure_future(sandbox.extract(_big_pdf(1600), url="http://127.0.0.1/big.pdf", timeout=60))
        deadline = time.monotonic() + 30
        while not (scheduled and scheduled[0].running()) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        # A reader is killed while it reads, as a PDFium crash kills it: not while it takes its task, when it
        # holds the pool's channel lock (a child killed there wedges pebble's pool, which no file can do).
        await asyncio.sleep(0.05)
        assert not task.done(), "the file was read before its reader could be killed"
        for pid in _readers():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        died = await task
        after = await sandbox.extract(make_attachment("pdf", WORD), url="http://127.0.0.1/b.pdf")
        return died, after

    died, after = asyncio.run(run())
    assert (died.scannable, died.reason) == (False, "corrupt")
    assert after.scannable and WORD in after.text
