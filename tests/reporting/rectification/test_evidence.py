"""Evidence uploads: type by content (not name), archives and executables refused, size limit, path tricks,
duplicates, someone else's task, wrong role. Refusals store nothing and are audited."""
import io
import zipfile
from functools import cache

import pytest
from docx import Document
from openpyxl import Workbook

from services.common.s3 import get_s3
from services.common.settings import get_settings
from services.reporting.settings import get_reporting_settings
from tests.common import builders
from tests.reporting.rectification.conftest import OPERATOR, SUPERVISOR, pdf, png, upload


@cache
def hostile_files() -> dict[str, tuple[str, bytes]]:
    return builders.hostile_files()


def stored(task_id: int) -> list[str]:
    return sorted(o.object_name for o in get_s3().list_objects(get_settings().bucket_evidence,
                                                              prefix=f"rectification/{task_id}/", recursive=True))


def docx_bytes() -> bytes:
    out = io.BytesIO()
    doc = Document()
    doc.add_paragraph("整改情况说明")
    doc.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return out.getvalue()


@pytest.fixture
def small_limit():
    rs = get_reporting_settings()
    saved = rs.evidence_max_bytes
    rs.evidence_max_bytes = 4096
    yield
    rs.evidence_max_bytes = saved


def test_every_allowed_type_by_content_is_stored_with_its_digest(reporting, auth, task):
    op, tid = auth(OPERATOR), task["id"]
    files = [(png(10), "a.png", "png"), (jpeg_bytes(), "b.jpg", "jpg"),
             (pdf(), "c.pdf", "pdf"), (docx_bytes(), "d.docx", "docx"), (xlsx_bytes(), "e.xlsx", "xlsx"),
             (pdf("no extension"), "扫描件", "pdf")]  # the content decides the type; a name may lack an extension
    for data, name, ext in files:
        response = upload(reporting, op, tid, data, name)
        assert response.status_code == 201, response.text
        assert response.json()["extension"] == ext and response.json()["size"] == len(data)
    body = reporting.get(f"/api/v1/rectification/tasks/{tid}", headers=op).json()
    assert len(body["evidence"]) == 6
    keys = stored(tid)
    assert len(keys) == 6 and all(k.endswith((".png", ".jpg", ".pdf", ".docx", ".xlsx")) for k in keys)
    first = body["evidence"][0]
    download = reporting.get(first["url"], headers=auth(SUPERVISOR))
    assert download.status_code == 200 and download.content == png(10)
    assert download.headers["x-content-sha256"] == first["sha256"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"] == "attachment; filename=\"a.png\"; filename*=UTF-8''a.png"


def test_hostile_files_are_refused_by_structure_and_nothing_is_stored(reporting, auth, task):
    cases = hostile_files()
    for case, (name, data) in cases.items():
        response = upload(reporting, auth(OPERATOR), task["id"], data, name)
        assert response.status_code == 422, (case, response.text)
        assert response.json()["detail"]["code"].startswith("file_"), case
    assert stored(task["id"]) == []
    trail = reporting.get(f"/api/v1/rectification/tasks/{task['id']}/audit", headers=auth(SUPERVISOR),
                          params={"limit": 100}).json()["items"]
    refused = [a for a in trail if a["action"] == "evidence_refused"]
    assert len(refused) == len(cases) and {a["after"]["status"] for a in refused} == {422}


@pytest.mark.parametrize("data, name", [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "整改报告.pdf"),       # an executable named .pdf
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "screenshot.png"),          # an ELF binary
    (zip_bytes(), "材料.docx"),                                          # an archive dressed as a document
    (b"Rar!\x1a\x07\x00" + b"\x00" * 100, "材料.rar"),
    (b"<html><script>alert(1)</script></html>", "说明.pdf"),
    (b"%PD", "short.pdf"),
])
def test_wrong_content_is_refused_and_nothing_is_stored(reporting, auth, task, data, name):
    response = upload(reporting, auth(OPERATOR), task["id"], data, name)
    assert response.status_code == 415 and response.json()["detail"]["code"] == "file_type_not_allowed"
    assert stored(task["id"]) == []
    trail = reporting.get(f"/api/v1/rectification/tasks/{task['id']}/audit", headers=auth(SUPERVISOR)).json()["items"]
    refused = [a for a in trail if a["action"] == "evidence_refused"]
    assert refused and refused[-1]["note"].startswith("file_type_not_allowed") and refused[-1]["after"]["status"] == 415


