"""S3 through the minio SDK (MinIO in deployments, SeaweedFS on a development machine).

Objects are content-addressed (sha256) where the caller allows it, so the same file stored twice
is one object and its digest is its integrity record.
"""
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

from minio import Minio
from minio.error import S3Error
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.response import BaseHTTPResponse

from services.common.errors import ApiError
from services.common.settings import get_settings


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str
    sha256: str
    size: int
    content_type: str


@lru_cache
def get_s3() -> Minio:
    s = get_settings()
    return Minio(s.s3_endpoint, access_key=s.s3_access_key, secret_key=s.s3_secret_key,
                 secure=s.s3_secure, region=s.s3_region)


_ensured: set[str] = set()


def ensure_buckets(*buckets: str) -> None:
    """Create missing buckets; each is asked for once per process (crawls call this per site)."""
    client = get_s3()
    for bucket in buckets:
        if bucket in _ensured:
            continue
        if not client.bucket_exists(bucket):
            try:
                client.make_bucket(bucket)
            except S3Error as exc:  # another process created it between the two calls
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        _ensured.add(bucket)


def content_key(digest: str, prefix: str = "sha256/") -> str:
    return f"{prefix}{digest[:2]}/{digest}"


def put_bytes(bucket: str, data: bytes, content_type: str, key: str | None = None,
              prefix: str = "sha256/") -> StoredObject:
    digest = hashlib.sha256(data).hexdigest()
    key = key or content_key(digest, prefix)
    get_s3().put_object(bucket, key, io.BytesIO(data), len(data), content_type=content_type,
                        metadata={"sha256": digest})
    return StoredObject(bucket, key, digest, len(data), content_type)


def read_limited(stream: BinaryIO, limit: int) -> bytes | None:
    """Read at most `limit` bytes; None when the stream is longer (the upload is refused whole)."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def get_bytes(bucket: str, key: str) -> bytes:
    response = get_s3().get_object(bucket, key)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def store_unavailable() -> ApiError:
    return ApiError(503, "store_unavailable", "文件存储暂时无法访问，请稍后重试")


def open_object(bucket: str, key: str) -> BaseHTTPResponse:
    """The object's response, opened before a download sends any header: a store that is down answers
    503 (JSON) and a missing object 404, instead of a 200 whose body is cut off. The caller closes it."""
    try:
        return get_s3().get_object(bucket, key)
    except S3Error as exc:
        if exc.code in ("NoSuchKey", "NoSuchBucket"):
            raise ApiError(404, "not_found", "文件不存在或已被删除") from exc
        raise store_unavailable() from exc
    except (Urllib3Error, OSError) as exc:
        raise store_unavailable() from exc
