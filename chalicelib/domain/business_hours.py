"""Working time: a group's calendar (weekdays, opening hours, time zone) minus Turkish
public holidays, with half-day eves closing at 13:00.

Holidays come from the `holidays` package (which computes the moving religious
holidays), so nobody maintains a date list by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from .model import Model

HALF_DAY_CLOSES = time(13, 0)
_MAX_DAYS = 800  # a target longer than two years of working days is a configuration error


class DayHours(Model):
    """One weekday's own opening hours (wall clock, in the calendar's zone)."""

    opens: time
    closes: time

    @model_validator(mode="after")
    def _hours(self) -> DayHours:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("a wall-clock time without an offset: the timezone field says where")
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        return self


class BusinessCalendar(Model):
    id: str = "default"
    name: str = "Mesai saatleri"
    timezone: str = "Europe/Istanbul"
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], description="0=Monday")
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    observe_holidays: bool = True
    #: weekdays (0=Monday) whose hours differ from `opens`-`closes`, e.g. Saturday 10-14
    day_hours: dict[int, DayHours] = Field(default_factory=dict)

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if not value or any(d not in range(7) for d in value):
            raise ValueError("weekdays: one or more of 0 (Monday) to 6 (Sunday)")
        return sorted(set(value))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
            raise ValueError(f"unknown time zone {value[:64]!r}") from exc
        return value

    @field_validator("opens", "closes")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a wall-clock time without an offset: the timezone field says where")
        return value

    @model_validator(mode="after")
    def _hours(self) -> BusinessCalendar:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        strays = sorted(set(self.day_hours) - set(self.weekdays))
        if strays:
            raise ValueError(f"day_hours for days off {strays}: add them to weekdays first")
        return self

    def hours_on(self, weekday: int) -> tuple[time, time]:
        """The opening and closing time of that weekday (its own, else the calendar's)."""
        own = self.day_hours.get(weekday)
        return (own.opens, own.closes) if own else (self.opens, self.closes)


@lru_cache(maxsize=16)
def _turkish_holidays(year: int) -> tuple[frozenset[date], frozenset[date]]:
    import holidays

    full = holidays.country_holidays("TR", years=year, categories=("public",))
    half = holidays.country_holidays("TR", years=year, categories=("half_day",))
    return frozenset(full), frozenset(half)


def working_window(calendar: BusinessCalendar, day: date) -> tuple[datetime, datetime] | None:
    """The day's working hours as aware datetimes, or None on a day off."""
    if day.weekday() not in calendar.weekdays:
        return None
    opens, closes = calendar.hours_on(day.weekday())
    if calendar.observe_holidays:
        full, half = _turkish_holidays(day.year)
        if day in full:
            return None
        if day in half:
            closes = min(closes, HALF_DAY_CLOSES)
            if closes <= opens:
                return None
    zone = ZoneInfo(calendar.timezone)
    return (
        datetime.combine(day, opens, tzinfo=zone),
        datetime.combine(day, closes, tzinfo=zone),
    )


def add_working_minutes(calendar: BusinessCalendar, start: datetime, minutes: float) -> datetime:
    """The moment `minutes` of working time after `start`."""
    left = timedelta(minutes=minutes)
    day = start.astimezone(ZoneInfo(calendar.timezone)).date()
    for _ in range(_MAX_DAYS):
        window = working_window(calendar, day)
        if window:
            begin = max(window[0], start)
            if begin < window[1]:
                available = window[1] - begin
                if left <= available:
                    return (begin + left).astimezone(UTC)
                left -= available
        day += timedelta(days=1)
    raise ValueError("the target does not fit in the calendar")


def working_minutes_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Working minutes from `start` to `end` (negative when end is before start)."""
    if end < start:
        return -working_minutes_between(calendar, end, start)
    zone = ZoneInfo(calendar.timezone)
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    total = timedelta()
    while day <= last:
        window = working_window(calendar, day)
        if window:
            begin, finish = max(window[0], start), min(window[1], end)
            if begin < finish:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds() / 60
