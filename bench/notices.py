"""Benchmark: a notice with 2,000 attachment rows rendered to docx, xlsx and pdf, then stored in S3, the
way the reporting worker does it (services/reporting/notices/flows.py: docx, then the PDF in the warm
LibreOffice while the xlsx is built in this process; then the store).

    .venv/bin/python -m bench.notices [--rows 2000] [--start-s3] [--no-pdf] [--repeat 3] [--cold] [--profile]

The content goes through the production assembly (`assembly.build` on checker-shaped results), the
renderers and `storage.store_version` (the notices bucket, key `notices/<id>/v<version>/<sha256>.<ext>`).
Uses the S3 store of GOVWATCH_S3_ENDPOINT (./infra/up starts one), or starts a throwaway SeaweedFS with
--start-s3. Target: files ready < 10 s (issue 13). --cold also times one PDF by a LibreOffice started for
it (the route before); the LibreOffice CPU seconds of each conversion are read from /proc.
"""
import argparse
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORMS = ["wechat_subscription", "wechat_service", "weibo", "douyin", "toutiao"]
ACCOUNT_FINDINGS = [("account_not_updated", "账号最近14天内未发布信息"), ("account_no_original", "3个月内无原创信息"),
                    ("account_no_interaction", "未提供有效互动功能"), ("account_not_found", "在平台上未能检索到该账号")]
