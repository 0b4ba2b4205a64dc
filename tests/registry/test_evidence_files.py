"""Filing evidence is validated by structure (services/common/files.py): the hostile files a probe got
stored are refused with a 422 and leave nothing in S3; genuine files pass; downloads are attachments
that a browser never sniffs."""
import hashlib
from functools import cache
from urllib.parse import unquote

from services.common.s3 import content_key, get_s3
from services.common.settings import get_settings
from tests.common.builders import genuine_files, hostile_files
from tests.registry.helpers import new_unit, org_id, site_payload, upload

SUP = "weinan_supervisor"


@cache
def hostile() -> dict[str, tuple[str, bytes]]:
    return hostile_files()


def pending_filing(registry, login) -> dict:
    host, _ = new_unit("渭南市")
    response = registry.post("/api/v1/sites", headers=login(SUP), json=site_payload(host, org_id("渭南市")))
    assert response.status_code == 201, response.text
    return response.json()


def in_s3(data: bytes) -> bool:
    key = content_key(hashlib.sha256(data).hexdigest(), "filings/sha256/")
    return any(True for _ in get_s3().list_objects(get_settings().bucket_evidence, prefix=key))


def test_hostile_evidence_is_refused_and_nothing_is_stored(registry, login):
    filing = pending_filing(registry, login)
    for case, (name, data) in hostile().items():
        response = upload(registry, login(SUP), filing["id"], "approval_document", data, name)
        assert response.status_code == 422, (case, response.status_code, response.text)
        detail = response.json()["detail"]
        assert detail["field"] == "file" and any("\u4e00" <= ch <= "\u9fff" for ch in detail["message"]), case
        assert not in_s3(data), case
    assert registry.get(f"/api/v1/filings/{filing['id']}", headers=login(SUP)).json()["evidence"] == []


def test_genuine_evidence_is_stored_and_downloads_as_an_attachment(registry, login):
    for case, (name, data, extension) in genuine_files().items():
        # A filing per case: some cases are the same bytes under another name, which one filing takes once.
        filing = pending_filing(registry, login)
        response = upload(registry, login(SUP), filing["id"], "approval_document", data, name)
        assert response.status_code == 201, (case, response.text)
        stored = response.json()
        assert stored["sha256"] == hashlib.sha256(data).hexdigest() and in_s3(data)
        download = registry.get(f"/api/v1/filings/{filing['id']}/evidence/{stored['id']}", headers=login(SUP))
        assert download.status_code == 200 and download.content == data
        assert download.headers["x-content-type-options"] == "nosniff"
        disposition = download.headers["content-disposition"]
        assert disposition.startswith("attachment; ") and unquote(disposition.split("''", 1)[1]) == name
        assert download.headers["content-type"].startswith(stored["content_type"])
