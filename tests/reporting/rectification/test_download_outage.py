"""Downloads while the S3 store is down (issue 18): the object is opened before any header goes out, so
the answer is a 503 with a zh-CN JSON body — not a 200 whose body is cut off — and the same download works
again once the store is back."""
import io

import pytest

from services.common.s3 import ensure_buckets, get_s3
from services.common.settings import get_settings
from tests.fixtures.s3store import SeaweedStore, use
from tests.reporting.rectification.conftest import OPERATOR, SUPERVISOR, png, upload


@pytest.fixture
def store(tmp_path, task):
    """A store of this test's own, used by the reporting app for the notice and the evidence below. The
    notice was rendered by the reporting worker into the run's store: its files are copied over."""
    bucket = get_settings().bucket_notices
    source = get_s3()
    files = [(o.object_name, source.get_object(bucket, o.object_name).read())
             for o in source.list_objects(bucket, prefix=f"notices/{task['notice_id']}/", recursive=True)]
    assert files
    seaweed = SeaweedStore(tmp_path / "s3", tmp_path / "s3.log").start()
    with use(seaweed):
        settings = get_settings()
        ensure_buckets(settings.bucket_notices, settings.bucket_evidence)
        for name, data in files:
            get_s3().put_object(bucket, name, io.BytesIO(data), len(data))
        yield seaweed
    seaweed.stop()


def assert_unavailable(response) -> None:
    assert response.status_code == 503, (response.status_code, response.headers)
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail["code"] == "store_unavailable" and "文件存储暂时无法访问" in detail["message"]
    assert "content-disposition" not in response.headers


def test_notice_and_evidence_downloads_answer_503_while_the_store_is_down(task, store, reporting, auth):
    headers = auth(SUPERVISOR)
    uploaded = upload(reporting, auth(OPERATOR), task["id"], png(7), "截图.png")
    assert uploaded.status_code == 201, uploaded.text
    notice_file = f"/api/v1/notices/{task['notice_id']}/files/docx"
    evidence_file = uploaded.json()["url"]
    assert reporting.get(notice_file, headers=headers).status_code == 200

    store.stop()
    assert_unavailable(reporting.get(notice_file, headers=headers))
    assert_unavailable(reporting.get(evidence_file, headers=headers))

    store.start()
    again = reporting.get(evidence_file, headers=headers)
    assert again.status_code == 200 and again.content == png(7)
    assert reporting.get(notice_file, headers=headers).status_code == 200
