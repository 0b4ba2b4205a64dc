"""Beijing time for user-facing dates: at 2026-12-04T23:30Z it is already 12月5日 07:30 in Beijing, so every
date a user sees (documents, deadlines, export file names) says 2026-12-05, never the UTC date."""
from datetime import UTC, date, datetime, timedelta, timezone

from sqlmodel import select

from services.common import clock
from services.registry.api.exporting import ExportFormat, export_response
from services.registry.filings.models import SubjectKind
from services.registry.sites.models import Site

BEFORE_EIGHT = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 2026-12-05 07:30 Beijing


def test_a_utc_instant_before_eight_is_the_next_beijing_day():
    assert clock.beijing_today(BEFORE_EIGHT) == date(2026, 12, 5)
    assert clock.beijing_now(BEFORE_EIGHT).strftime("%Y-%m-%d %H:%M") == "2026-12-05 07:30"
    assert clock.file_stamp(BEFORE_EIGHT) == "202612050730"
    # 16:00Z is the Beijing midnight: one minute before it is still the same day.
    assert clock.beijing_today(datetime(2026, 12, 4, 15, 59, tzinfo=UTC)) == date(2026, 12, 4)
    assert clock.beijing_today(datetime(2026, 12, 4, 16, 0, tzinfo=UTC)) == date(2026, 12, 5)


def test_conversions_of_stored_and_upstream_values():
    # A naive datetime is a stored UTC timestamp; an ISO string from another service may end in Z.
    assert clock.to_beijing(datetime(2026, 12, 4, 23, 30)).hour == 7
    assert clock.beijing_date("2026-12-04T23:30:00Z") == date(2026, 12, 5)
    assert clock.beijing_date("2026-12-04T23:30:00+00:00") == date(2026, 12, 5)
    assert clock.beijing_date(datetime(2026, 12, 5, 7, 30, tzinfo=timezone(timedelta(hours=8)))) == date(2026, 12, 5)
    assert clock.beijing_date(date(2026, 12, 4)) == date(2026, 12, 4)  # a calendar day stays that day
    assert clock.beijing_date(None) is None and clock.beijing_date("") is None


def test_without_a_pinned_instant_it_is_the_current_beijing_day():
    assert abs(clock.beijing_now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert clock.beijing_now().utcoffset() == timedelta(hours=8)
    assert clock.beijing_today() == (datetime.now(UTC) + timedelta(hours=8)).date()


def test_registry_export_file_name_carries_the_beijing_date(session):
    response = export_response(session, SubjectKind.site, select(Site).where(Site.id == -1), ExportFormat.csv,
                               "政府网站", now=BEFORE_EIGHT)
    disposition = response.headers["content-disposition"]
    assert "202612050730" in disposition and "20261204" not in disposition


def test_checker_evidence_prints_the_beijing_day_of_a_post():
    """A post stamped in epoch seconds (parsed as UTC) at 07:30 Beijing time is dated that day in the evidence
    text a supervisor reads, not the UTC day before."""
    from services.checker.checks.account_common import post_line
    from services.checker.platforms.base import Post
    from services.checker.platforms.dates import parse_moment

    published = parse_moment(int(BEFORE_EIGHT.timestamp()))
    assert published == BEFORE_EIGHT
    assert post_line(Post(published=published, title="通知", url=None, original=True)) == "2026-12-05【原创】通知"
    # A naive time from a page is China time already.
    assert post_line(Post(published=datetime(2026, 12, 5, 7, 30), title="通知", url=None, original=False)) \
        == "2026-12-05【转发】通知"
