"""Issuing through the API as the SPA does: `POST …/issue` answers 202 with the notice `rendering`, the
reporting worker (a real `arq` process, see conftest.render_worker) renders it; these helpers wait for
the outcome."""
import os
import time
from pathlib import Path
from typing import Any

from services.common.settings import get_settings
from services.reporting.settings import get_reporting_settings
from tests.checker.inspections.harness import WorkerProcess

RENDER_STALE_SECONDS = "8"  # the reclaim redoes a rendering whose worker stopped beating this long ago


class ReportingWorker(WorkerProcess):
    settings_path = "services.reporting.worker.WorkerSettings"


def reporting_worker(upstream: dict[str, str], log: Path, **extra: str) -> ReportingWorker:
    """A worker that renders notices only (no sweep: the tests that sweep run it themselves)."""
    settings = get_settings()
    env = {**os.environ, "GOVWATCH_DATABASE_URL": settings.database_url, "GOVWATCH_REDIS_URL": settings.redis_url,
           "GOVWATCH_S3_ENDPOINT": settings.s3_endpoint, "GOVWATCH_S3_ACCESS_KEY": settings.s3_access_key,
           "GOVWATCH_S3_SECRET_KEY": settings.s3_secret_key, "GOVWATCH_REGISTRY_URL": upstream["registry"],
           "GOVWATCH_CHECKER_URL": upstream["checker"], "GOVWATCH_REPORTING_QUEUE": get_reporting_settings().reporting_queue,
           "GOVWATCH_SWEEP_ENABLED": "0", "GOVWATCH_RENDER_STALE_SECONDS": RENDER_STALE_SECONDS,
           "PYTHONUNBUFFERED": "1", **extra}
    return ReportingWorker(env, log)


class Answer:
    """The outcome of an issue: the 202's status with the notice as it stands once rendered."""

    def __init__(self, status_code: int, body: dict[str, Any]):
        self.status_code, self.body = status_code, body
        self.text = str(body)

    def json(self) -> dict[str, Any]:
        return self.body


def wait_rendered(reporting, headers, notice_id: int, timeout: float = 180) -> dict[str, Any]:  # noqa: ANN001
    """The notice once rendered (or failed); an issued one once its rectification tasks are opened too
    (the worker opens them right after recording the files)."""
    deadline = time.monotonic() + timeout
    while True:
        body = reporting.get(f"/api/v1/notices/{notice_id}", headers=headers).json()
        if body["state"] == "render_failed" or (body["state"] == "issued"
                                                and body["tasks_opened_version"] == body["version"]):
            return body
        assert time.monotonic() < deadline, f"notice {notice_id} still rendering: {body['progress']}"
        time.sleep(0.2)


def issue(reporting, headers, notice_id: int, formats=("docx", "xlsx")):  # noqa: ANN001, ANN201
    """POST …/issue; a 202 is waited out (the answer then carries the rendered notice), any other answer
    is returned as it came."""
    response = reporting.post(f"/api/v1/notices/{notice_id}/issue", headers=headers,
                              params=[("formats", f) for f in formats or ()])
    if response.status_code != 202:
        return response
    assert response.json()["state"] == "rendering" and response.json()["progress"]["step"] == "queued", response.text
    return Answer(202, wait_rendered(reporting, headers, notice_id))
