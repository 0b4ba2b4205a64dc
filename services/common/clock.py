"""Beijing time for everything a user sees or a document carries (dates in notices, signature dates, 印发日期,
self-inspection reports, deadlines, export file names, reminder texts).

Timestamps are stored in UTC; a calendar day is the day in the offices' zone (setting GOVWATCH_TIMEZONE,
default Asia/Shanghai). Before 08:00 Beijing time the UTC date is still yesterday, so never call
`date.today()` / `datetime.now()` / `utcnow().date()` for a user-facing value: use these. Every function takes
an optional `now` (an aware instant) so a caller or a test can pin the instant."""
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict


class ClockSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVWATCH_", extra="ignore")

    timezone: str = "Asia/Shanghai"  # the zone where the offices work (China has no DST)


@lru_cache
def zone() -> ZoneInfo:
    return ZoneInfo(ClockSettings().timezone)


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_beijing(value: datetime) -> datetime:
    """An instant in the offices' zone; a naive datetime is a stored UTC timestamp."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone())


def beijing_now(now: datetime | None = None) -> datetime:
    return to_beijing(now or utc_now())


def beijing_today(now: datetime | None = None) -> date:
    return beijing_now(now).date()


def beijing_date(value: str | datetime | date | None) -> date | None:
    """The Beijing calendar day of an instant (an ISO string from another service, a datetime, or a date
    which is already a calendar day)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        return to_beijing(value).date()
    return value


def cn_date(day: date) -> str:
    """A calendar day as documents and messages print it: 2026年12月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def file_stamp(now: datetime | None = None) -> str:
    """The time part of an export's file name: 202612050730 (Beijing minutes)."""
    return f"{beijing_now(now):%Y%m%d%H%M}"
