"""Issuing in the background (issue 13, item 5): `POST …/issue` answers 202 at once and the reporting
worker (a real arq process) renders docx, xlsx and pdf with progress; a failed rendering reads in
Chinese and can be issued again; issuing twice or at once gives one version; a worker killed
mid-render (SIGKILL) is redone by the next worker and the notice does not stay `rendering`."""
import io
import threading
import time

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from services.common.auth import Principal, Role
from services.common.db import get_engine
from services.reporting.clients import ServiceClient
from services.reporting.notices import flows, render_pdf
from services.reporting.notices.models import Notice, NoticeFile, NoticeVersion
from services.reporting.settings import get_reporting_settings
from tests.reporting.issuing import issue, reporting_worker, wait_rendered
from tests.reporting.test_notices import hancheng_inspection, stored_keys

ISSUER = "hancheng_supervisor"
pdf = pytest.mark.skipif(not render_pdf.available(), reason="LibreOffice not installed")


@pytest.fixture
def draft(reporting, auth):
    response = reporting.post("/api/v1/notices", headers=auth(ISSUER), json={"inspection_id": hancheng_inspection()})
    assert response.status_code == 201, response.text
    return response.json()


def post_issue(reporting, headers, notice_id, formats=("docx", "xlsx", "pdf")):
    return reporting.post(f"/api/v1/notices/{notice_id}/issue", headers=headers, params=[("formats", f) for f in formats])


def pdf_faces(data: bytes) -> set[str]:
    """The font families a PDF embeds ("ABCDEF+FandolKai-Regular" → "FandolKai")."""
    faces = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for font in (fonts.get_object().values() if fonts else []):
            faces.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1].split("-")[0])
    return faces


def versions_and_files(notice_id: int) -> tuple[list[int], list[str]]:
    with Session(get_engine()) as session:
        versions = session.exec(select(NoticeVersion.version).where(NoticeVersion.notice_id == notice_id)).all()
        files = session.exec(select(NoticeFile.key).where(NoticeFile.notice_id == notice_id)).all()
    return sorted(versions), sorted(files)


@pdf
def test_issue_answers_202_and_the_worker_renders_all_three(reporting, auth, draft):
    h = auth(ISSUER)
    response = post_issue(reporting, h, draft["id"])
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["state"] == "rendering" and body["version"] == 0 and body["files"] == []
    assert body["progress"]["step"] == "queued" and body["progress"]["label"] == "排队等待生成"
    assert (body["progress"]["done"], body["progress"]["total"]) == (0, 4)
    # While it renders the draft is not editable and cannot be issued again.
    assert reporting.patch(f"/api/v1/notices/{draft['id']}", headers=h, json={"intro": "改"}).status_code == 409
    done = wait_rendered(reporting, h, draft["id"])
    assert done["state"] == "issued" and done["version"] == 1 and done["error"] is None, done
    assert done["progress"]["step"] == "done" and done["progress"]["done"] == done["progress"]["total"] == 4
    assert done["progress"]["label"] == "文件已生成" and done["issued_by"] == body["created_by"]
    assert sorted(f["format"] for f in done["files"]) == ["docx", "pdf", "xlsx"]
    pdf_file = reporting.get(f"/api/v1/notices/{draft['id']}/files/pdf", headers=h)
    assert pdf_file.status_code == 200 and pdf_file.content.startswith(b"%PDF-")
    # The four official styles stay four faces (infra/lib.sh installs the Fandol fonts).
    assert {"FandolSong", "FandolFang", "FandolHei", "FandolKai"} <= pdf_faces(pdf_file.content)
    assert versions_and_files(draft["id"])[0] == [1]


def test_issuing_twice_at_once_gives_one_version(reporting, auth, draft):
    h = auth(ISSUER)
    answers: list[int] = []
    start = threading.Barrier(2)

    def go() -> None:
        start.wait()
        answers.append(post_issue(reporting, h, draft["id"], ("docx", "xlsx")).status_code)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [202, 409]
    done = wait_rendered(reporting, h, draft["id"])
    assert done["state"] == "issued" and done["version"] == 1
    again = post_issue(reporting, h, draft["id"])
    assert again.status_code == 409 and again.json()["detail"]["message"] == "通报当前为已印发，不能印发"
    versions, files = versions_and_files(draft["id"])
    assert versions == [1] and len(files) == 2 and sorted(stored_keys(draft["id"])) == files
    # The next version is queued by its own request (not left to the reclaim): its first attempt renders it.
    assert reporting.post(f"/api/v1/notices/{draft['id']}/revise", headers=h).status_code == 200
    second = issue(reporting, h, draft["id"], ("docx",)).json()
    assert second["state"] == "issued" and second["version"] == 2 and second["progress"]["attempt"] == 1
    assert versions_and_files(draft["id"])[0] == [1, 2]


