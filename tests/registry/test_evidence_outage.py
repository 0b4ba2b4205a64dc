"""A filing's evidence downloaded while the S3 store is down answers 503 with a zh-CN JSON body (issue 18),
and downloads again once the store is back."""
from services.common.s3 import ensure_buckets
from services.common.settings import get_settings
from tests.fixtures.s3store import SeaweedStore, use
from tests.registry.helpers import png, upload
from tests.registry.test_evidence_files import SUP, pending_filing


def test_evidence_download_answers_503_while_the_store_is_down(registry, login, tmp_path):
    store = SeaweedStore(tmp_path / "s3", tmp_path / "s3.log").start()
    try:
        with use(store):
            ensure_buckets(get_settings().bucket_evidence)
            filing = pending_filing(registry, login)
            stored = upload(registry, login(SUP), filing["id"], "approval_document", png(), "批复.png")
            assert stored.status_code == 201, stored.text
            url = f"/api/v1/filings/{filing['id']}/evidence/{stored.json()['id']}"
            store.stop()
            down = registry.get(url, headers=login(SUP))
            assert down.status_code == 503 and down.headers["content-type"].startswith("application/json")
            assert down.json()["detail"]["code"] == "store_unavailable"
            assert "文件存储暂时无法访问" in down.json()["detail"]["message"]
            store.start()
            back = registry.get(url, headers=login(SUP))
            assert back.status_code == 200 and back.content == png()
    finally:
        store.stop()
