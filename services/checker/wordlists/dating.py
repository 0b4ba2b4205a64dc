"""When a text was written, for outdated names: an old name is right in text about the years before the
reform, even when the page carrying it was (re)published later."""
import re
from datetime import date

# “2015年” in a title: the year the document reports on (统计公报, 年报, 工作总结 …).
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


def written_on(page_date: date | None, title: str) -> date | None:
    """The earlier of the page's date and the end of the latest year its title names (a 2015 bulletin
    re-published by a new CMS in 2022 was written about 2015); None when neither is known."""
    years = [int(y) for y in _TITLE_YEAR.findall(title or "")]
    named = date(max(years), 12, 31) if years else None
    if page_date is None or named is None:
        return page_date or named
    return min(page_date, named)


def still_right(obsolete_since: date | None, page_date: date | None, title: str) -> bool:
    """True when an outdated name was still the right one for the text (undated text is judged as new)."""
    written = written_on(page_date, title)
    return obsolete_since is not None and written is not None and written < obsolete_since