def test_one_attempt_run_twice_records_one_version(reporting, auth, draft):
    """A job delivered twice (two workers on one attempt): one records the version, the other gives way
    and leaves the recorded files in place."""
    with Session(get_engine()) as session, ServiceClient() as client:
        me = Principal(sub="user:test", org_id=draft["scope_org_id"], org_path=draft["scope_org_path"],
                       role=Role.supervisor, jti="t", iat=0, exp=0)
        flows.request_issue(session, me, client, draft["id"], ("docx", "xlsx"))  # claimed, not queued
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        outcomes.append(flows.render(draft["id"], 1))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["issued", "superseded"]
    versions, files = versions_and_files(draft["id"])
    assert versions == [1] and len(files) == 2 and sorted(stored_keys(draft["id"])) == files
    # A late third delivery of the same attempt changes nothing.
    assert flows.render(draft["id"], 1) == "superseded"
    assert versions_and_files(draft["id"]) == (versions, files)


def test_a_failed_rendering_reads_in_chinese_and_is_issued_again(reporting, auth, draft):
    h = auth(ISSUER)
    with Session(get_engine()) as session:  # a content the renderer cannot read (as a bad upgrade might leave)
        row = session.get(Notice, draft["id"])
        good = dict(row.content)
        row.content = {**good, "attachment1_columns": ["序号", "不存在的列"]}
        session.add(row)
        session.commit()
    response = post_issue(reporting, h, draft["id"], ("docx",))
    assert response.status_code == 202
    failed = wait_rendered(reporting, h, draft["id"])
    assert failed["state"] == "render_failed" and failed["error"] == flows.FAILED
    assert failed["progress"]["step"] == "failed" and failed["progress"]["label"] == "文件生成失败"
    assert "Error" not in failed["error"] and "{" not in failed["error"]
    assert failed["version"] == 0 and stored_keys(draft["id"]) == []
    with Session(get_engine()) as session:
        row = session.get(Notice, draft["id"])
        row.content = good
        session.add(row)
        session.commit()
    # Issued again, it renders at once: not after the reclaim's wait for a claim no worker started (80 s
    # here), as when the new claim's job had the failed one's id and arq refused it.
    assert post_issue(reporting, h, draft["id"], ("docx",)).status_code == 202
    again = wait_rendered(reporting, h, draft["id"], timeout=30)
    assert again["state"] == "issued" and again["version"] == 1


@pdf
def test_a_worker_killed_mid_render_is_redone(reporting, auth, upstream, draft, tmp_path, monkeypatch):
    """SIGKILL while the PDF is being made (a freshly started worker's office is still starting, so the
    rendering waits there): the next worker's reclaim queues attempt 2, which issues version 1 once."""
    h = auth(ISSUER)
    # A queue of its own: the session's render worker must not take this notice.
    monkeypatch.setattr(get_reporting_settings(), "reporting_queue", f"{get_reporting_settings().reporting_queue}:kill")
    first = reporting_worker(upstream, tmp_path / "first.log").start()
    try:
        assert post_issue(reporting, h, draft["id"], ("docx", "pdf")).status_code == 202
        deadline = time.monotonic() + 60
        while (body := reporting.get(f"/api/v1/notices/{draft['id']}", headers=h).json())["progress"]["step"] != "pdf":
            assert time.monotonic() < deadline and body["state"] == "rendering", body
            time.sleep(0.05)
        first.kill9()
    finally:
        first.stop()
    body = reporting.get(f"/api/v1/notices/{draft['id']}", headers=h).json()
    assert body["state"] == "rendering" and body["progress"]["attempt"] == 1 and body["version"] == 0
    second = reporting_worker(upstream, tmp_path / "second.log").start()
    try:
        done = wait_rendered(reporting, h, draft["id"], timeout=180)
    finally:
        second.stop()
    assert done["state"] == "issued" and done["version"] == 1 and done["progress"]["attempt"] == 2, done
    versions, files = versions_and_files(draft["id"])
    assert versions == [1] and len(files) == 2 and sorted(stored_keys(draft["id"])) == files
    assert reporting.get(f"/api/v1/notices/{draft['id']}/files/pdf", headers=h).content.startswith(b"%PDF-")
