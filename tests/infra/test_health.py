"""./infra/up says running only when every service answers (issue 18): lib.sh require_healthy asks the S3
store with an HTTP request on its port, so a store whose process is alive but not answering (exiting, hung)
fails it — a pid check alone passed it. Restarting a service appends to its log (the killed process's
output stays), rotated to .1 past a size."""
import os
import signal
import subprocess
import time

from tests.fixtures.s3store import SeaweedStore
from tests.infra.test_environment import ROOT, run_lib

VAR = ROOT / "var"


def healthy(*specs: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", 'source infra/lib.sh; require_healthy "$@"', "-", *specs], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_a_store_that_does_not_answer_is_unhealthy_though_its_process_lives(tmp_path):
    name = f"healthtest-{os.getpid()}-{time.monotonic_ns()}"
    pidfile = VAR / "run" / f"{name}.pid"
    store = SeaweedStore(tmp_path / "s3", tmp_path / "s3.log").start()
    try:
        pidfile.write_text(str(store.proc.pid))
        ok = healthy(f"{name}=s3:{store.port}")
        assert ok.returncode == 0, ok.stderr
        os.killpg(store.proc.pid, signal.SIGSTOP)  # alive (kill -0 succeeds) but answering nothing
        assert run_lib(f"is_running {name} && echo yes") == "yes"
        hung = healthy(f"{name}=s3:{store.port}")
        assert hung.returncode == 1 and f"UNHEALTHY: {name} does not answer on port {store.port}" in hung.stderr
        os.killpg(store.proc.pid, signal.SIGCONT)
        store.stop()  # exited: not running at all
        gone = healthy(f"{name}=s3:{store.port}", f"{name}-worker")
        assert gone.returncode == 1
        assert f"UNHEALTHY: {name} is not running" in gone.stderr and f"{name}-worker is not running" in gone.stderr
    finally:
        if store.proc is not None:  # a stopped process would not stop on SIGTERM
            os.killpg(store.proc.pid, signal.SIGCONT)
        store.stop()
        pidfile.unlink(missing_ok=True)


def test_restarts_append_to_the_log_and_rotate_it_past_its_size():
    name = f"logtest-{os.getpid()}-{time.monotonic_ns()}"
    log = VAR / "log" / f"{name}.log"

    def run(word: str, **env: str) -> None:
        run_lib(f'start_process {name} sh -c "echo {word}; sleep 300"; sleep 0.5; stop_pidfile {name}', **env)

    try:
        run("first-run")
        run("second-run")  # a restart: the first process's output is still there
        text = log.read_text()
        assert "first-run" in text and "second-run" in text and text.count(f"=== {name} started") == 2
        run("third-run", GOVWATCH_LOG_ROTATE_BYTES="10")  # past the size: the old log moves to .1
        assert "first-run" in log.with_suffix(".log.1").read_text()
        assert "third-run" in log.read_text() and "first-run" not in log.read_text()
    finally:
        run_lib(f"stop_pidfile {name}")
        log.unlink(missing_ok=True)
        log.with_suffix(".log.1").unlink(missing_ok=True)
