"""Attachments read in child processes (crawl/extract.py): the same text as reading in-process, and a file
that stalls or kills its reader is reported not scannable while the pool goes on reading the next files."""
import asyncio
import os
import signal
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


def _big_pdf() -> bytes:
    return make_attachment("pdf", ("县政府工作报告。" * 60 + "\n") * 400 + WORD)


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


def _crash(body: bytes, url: str, content_type: str | None) -> sandbox.Extracted:
    """A reader that dies mid-read, as PDFium does on some files (run in the pool's child)."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def test_a_reader_that_dies_makes_the_file_corrupt_not_clean() -> None:
    async def run() -> tuple[sandbox.Extracted, sandbox.Extracted]:
        died = await sandbox.extract(_big_pdf(), url="http://127.0.0.1/big.pdf", reader=_crash)
        after = await sandbox.extract(make_attachment("pdf", WORD), url="http://127.0.0.1/b.pdf")
        return died, after

    died, after = asyncio.run(run())
    assert (died.scannable, died.reason) == (False, "corrupt")
    assert after.scannable and WORD in after.text


def test_readers_that_die_idle_do_not_break_the_next_read() -> None:
    """pebble gives a pool up when its children die while no task runs; the next file is read in a new one."""
    async def run() -> sandbox.Extracted:
        await sandbox.extract(b"warm up", url="http://127.0.0.1/a.txt")
        for pid in _readers():
            os.kill(pid, signal.SIGKILL)
        # At once: the file goes to the dying pool, which pebble then gives up with the file in it.
        return await sandbox.extract(make_attachment("docx", WORD), url="http://127.0.0.1/c.docx")

    after = asyncio.run(run())
    assert after.scannable and WORD in after.text
