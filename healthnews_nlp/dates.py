"""Dates as news articles write them: RFC 2822 feeds, ISO stamps, Chinese datelines.

Dates without a zone are taken as China Standard Time (UTC+8), the zone these
sources publish in, so that every date the library returns is timezone-aware.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

CHINA_TZ = timezone(timedelta(hours=8), "CST")

_ISO_LIKE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[T\s]*(?P<H>\d{1,2})[:：时](?P<M>\d{2})(?:[:：分](?P<S>\d{2}))?)?"
)
_MONTH_DAY = re.compile(r"(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def aware(value: datetime) -> datetime:
    """``value`` with China Standard Time attached when it has no zone."""
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)


def parse_date(value: object) -> datetime | None:
    """A timezone-aware datetime from a front-matter or record value, or None if it is not a date.

    Accepts datetime/date objects (YAML may produce them), RFC 2822
    (``Mon, 18 Oct 2021 01:53:00 GMT``), ISO 8601 and Chinese dates
    (``2021年10月14日``, ``2025-07-01 13:00:14``).
    """
    if isinstance(value, datetime):
        return aware(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=CHINA_TZ)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    match = _ISO_LIKE.match(text)
    if match:
        return _from_match(match)
    try:
        return aware(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    match = _ISO_LIKE.search(text)
    return _from_match(match) if match else None


def _from_match(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    try:
        return datetime(
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts["H"] or 0),
            int(parts["M"] or 0),
            int(parts["S"] or 0),
            tzinfo=CHINA_TZ,
        )
    except ValueError:
        return None


def latest_year(text: str, *, not_after: int | None = None) -> int | None:
    """The latest plausible year written in ``text`` (used to complete a month-day dateline)."""
    ceiling = not_after or datetime.now(CHINA_TZ).year
    years = [int(y) for y in _YEAR.findall(text) if int(y) <= ceiling]
    return max(years) if years else None


def month_day(match_text: str, year: int | None) -> datetime | None:
    """``12月21日`` in ``year`` as a datetime, or None when the year is unknown or the day invalid."""
    match = _MONTH_DAY.search(match_text)
    if not match or year is None:
        return None
    try:
        return datetime(year, int(match["m"]), int(match["d"]), tzinfo=CHINA_TZ)
    except ValueError:
        return None
