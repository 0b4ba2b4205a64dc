"""Whole-site monitoring benchmark (issue 11): a province on loopback — 2,000 deep government sites of 50 to
5,000 pages (log-normal, mean 200: ≈ 400,000 pages and attachments) served by the deep farm
(tests/fixtures/farm/deep.py) in its own process, so the farm never shares a GIL with the workers measured.

This file is the farm side; bench/monitor_driver.py drives the checker workers against it (`run`).

    .venv/bin/python -m bench.monitor farm [--sites 2000] [--latency-ms 0]   # serve only: prints the manifest
                                                                            # path, then serves until Ctrl-C
    .venv/bin/python -m bench.monitor [--sites N | --scale S] [driver options]   # the benchmark

The manifest lists per site its URL, counts of pages by kind, every planted word (url, word, where), broken and
dark links, and after each advance what changed. The farm's control endpoints (on any farm address):
/__farm__/stats (answers by status, the most requests in flight at once on one host and the shortest gap
between two request starts on one host: politeness as the server saw it), /__farm__/reset,
/__farm__/advance (every site moves to its next version: new articles, edited and removed pages).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = {"sites": 2000, "pages_min": 50, "pages_max": 5000, "pages_mean": 200.0}


class DeepFarmProcess:
    """The deep farm as a child process: `start()` returns once the manifest is written."""

    def __init__(self, sites: int = 2000, *, pages_min: int = 50, pages_max: int = 5000, pages_mean: float = 200.0,
                 latency_ms: float = 0.0, base: str = "127.20.0.1", seed: int = 11, record_starts: bool = True,
                 workdir: Path | None = None) -> None:
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="bench-deep-farm-"))
        self.manifest_path = self.workdir / "manifest.json"
        self.args = [sys.executable, "-m", "tests.fixtures.farm.deep", "--sites", str(sites),
                     "--pages-min", str(pages_min), "--pages-max", str(pages_max), "--pages-mean", str(pages_mean),
                     "--latency-ms", str(latency_ms), "--base", base, "--seed", str(seed),
                     "--manifest", str(self.manifest_path)] + ([] if record_starts else ["--no-starts"])
        self.process: subprocess.Popen | None = None
        self.manifest: dict[str, Any] = {}

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def control(self) -> str:
        return self.manifest["control"]

    def start(self, timeout: float = 600) -> Path:
        self.manifest_path.unlink(missing_ok=True)
        log = (self.workdir / "farm.log").open("ab")
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.manifest_path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the deep farm did not start; see {self.workdir / 'farm.log'}")
            time.sleep(0.2)
        self.manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        return self.manifest_path

    def _get(self, action: str, **params: Any) -> dict[str, Any]:
        return httpx.get(self.control + action, params=params, timeout=600).json()

    def stats(self, host: str | None = None) -> dict[str, Any]:
        """Answers by status, worst in-flight peak and shortest start gap on one host, per-host detail."""
        return self._get("stats", **({"host": host} if host else {}))

    def reset(self) -> None:
        self._get("reset")

    def advance(self, site: int | None = None) -> dict[str, Any]:
        """Every site (or one) moves to its next version; the manifest file is rewritten and reloaded."""
        out = self._get("advance", **({"site": site} if site is not None else {}))
        self.manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        return out

    def politeness(self, per_host: int, delay: float, window: int = 10) -> dict[str, Any]:
        """Politeness as the server saw it: no host with more than `per_host` requests at once, and no
        `window × delay` seconds holding more than `window + 1` request starts on one host. The windowed count
        is the judge, not the shortest gap: the farm stamps a start when its loop reads the request, so a send
        delayed under load lands right after the next one (a short gap after a long one) without any request
        having started early. The shortest gap is reported beside it."""
        stats = self._get("stats", starts="1")
        hosts = stats["hosts"]
        crowded = sorted(h for h, s in hosts.items() if s["max_inflight"] > per_host)
        span, allowed, worst, worst_host = window * delay, window + 1, 0, None
        for host, detail in hosts.items():
            starts = sorted(detail.get("starts") or [])
            first = 0
            for last, at in enumerate(starts):
                while at - starts[first] > span:
                    first += 1
                if last - first + 1 > worst:
                    worst, worst_host = last - first + 1, host
        hurried = worst > allowed if delay else False
        return {"hosts": len(hosts), "max_inflight": stats["max_inflight"], "min_gap_ms": stats["min_gap_ms"],
                "window_s": span, "most_starts_in_window": worst, "allowed_in_window": allowed,
                "busiest_host": worst_host, "hosts_over_concurrency": crowded[:20],
                "kept": not crowded and not hurried}

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> DeepFarmProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _farm_options(parser: argparse.ArgumentParser, base: str) -> None:
    parser.add_argument("--scale", type=float, default=None,
                        help="share of the province (1 = 2,000 sites of 50–5,000 pages, mean 200)")
    parser.add_argument("--sites", type=int, default=None, help="number of sites (overrides --scale)")
    parser.add_argument("--pages-min", type=int, default=PROVINCE["pages_min"])
    parser.add_argument("--pages-max", type=int, default=PROVINCE["pages_max"])
    parser.add_argument("--pages-mean", type=float, default=PROVINCE["pages_mean"])
    parser.add_argument("--latency-ms", type=float, default=5.0,
                        help="delay before every farm response (with 0 every answer is written before the next "
                             "request is read, so the farm could never see two requests of one host in flight)")
    parser.add_argument("--base", default=base, help="first farm address")
    parser.add_argument("--seed", type=int, default=11)


def _count(args: argparse.Namespace, default_scale: float) -> int:
    return args.sites or max(1, round(PROVINCE["sites"] * (args.scale if args.scale is not None else default_scale)))


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.monitor farm",
                                     description="Serve a province-size deep farm until interrupted.")
    _farm_options(parser, "127.20.0.1")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    farm = DeepFarmProcess(_count(args, 1.0), pages_min=args.pages_min, pages_max=args.pages_max,
                           pages_mean=args.pages_mean, latency_ms=args.latency_ms, base=args.base, seed=args.seed,
                           workdir=args.workdir)
    started = time.monotonic()
    with farm:
        totals = farm.manifest["totals"]
        print(f"deep farm: {totals['sites']} sites, {totals['total']} pages ({totals.get('attachment', 0)} "
              f"attachments, {totals['plants']} planted words) in {time.monotonic() - started:.1f} s; pid {farm.pid}")
        print(f"control: {farm.control}")
        print(farm.manifest_path, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
            while farm.process is not None and farm.process.poll() is None:
                time.sleep(1)
    return 0


def bench(argv: list[str]) -> int:
    """The benchmark: this farm process + bench/monitor_driver.py's workers and cycles."""
    from bench import monitor_driver

    parser = argparse.ArgumentParser(prog="python -m bench.monitor", description=__doc__.split("\n\n")[0])
    _farm_options(parser, "127.20.0.1")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--max-jobs", type=int, default=100, help="slices (sites) in flight per worker")
    parser.add_argument("--incremental", choices=("all", "hub"), default="all")
    parser.add_argument("--json", type=Path, default=None, help="write the report here too")
    args = parser.parse_args(argv)
    farm = DeepFarmProcess(_count(args, 0.01), pages_min=args.pages_min, pages_max=args.pages_max,
                           pages_mean=args.pages_mean, latency_ms=args.latency_ms, base=args.base, seed=args.seed)
    with farm:
        print(f"farm manifest: {farm.manifest_path}", flush=True)
        report = monitor_driver.run(farm.manifest["sites"], advance=farm.advance, farm_stats=farm.stats,
                                    farm_pid=farm.pid, workers=args.workers, per_host=args.per_host, delay=args.delay,
                                    max_jobs=args.max_jobs, incremental=args.incremental, log_dir=farm.workdir)
        report["farm"] = farm.manifest["totals"]
        report["politeness_seen_by_farm"] = farm.politeness(args.per_host, args.delay)
    text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["farm"]:
        return serve(argv[1:])
    return bench(argv)


if __name__ == "__main__":
    raise SystemExit(main())
