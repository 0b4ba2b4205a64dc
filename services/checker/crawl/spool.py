"""Snapshots the S3 store could not take, kept on local disk until it returns (issue 18: never silently lost).

A crawl whose cited snapshots cannot be put spools them here (content-addressed, so a page spooled twice is
one file) and marks the evidence `snapshot_state: "pending"`; the checker's sweeper uploads the spool when
the store answers again and clears the marks (services/checker/inspections/jobs.py). The spool is bounded:
beyond `GOVWATCH_SNAPSHOT_SPOOL_MAX_BYTES` a snapshot is refused and its evidence says `"lost"` instead.

Layout: `<dir>/<sha256>.body` (the page as fetched) and `<dir>/<sha256>.json` (S3 key, content type), the
body written first and both renamed into place, so a listed `.json` always has its body. Workers of one
host share the directory (GOVWATCH_SNAPSHOT_SPOOL_DIR); uploading the same file twice is harmless.
"""
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.settings import get_settings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[3]
_lock = threading.Lock()  # one writer at a time per process, so the bound holds within a worker
# After a failed S3 call the store is taken as down for a while: checks spool at once instead of each
# waiting on the client's retries (seconds per call); the sweeper's upload still tries, and reopens it.
BREAK_SECONDS = 15.0
_down_until = 0.0


def store_down() -> bool:
    return time.monotonic() < _down_until


def trip() -> None:
    global _down_until
    _down_until = time.monotonic() + BREAK_SECONDS


def store_back() -> None:
    global _down_until
    _down_until = 0.0


class SpoolSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVWATCH_", extra="ignore")

    snapshot_spool_dir: Path = ROOT / "var" / "spool" / "snapshots"
    snapshot_spool_max_bytes: int = 512 * 1024 * 1024


@lru_cache
def get_spool_settings() -> SpoolSettings:
    return SpoolSettings()


@dataclass(frozen=True)
class Spooled:
    key: str
    content_type: str
    body_path: Path
    meta_path: Path


def _dir() -> Path:
    path = get_spool_settings().snapshot_spool_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def _name(key: str) -> str:
    return key.rsplit("/", 1)[-1]  # keys end in the body's sha256


def used_bytes() -> int:
    return sum(entry.stat().st_size for entry in os.scandir(_dir()) if entry.name.endswith(".body"))


def has(key: str) -> bool:
    return (_dir() / f"{_name(key)}.json").exists()


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def put(key: str, body: bytes, content_type: str) -> bool:
    """Keep one snapshot for a later upload. False when the spool is full (or the disk refuses it)."""
    with _lock:
        try:
            if has(key):
                return True
            if used_bytes() + len(body) > get_spool_settings().snapshot_spool_max_bytes:
                log.error("snapshot spool full: %s not kept", key)
                return False
            directory = _dir()
            _write(directory / f"{_name(key)}.body", body)
            _write(directory / f"{_name(key)}.json",
                   json.dumps({"key": key, "content_type": content_type}).encode())
        except OSError:
            log.exception("snapshot spool: %s not kept", key)
            return False
    return True


def pending() -> list[Spooled]:
    out: list[Spooled] = []
    for meta in sorted(_dir().glob("*.json")):
        try:
            info = json.loads(meta.read_text())
        except (OSError, ValueError):
            continue  # removed by another worker's upload meanwhile
        out.append(Spooled(info["key"], info["content_type"], meta.with_suffix(".body"), meta))
    return out


def upload() -> tuple[int, int]:
    """Put every spooled snapshot into the store, removing each once it is there. Stops at the first
    failure (the store is still down). Returns (uploaded, left)."""
    items = pending()
    if not items:
        return 0, 0
    from services.common.s3 import ensure_buckets, put_bytes  # the S3 client only when there is work for it
    bucket = get_settings().bucket_snapshots
    done = 0
    try:
        ensure_buckets(bucket)
        for item in items:
            try:
                body = item.body_path.read_bytes()
            except FileNotFoundError:
                continue  # another worker uploaded it
            put_bytes(bucket, body, item.content_type, key=item.key)
            item.meta_path.unlink(missing_ok=True)
            item.body_path.unlink(missing_ok=True)
            done += 1
    except Exception as exc:  # noqa: BLE001  the store is still down: the rest waits for the next sweep
        trip()
        log.warning("snapshot spool: upload stopped after %d of %d: %s", done, len(items), exc)
    else:
        store_back()
    return done, len(items) - done
