"""Issued files in S3: `notices/<notice_id>/v<version>/<sha256>.<ext>` in the notices bucket.

Every put is retried (tenacity) on S3/network errors; when a version cannot be stored whole, the objects
already put for it are removed again, so a version is either completely stored and recorded or absent.
"""
import hashlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi.responses import StreamingResponse
from minio.error import S3Error
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.response import BaseHTTPResponse

from services.common.files import download_headers
from services.common.s3 import get_s3, open_object
from services.common.settings import get_settings
from services.reporting.settings import get_reporting_settings

log = logging.getLogger(__name__)
RETRYABLE = (S3Error, Urllib3Error, OSError, ConnectionError)
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Stored:
    format: str
    bucket: str
    key: str
    sha256: str
    size: int
    content_type: str


def notice_key(notice_id: int, version: int, digest: str, ext: str) -> str:
    return f"notices/{notice_id}/v{version}/{digest}.{ext}"


def _retrying() -> Retrying:
    rs = get_reporting_settings()
    return Retrying(stop=stop_after_attempt(rs.store_attempts),
                    wait=wait_exponential(multiplier=rs.store_wait_seconds, max=5),
                    retry=retry_if_exception_type(RETRYABLE), reraise=True)


def _put(bucket: str, key: str, data: bytes, content_type: str, digest: str) -> None:
    for attempt in _retrying():
        with attempt:
            get_s3().put_object(bucket, key, io.BytesIO(data), len(data), content_type=content_type,
                                metadata={"sha256": digest})


def store_version(notice_id: int, version: int, files: dict[str, bytes]) -> list[Stored]:
    """Put every file of one version; all or nothing."""
    bucket = get_settings().bucket_notices
    done: list[Stored] = []
    try:
        for ext, data in files.items():
            digest = hashlib.sha256(data).hexdigest()
            key = notice_key(notice_id, version, digest, ext)
            _put(bucket, key, data, CONTENT_TYPES[ext], digest)
            done.append(Stored(ext, bucket, key, digest, len(data), CONTENT_TYPES[ext]))
    except Exception:
        remove(done)
        raise
    return done


def remove(objects: list[Stored]) -> None:
    for obj in objects:
        try:
            get_s3().remove_object(obj.bucket, obj.key)
        except Exception as exc:  # noqa: BLE001 - best effort; the row was never recorded
            log.warning("could not remove %s/%s: %r", obj.bucket, obj.key, exc)


def download(bucket: str, key: str, content_type: str, size: int, sha256: str, filename: str) -> StreamingResponse:
    """A stored object streamed to the client, with its name, length and digest. The object is opened
    first, so a store that is down answers 503 (JSON) before any header goes out."""
    response = open_object(bucket, key)
    return StreamingResponse(stream(response), media_type=content_type, headers={
        **download_headers(filename), "Content-Length": str(size),
        "ETag": f'"{sha256}"', "X-Content-SHA256": sha256})


def stream(response: BaseHTTPResponse, chunk: int = 64 * 1024) -> Iterator[bytes]:
    try:
        yield from response.stream(chunk)
    finally:
        response.close()
        response.release_conn()
