"""`python -m services.reporting.demo`: the demo's first round of work, done the way a supervisor does it
over the APIs — an inspection of 韩城市, its notice (通报) issued with a deadline, so the units have
rectification tasks when a newcomer logs in. Harmless when a notice of that scope already exists."""
import argparse
import sys
import time
from datetime import timedelta

import httpx

from services.registry.demo.loader import DEFAULT_PASSWORD
from services.reporting.rectification.service import today


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registry", default="http://127.0.0.1:8001")
    parser.add_argument("--checker", default="http://127.0.0.1:8002")
    parser.add_argument("--reporting", default="http://127.0.0.1:8003")
    parser.add_argument("--user", default="hancheng_supervisor")
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the inspection")
    args = parser.parse_args()
    token = httpx.post(f"{args.registry}/api/v1/auth/token",
                       data={"username": args.user, "password": args.password}, timeout=30).raise_for_status().json()
    http = httpx.Client(headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=120)
    me = http.get(f"{args.registry}/api/v1/auth/me").raise_for_status().json()
    if http.get(f"{args.reporting}/api/v1/notices", params={"limit": 1}).raise_for_status().json()["total"]:
        print("demo notice already present")
        return 0
    year, quarter = today().year, (today().month - 1) // 3 + 1
    inspection = http.post(f"{args.checker}/api/v1/inspections", json={
        "name": f"{year}年第{'一二三四'[quarter - 1]}季度网站和政务新媒体抽查", "scope_org_id": me["org_id"],
        "target_kinds": ["site", "account"], "indicator_set": "gov-2019"}).raise_for_status().json()
    deadline = time.monotonic() + args.timeout
    while (state := http.get(f"{args.checker}/api/v1/inspections/{inspection['id']}").json()["state"]) != "completed":
        if state in ("failed", "cancelled") or time.monotonic() > deadline:
            print(f"demo inspection {inspection['id']}: {state}", file=sys.stderr)
            return 1
        time.sleep(3)
    draft = http.post(f"{args.reporting}/api/v1/notices", json={
        "inspection_id": inspection["id"], "deadline": (today() + timedelta(days=10)).isoformat()}).raise_for_status().json()
    issued = http.post(f"{args.reporting}/api/v1/notices/{draft['id']}/issue").raise_for_status().json()
    while issued["state"] == "rendering" and time.monotonic() < deadline:  # the reporting worker renders it
        time.sleep(1)
        issued = http.get(f"{args.reporting}/api/v1/notices/{draft['id']}").raise_for_status().json()
    tasks = http.get(f"{args.reporting}/api/v1/rectification/tasks", params={"notice_id": issued["id"]}).json()
    units = "、".join(t["unit_name"] for t in tasks["items"]) or "无"
    print(f"demo notice {issued['id']} issued; rectification tasks for: {units}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