SITE_FINDINGS = [("unreachable", "监测时间点无法访问"), ("column_not_updated", "栏目“工作动态”超过2周未更新")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_s3(directory: str) -> subprocess.Popen:
    ports = [free_port() for _ in range(4)]
    os.environ["GOVWATCH_S3_ENDPOINT"] = f"127.0.0.1:{ports[3]}"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": os.environ.setdefault("GOVWATCH_S3_ACCESS_KEY", "govwatch"),
           "AWS_SECRET_ACCESS_KEY": os.environ.setdefault("GOVWATCH_S3_SECRET_KEY", "govwatch-secret-key")}
    weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or "weed"
    proc = subprocess.Popen([weed, "mini", f"-dir={directory}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                             f"-master.port={ports[0]}", f"-volume.port={ports[1]}", f"-filer.port={ports[2]}",
                             f"-s3.port={ports[3]}", "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false",
                             "-admin.ui=false"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    from services.common.s3 import ensure_buckets, put_bytes
    for _ in range(100):
        try:
            ensure_buckets("govwatch-probe")
            put_bytes("govwatch-probe", b"ok", "text/plain", key="probe")
            return proc
        except Exception:  # noqa: BLE001 - not ready yet
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("S3 store did not become ready")


def gathered(rows: int):  # noqa: ANN201
    from services.reporting.notices.assembly import Gathered
    rng = random.Random(4)
    inspection = {"id": 1, "name": "2024年第一次全面检查", "scope_org_id": 2, "scope_org_path": "/1/2/",
                  "now": "2024-02-20T00:00:00+00:00", "window_start": "2024-02-19T00:00:00+00:00",
                  "window_end": "2024-02-20T00:00:00+00:00", "state": "completed"}
    results, details, targets = [], {}, {}
    sites = rows // 5
    for n in range(rows):  # every row failing, so all of them land in the attachments
        kind = "site" if n < sites else "account"
        code, message = rng.choice(SITE_FINDINGS if kind == "site" else ACCOUNT_FINDINGS)
        results.append({"kind": kind, "target_id": n + 1, "name": f"测试单位{n + 1:04d}{'网站' if kind == 'site' else '发布'}",
                        "org_path": "/1/2/", "verdict": "fail", "status": "ok", "indicators": [code]})
        details[(kind, n + 1)] = {"findings": [{"indicator": code, "severity": "veto", "message": message}]}
        if kind == "account":
            targets[(kind, n + 1)] = {"platform": rng.choice(PLATFORMS)}
    return Gathered(inspection=inspection, scope_org={"id": 2, "name": "渭南市", "kind": "city", "path": "/1/2/"},
                    results=results, details=details, targets=targets, previous={"id": 0, "name": "2023年第四次全面检查"},
                    prev_counts={"site": (300, sites), "account": (1400, rows - sites)})


def office_cpu() -> float:
    """CPU seconds used so far by the warm office's soffice.bin (the LibreOffice side of a conversion)."""
    from services.reporting.notices import render_pdf
    office = render_pdf._office
    if office is None or office.proc is None:
        return 0.0
    total = 0.0
    for pid in subprocess.run(["pgrep", "-g", str(office.proc.pid)], capture_output=True, text=True).stdout.split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--start-s3", action="store_true")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="warm renderings to time")
    parser.add_argument("--cold", action="store_true", help="also time one PDF by a LibreOffice started for it")
    parser.add_argument("--profile", action="store_true", help="cProfile of one warm rendering (this process)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-notices-")
    proc = start_s3(tmp) if args.start_s3 else None
    try:
        from services.common.s3 import ensure_buckets
        from services.common.settings import get_settings
        from services.reporting.notices import render_pdf, storage
        from services.reporting.notices.assembly import build
        from services.reporting.notices.flows import render_files

        ensure_buckets(get_settings().bucket_notices)
        print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min), "
              f"{os.cpu_count()} cores")
        start = time.perf_counter()
        content = build(gathered(args.rows))
        print(f"notice with {len(content.site_rows) + len(content.account_rows)} attachment rows "
              f"({len(content.site_rows)} sites, {len(content.account_rows)} accounts); assembled in "
              f"{time.perf_counter() - start:.2f} s")
        formats = ["docx", "xlsx"] + ([] if args.no_pdf else ["pdf"])
        if not args.no_pdf:
            start = time.perf_counter()
            if render_pdf.warm():
                render_pdf.docx_to_pdf(open_sample())  # the first conversion waits for the office to start
                print(f"office started (unoserver + LibreOffice, first tiny conversion) in {time.perf_counter() - start:.2f} s")
        if args.profile:
            import cProfile
            import pstats
            profiler = cProfile.Profile()
            profiler.runcall(render_files, content, formats, lambda *_: None)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
        runs = []
        for n in range(args.repeat):
            marks: dict[str, float] = {}
            cpu0, started = office_cpu(), time.perf_counter()
            files = render_files(content, formats,
                                 lambda step, done: marks.setdefault(done, time.perf_counter() - started) if done else None)
            rendered = time.perf_counter() - started
            stored = storage.store_version(random.randrange(10**8, 10**9), 1, files)
            total = time.perf_counter() - started
            runs.append(total)
            print(f"run {n + 1}: files ready in {total:6.2f} s  (docx at {marks.get('docx', 0):.2f} s, pdf at "
                  f"{marks.get('pdf', 0):.2f} s, xlsx at {marks.get('xlsx', 0):.2f} s, stored at +{total - rendered:.2f} s; "
                  f"LibreOffice CPU {office_cpu() - cpu0:.2f} s)")
        print(f"files ready (docx + xlsx + pdf, stored): best {min(runs):.2f} s, median {sorted(runs)[len(runs) // 2]:.2f} s"
              f"  (target < 10 s)")
        for obj in stored:
            print(f"  {obj.format:4s} {obj.size:>9,d} bytes  {obj.bucket}/{obj.key}")
        if args.cold and not args.no_pdf:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            render_pdf.docx_to_pdf_once(files["docx"])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            print(f"cold PDF (soffice --convert-to, started for it): {time.perf_counter() - start:.2f} s, "
                  f"CPU {after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime:.2f} s")
        print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    finally:
        from services.reporting.notices import render_pdf
        render_pdf.shutdown()
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def open_sample() -> bytes:
    from services.reporting.notices.assembly import build
    from services.reporting.notices.render_docx import render_docx
    return render_docx(build(gathered(4)))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
