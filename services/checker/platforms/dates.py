"""Moments as platforms publish them: ISO-8601, RFC 822 (RSS), epoch seconds/milliseconds, 2024-06-01 12:00."""
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

CHINA = timezone(timedelta(hours=8))


def parse_moment(value: Any) -> datetime | None:
    """An aware datetime (naive values are China time), or None when absent or unreadable."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    moment: datetime | None = None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            for fmt in ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日"):
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
