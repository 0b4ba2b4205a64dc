"""Small builders shared by the registry tests."""
import io
import itertools
import struct
import zlib

from sqlmodel import Session, select

from services.common.db import get_engine
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site

_counter = itertools.count(1)


def png() -> bytes:
    """A real 1×1 PNG (evidence screenshots)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def pdf() -> bytes:
    """A real one-page PDF (evidence is validated by structure: it must parse)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def org_id(name: str) -> int:
    with Session(get_engine()) as session:
        org = session.exec(select(Organisation).where(Organisation.name == name)).one()
        return org.id


def site_id(name: str) -> int:
    with Session(get_engine()) as session:
        return session.exec(select(Site).where(Site.name == name)).one().id


def new_unit(parent: str, kind: str = "department") -> tuple[int, str]:
    """A fresh department (so the one-site-per-unit rule does not interfere between tests)."""
    n = next(_counter)
    name = f"测试单位{n}-{parent}"
    with Session(get_engine()) as session:
        p = session.exec(select(Organisation).where(Organisation.name == parent)).one()
        org = Organisation(name=name, kind=kind, parent_id=p.id, region_code=p.region_code)
        session.add(org)
        session.flush()
        org.path = f"{p.path}{org.id}/"
        session.commit()
        return org.id, name


def site_payload(host_id: int, supervising_id: int, **extra) -> dict:
    n = next(_counter)
    return {"name": f"测试网站{n}", "homepage_url": f"https://test{n}.weinan.gov.cn/", "kind": "department",
            "site_code": f"T{n:09d}", "icp_number": f"陕ICP备{n}号", "psb_number": f"陕公网安备{n}号",
            "has_badge": True, "host_org_id": host_id, "supervising_org_id": supervising_id,
            "columns": [{"name": "工作动态", "url": f"https://test{n}.weinan.gov.cn/gzdt/", "category": "news"}],
            **extra}


def account_payload(host_id: int, supervising_id: int, platform: str = "weibo", **extra) -> dict:
    n = next(_counter)
    return {"platform": platform, "platform_id": f"acct{n}", "registered_name": f"测试账号{n}",
            "host_org_id": host_id, "supervising_org_id": supervising_id, **extra}


def upload(client, headers, filing_id: int, kind: str, data: bytes | None = None, name: str = "e.png"):
    return client.post(f"/api/v1/filings/{filing_id}/evidence", headers=headers, data={"kind": kind},
                       files={"file": (name, io.BytesIO(data if data is not None else png()), "image/png")})
