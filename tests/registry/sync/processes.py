"""The registry API as a real process (uvicorn), for tests that need real concurrency or the environment
another program built."""
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.fixtures.national import free_port

ROOT = Path(__file__).resolve().parents[3]


def wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url} exited ({process.returncode}): {log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer: {log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def registry_process(log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`uvicorn services.registry.main:app` on a free port with `env` (this process's own by default)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "services.registry.main:app", "--host", "127.0.0.1",
                                "--port", str(port), "--log-level", "warning"], cwd=ROOT,
                               env=env if env is not None else {**os.environ},
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/healthz", process, log)
        yield url
    finally:
        stop(process)
