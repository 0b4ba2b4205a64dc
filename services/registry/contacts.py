"""What national filing asks of a site or account besides its identity: the responsible person (负责人) and a
contact phone (联系电话) — a mainland mobile number or a landline with its area code — and, for accounts, the QR
code image (二维码, services/registry/accounts/qrcode.py)."""
import re

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from services.common.validation import plain_name

# 11-digit mobile (13x–19x); landline: area code 0 + 2–3 digits, 7–8 digit number, optional extension.
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?")
PHONE_MESSAGE = "联系电话格式有误：应为11位手机号码，或带区号的固定电话（如 0913-2123456）"


def normalise_phone(value: str | None) -> str | None:
    """The phone as stored: spaces and a +86/0086 prefix dropped, a landline as 区号-号码[-分机]; ValueError
    (zh-CN) for anything else."""
    if value is None:
        return None
    text = re.sub(r"[\s\u3000]", "", value).replace("（", "(").replace("）", ")").replace("－", "-")
    if not text:
        return None
    text = re.sub(r"^(?:\+86|0086)-?", "", text)
    text = re.sub(r"^\((0\d{2,3})\)", r"\1-", text)  # (0913)2123456
    if _MOBILE.fullmatch(text):
        return text
    landline = _LANDLINE.fullmatch(text)
    if landline is None:
        raise ValueError(PHONE_MESSAGE)
    area, number, extension = landline.groups()
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


_SHA256 = re.compile(r"[0-9a-f]{64}")


def qr_digest(value: str | None) -> str | None:
    """A 二维码 is named by the sha256 its upload answered (never a storage key a client makes up)."""
    if value is not None and not _SHA256.fullmatch(value):
        raise ValueError("二维码图片标识无效，请重新上传二维码")
    return value


def responsible_name(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = plain_name(value.strip())
    assert value is not None
    if len(value) < 2:
        raise ValueError("负责人姓名至少2个字")
    return value


class ContactFields(SQLModel):
    responsible_person: str | None = Field(default=None, max_length=50, description="负责人")
    contact_phone: str | None = Field(default=None, max_length=30, description="联系电话 (mobile or landline)")

    _person = field_validator("responsible_person")(classmethod(lambda cls, v: responsible_name(v)))
    _phone = field_validator("contact_phone")(classmethod(lambda cls, v: normalise_phone(v)))
