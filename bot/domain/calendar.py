"""Business days: weekends, the marketplace country's national holidays, the seller's days off."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

WEEKDAYS = frozenset(range(5))
"""Monday to Friday: Amazon's operating days unless weekends are switched on (shipping.md §3)."""

_DAY = timedelta(days=1)

# The years sellerbot reasons about: from Amazon's first marketplace (1995), and short of the
# calendar's end (9999) by far more than deadlines and windows add to a day.
FIRST_YEAR, LAST_YEAR = 1995, 2999


def load_holidays() -> None:
    """Load the holiday tables now rather than at the first business-day question: the
    `holidays` library loads every country's module with any one of them (0.1 s), and an
    import's parser process has that time to spare while its importer starts."""
    import holidays.countries  # noqa: F401


@dataclass(frozen=True)
class BusinessCalendar:
    """Which local dates are operating days for one seller."""

    country: str
    non_working_days: frozenset[date] = frozenset()
    working_weekdays: frozenset[int] = WEEKDAYS
    # Listed holidays that are business days all the same (Seller Central's holiday override).
    working_holidays: frozenset[date] = frozenset()

    @cached_property
    def _holidays(self) -> "holidays.HolidayBase":
        # Imported when first asked: a command that computes no deadline (check-reply) does
        # not pay its twenty milliseconds.
        import holidays

        # National holidays only: Amazon skips national, not state or regional ones
        # (shipping.md §3, [au-lsr]); `holidays` gives the national list when no subdiv is set.
        return holidays.country_holidays(self.country)

    @property
    def holidays_version(self) -> str:
        """The version of the holiday data: a new one may move a deadline."""
        import holidays

        return holidays.__version__

    def holiday_name(self, day: date) -> str | None:
        """Name the public holiday on `day`, if there is one."""
        return self._holidays.get(day)

    @cached_property
    def _known(self) -> dict[date, bool]:
        # Reports ask about the same few days for every order; the holidays lookup is slow.
        return {}

    def is_business_day(self, day: date) -> bool:
        """True when `day` counts toward a ship-by deadline."""
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = (
                day.weekday() in self.working_weekdays
                and day not in self.non_working_days
                and (day in self.working_holidays or day not in self._holidays)
            )
        return known

    def add_business_days(self, start: date, days: int) -> date:
        """The `days`-th business day strictly after `start` (0: `start` itself)."""
        day = start
        left = days
        while left > 0:
            day += _DAY
            if self.is_business_day(day):
                left -= 1
        return day

    def business_day_before(self, start: date, days: int) -> date:
        """The `days`-th business day strictly before `start` (0: `start` itself)."""
        day = start
        left = days
        while left > 0:
            day -= _DAY
            if self.is_business_day(day):
                left -= 1
        return day

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        return self.add_business_days(day, 1)
