"""The 二维码 image of a government new-media account, as national filing asks for it.

Uploaded on its own (POST /api/v1/accounts/qr-codes) before the filing that names it by sha256: an open filing
puts it on the account at once (the account is pending until approved); a rename or change filing carries it in
its payload and it replaces the account's on approval. Validated by structure like every upload
(services/common/files.py: a PNG or JPEG that Pillow decodes within the pixel cap, the name's extension agreeing
with the content, nothing appended), stored content-addressed in the evidence bucket. Whether the picture
really is a QR code is not decoded (no well-kept pure-Python reader): the supervisor sees it when deciding."""
from dataclasses import dataclass

from minio.error import S3Error
from pydantic import BaseModel
from urllib3.exceptions import HTTPError as Urllib3Error

from services.common import s3
from services.common.errors import ApiError
from services.common.files import JPEG, PNG, check_upload
from services.common.settings import get_settings

QR_TYPES = (PNG, JPEG)
QR_MAX_BYTES = 2 * 1024 * 1024  # a QR code picture is tens of KB; a phone screenshot stays under 2 MB
PREFIX = "accounts/qrcode/sha256/"


class QrCodeUpload(BaseModel):
    sha256: str
    content_type: str
    size: int


@dataclass(frozen=True)
class StoredQr:
    sha256: str
    content_type: str


def store(data: bytes | None, filename: str | None) -> QrCodeUpload:
    file_type, _ = check_upload(data, filename, QR_TYPES, QR_MAX_BYTES)
    assert data is not None
    stored = s3.put_bytes(get_settings().bucket_evidence, data, file_type.mime, prefix=PREFIX)
    return QrCodeUpload(sha256=stored.sha256, content_type=file_type.mime, size=stored.size)


def key_of(sha256: str) -> str:
    return s3.content_key(sha256, PREFIX)


def uploaded(sha256: str, field: str = "qr_code_sha256") -> StoredQr:
    """The uploaded image named by `sha256`; 422 when no such image was uploaded."""
    try:
        info = s3.get_s3().stat_object(get_settings().bucket_evidence, key_of(sha256))
    except S3Error as exc:
        if exc.code in ("NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"):
            raise ApiError(422, "qr_code_missing", "二维码图片未上传或已失效，请重新上传", field=field) from exc
        raise s3.store_unavailable() from exc
    except (Urllib3Error, OSError) as exc:
        raise s3.store_unavailable() from exc
    return StoredQr(sha256, info.content_type or PNG.mime)


def read(sha256: str) -> tuple[bytes, str]:
    response = s3.open_object(get_settings().bucket_evidence, key_of(sha256))
    try:
        data = response.read()
        content_type = response.headers.get("Content-Type") or PNG.mime
    except Exception as exc:  # noqa: BLE001  the store went away mid-read
        raise s3.store_unavailable() from exc
    finally:
        response.close()
        response.release_conn()
    return data, content_type
