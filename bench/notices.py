"""Benchmark: a notice with 2,000 attachment rows rendered to docx, xlsx and pdf, then stored in S3.

    .venv/bin/python -m bench.notices [--rows 2000] [--start-s3] [--no-pdf]

The content goes through the production assembly (`assembly.build` on checker-shaped results), the
renderers and `storage.store_version` (the notices bucket, key `notices/<id>/v<version>/<sha256>.<ext>`).
Uses the S3 store of GOVWATCH_S3_ENDPOINT (./infra/up starts one), or starts a throwaway SeaweedFS with
--start-s3. Target: docx + xlsx under 5 s.
"""
import argparse
import os
import random
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--start-s3", action="store_true")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-notices-")
    proc = start_s3(tmp) if args.start_s3 else None
    try:
        from services.common.s3 import ensure_buckets
        from services.common.settings import get_settings
        from services.reporting.notices import storage
        from services.reporting.notices.assembly import build
        from services.reporting.notices.render_docx import render_docx
        from services.reporting.notices.render_pdf import docx_to_pdf
        from services.reporting.notices.render_xlsx import render_xlsx

        ensure_buckets(get_settings().bucket_notices)
        timings: dict[str, float] = {}

        def timed(name, fn, *a):  # noqa: ANN001, ANN202
            start = time.perf_counter()
            out = fn(*a)
            timings[name] = time.perf_counter() - start
            return out

        content = timed("assemble", build, gathered(args.rows))
        rows = len(content.site_rows) + len(content.account_rows)
        files = {"docx": timed("docx", render_docx, content), "xlsx": timed("xlsx", render_xlsx, content)}
        if not args.no_pdf:
            files["pdf"] = timed("pdf", docx_to_pdf, files["docx"])
        notice_id = random.randrange(10**8, 10**9)
        stored = timed("store", storage.store_version, notice_id, 1, files)
        print(f"notice with {rows} attachment rows ({len(content.site_rows)} sites, {len(content.account_rows)} accounts)")
        for name, seconds in timings.items():
            print(f"  {name:9s} {seconds:7.2f} s")
        print(f"  docx+xlsx {timings['docx'] + timings['xlsx']:7.2f} s  (target < 5 s)")
        for obj in stored:
            print(f"  {obj.format:4s} {obj.size:>9,d} bytes  {obj.bucket}/{obj.key}")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