def test_empty_and_oversize_uploads(reporting, auth, task, small_limit):
    op = auth(OPERATOR)
    empty = upload(reporting, op, task["id"], b"", "empty.png")
    assert empty.status_code == 422 and empty.json()["detail"]["code"] == "file_empty"
    big = upload(reporting, op, task["id"], pdf() + b"0" * 5000, "big.pdf")
    assert big.status_code == 413 and big.json()["detail"]["code"] == "file_too_large"
    assert stored(task["id"]) == []


def test_path_tricks_in_names_are_cut_to_a_plain_name(reporting, auth, task):
    op = auth(OPERATOR)
    for i, name in enumerate(["../../../etc/passwd.png", "..\\..\\windows\\system32\\截图.png", "C:\\fakepath\\整改.png", "...."]):
        response = upload(reporting, op, task["id"], png(20 + i), name)
        assert response.status_code == 201, response.text
        saved = response.json()["filename"]
        assert "/" not in saved and "\\" not in saved and ".." not in saved and "\x00" not in saved
    names = [e["filename"] for e in reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=op).json()["evidence"]]
    assert names == ["passwd.png", "截图.png", "整改.png", "upload"]
    assert all(key.startswith(f"rectification/{task['id']}/") for key in stored(task["id"]))


def test_the_same_file_twice_is_a_duplicate(reporting, auth, task):
    op = auth(OPERATOR)
    assert upload(reporting, op, task["id"], png(30), "一.png").status_code == 201
    again = upload(reporting, op, task["id"], png(30), "二.png")
    assert again.status_code == 409 and again.json()["detail"]["code"] == "duplicate_file"
    assert "一.png" in again.json()["detail"]["message"]
    assert len(stored(task["id"])) == 1


def test_uploads_to_someone_elses_task_or_by_a_reviewer_are_refused(reporting, auth, task):
    other = upload(reporting, auth("linwei_shuiwu_operator"), task["id"], png(40), "x.png")
    assert other.status_code == 404
    reviewer = upload(reporting, auth(SUPERVISOR), task["id"], png(41), "x.png")
    assert reviewer.status_code == 403
    viewer = upload(reporting, auth("weinan_viewer"), task["id"], png(42), "x.png")
    assert viewer.status_code == 403
    assert stored(task["id"]) == []
    trail = reporting.get(f"/api/v1/rectification/tasks/{task['id']}/audit", headers=auth(SUPERVISOR)).json()["items"]
    assert [a["after"]["status"] for a in trail if a["action"] == "evidence_refused"] == [404, 403, 403]


def test_no_uploads_once_submitted(reporting, auth, task):
    op = auth(OPERATOR)
    upload(reporting, op, task["id"], png(50), "a.png")
    reporting.post(f"/api/v1/rectification/tasks/{task['id']}/submit", headers=op, json={"explanation": "已完成整改，附截图。"})
    late = upload(reporting, op, task["id"], png(51), "b.png")
    assert late.status_code == 409 and late.json()["detail"]["code"] == "task_state"
    assert late.json()["detail"]["message"] == "整改任务当前为待审核，不能执行该操作；可执行：审核通过、退回、办结"
    assert len(stored(task["id"])) == 1


def test_a_failed_store_leaves_no_row(reporting, auth, task, monkeypatch):
    from services.reporting.rectification import service

    class Down:
        def put_object(self, *args, **kwargs):
            raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(service, "get_s3", lambda: Down())
    with pytest.raises(ConnectionResetError):
        upload(reporting, auth(OPERATOR), task["id"], png(60), "a.png")
    monkeypatch.undo()
    assert reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=auth(OPERATOR)).json()["evidence"] == []
