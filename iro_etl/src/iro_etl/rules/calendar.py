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

    def add_working_days_each(self, dates: pd.Series, days: np.ndarray) -> pd.Series:
        """Each date moved by its own number of working days, as :meth:`add_working_days`.

        0 keeps the date as it is (even on a non-working day); blank dates stay blank.
        """
        days = np.asarray(days, dtype=np.int64)
        out = dates.astype("datetime64[us]").copy()
        move = dates.notna().to_numpy() & (days != 0)
        if move.any():
            start = dates.to_numpy(dtype="datetime64[D]")[move]
            n = days[move]
            after = np.busday_offset(start, n, roll="backward", busdaycal=self._busdays)
            before = np.busday_offset(start, n, roll="forward", busdaycal=self._busdays)
            out[move] = np.where(n > 0, after, before).astype("datetime64[us]")
        return out

    def working_days_before(self, dates: pd.Series, reference: pd.Series) -> pd.Series:
        """Signed working days from each date to its reference date (blank where either is).

        N when the date is the Nth working day strictly before the reference, 0 on the day
        itself, -N when it is the Nth working day after; a date on a non-working day counts
        as the next working day. So a date is on or before the 3rd working day before the
        reference iff this is 3 or more.
        """
        both = (dates.notna() & reference.notna()).to_numpy()
        out = pd.Series(pd.NA, index=dates.index, dtype="Int64")
        days = dates[both].to_numpy().astype("datetime64[D]")
        ref = reference[both].to_numpy().astype("datetime64[D]")
        # numpy counts the working days in [date, ref) before the reference and in (ref, date]
        # after it, negated: before it a weekend already counts as the Monday, after it roll first.
        days = np.where(days > ref, np.busday_offset(days, 0, roll="forward",
                                                     busdaycal=self._busdays), days)
        out[both] = np.busday_count(days, ref, busdaycal=self._busdays)
        return out

    def working_days_late(self, due: pd.Series, dates: pd.Series) -> pd.Series:
        """For dates later than their due date: 1 on the next working day, 2 the one after, ...

        Anything late is at least 1 (a Saturday after a Friday due date counts as the
        Monday); blank where the date is blank or not after the due date.
        """
        return (-self.working_days_before(dates, due)).where(dates > due)

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
