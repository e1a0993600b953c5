"""Working days and calendar months, as the review and notification rules count them.

"N working days after D" is the Nth working day strictly after D, whatever day
D is; "N working days before D" the Nth strictly before. Bank holidays come
from the ``holidays`` package for the authority's country and subdivision.
Calendar months clamp to the month's end (30 Nov + 3 months = 28/29 Feb).
"""

from dataclasses import dataclass
from functools import cached_property

import holidays
import numpy as np
import pandas as pd

#: Years the holiday calendar covers; the 903 return starts in the 1990s.
_YEARS = range(1990, 2101)


@dataclass(frozen=True)
class WorkingCalendar:
    """Monday to Friday less the public holidays of one country (and subdivision)."""

    country: str = "GB"
    subdiv: str | None = "ENG"

    @cached_property
    def _busdays(self) -> np.busdaycalendar:
        days = holidays.country_holidays(self.country, subdiv=self.subdiv, years=_YEARS)
        return np.busdaycalendar(holidays=np.array(sorted(days), dtype="datetime64[D]"))

    def holidays_between(self, start: str, end: str) -> list[pd.Timestamp]:
        """Holidays on weekdays between two dates, for reports and tests."""
        days = self._busdays.holidays
        return [pd.Timestamp(d) for d in days[(days >= np.datetime64(start))
                                              & (days <= np.datetime64(end))]]

    def add_working_days(self, dates: pd.Series, n: int) -> pd.Series:
        """The Nth working day strictly after (n > 0) or before (n < 0) each date."""
        # Rolling a non-working day the opposite way first makes it count as day zero.
        roll = "backward" if n > 0 else "forward"
        return self._offset(dates, n, roll)

    def _offset(self, dates: pd.Series, n: int, roll: str) -> pd.Series:
        mask = dates.notna()
        days = dates[mask].to_numpy(dtype="datetime64[D]")
        shifted = np.busday_offset(days, n, roll=roll, busdaycal=self._busdays)
        out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[us]")
        out[mask] = shifted.astype("datetime64[us]")
        return out


def add_months(dates: pd.Series, months: int) -> pd.Series:
    """Each date plus whole calendar months, clamped to the end of a shorter month."""
    return dates + pd.DateOffset(months=months)
