"""Working days and months, checked by hand against the England and Wales calendar."""

import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta
from iro_etl.rules.calendar import WorkingCalendar, add_months

ENG = WorkingCalendar()


def _one(calendar: WorkingCalendar, day: str, n: int) -> str:
    out = calendar.add_working_days(pd.Series([pd.Timestamp(day)]), n)
    return str(out.iloc[0].date())


@pytest.mark.parametrize(("start", "n", "expected"), [
    # Thursday before the Diamond Jubilee: Fri 1 June, then 4 and 5 June are holidays.
    ("2012-05-31", 2, "2012-06-06"),
    # A Saturday never counts as day one: Mon 4 and Tue 5 June are holidays too.
    ("2012-06-02", 2, "2012-06-07"),
    # Royal wedding (29 Apr 2011) and the early May bank holiday (2 May) in one stretch.
    ("2011-04-28", 2, "2011-05-04"),
    # Christmas Eve is a working day; Christmas and Boxing Day are not.
    ("2012-12-21", 2, "2012-12-27"),
    # Twenty working days across the Jubilee: 22 May .. 20 June less two holidays.
    ("2012-05-21", 20, "2012-06-20"),
    # New year 2014: 3 Jan is day 1, 30 Jan is day 20.
    ("2014-01-02", 20, "2014-01-30"),
    # A review due date falling on a Sunday start: 20 working days from Mon 23 Sep 2013.
    ("2013-09-22", 20, "2013-10-18"),
    # Before: 3 working days before Thu 7 June 2012 skips the two Jubilee holidays.
    ("2012-06-07", -3, "2012-05-31"),
    # Before: Christmas 2011 fell on a Sunday, so Tue 27 Dec and Mon 2 Jan were holidays.
    ("2012-01-03", -3, "2011-12-28"),
])
def test_working_days_england(start, n, expected):
    assert _one(ENG, start, n) == expected


def test_calendar_is_per_authority():
    # St Andrew's Day (30 Nov) is a holiday in Scotland, not in England.
    assert _one(ENG, "2012-11-29", 1) == "2012-11-30"
    assert _one(WorkingCalendar("GB", "SCT"), "2012-11-29", 1) == "2012-12-03"


def test_one_off_holidays_are_known():
    days = {str(d.date()) for d in ENG.holidays_between("2011-01-01", "2023-12-31")}
    assert {"2011-04-29", "2012-06-04", "2012-06-05", "2020-05-08", "2022-06-02",
            "2022-06-03", "2022-09-19", "2023-05-08"} <= days


def test_each_date_moved_by_its_own_working_days():
    """The cases above in one call, each row with its own n; 0 keeps a Saturday; blanks stay."""
    cases = [("2012-05-31", 2, "2012-06-06"), ("2012-06-02", 2, "2012-06-07"),
             ("2012-06-07", -3, "2012-05-31"), ("2012-01-03", -3, "2011-12-28"),
             ("2012-06-02", 0, "2012-06-02")]
    dates = pd.Series([pd.Timestamp(day) for day, _, _ in cases] + [pd.NaT])
    out = ENG.add_working_days_each(dates, [n for _, n, _ in cases] + [5])
    assert [str(d.date()) for d in out.iloc[:-1]] == [want for *_, want in cases]
    assert pd.isna(out.iloc[-1])


def test_blank_dates_stay_blank():
    out = ENG.add_working_days(pd.Series([pd.NaT, pd.Timestamp("2012-05-31")]), 2)
    assert out.isna().tolist() == [True, False]


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2011-11-30", 3, "2012-02-29"),  # leap year
    ("2013-11-30", 3, "2014-02-28"),
    ("2011-08-31", 6, "2012-02-29"),
    ("2012-08-31", 6, "2013-02-28"),
    ("2012-01-31", 3, "2012-04-30"),
    ("2012-03-15", 6, "2012-09-15"),
])
def test_months_clamp_to_month_end(start, months, expected):
    got = add_months(pd.Series([pd.Timestamp(start)]), months).iloc[0]
    assert str(got.date()) == expected
    assert got.date() == pd.Timestamp(start).date() + relativedelta(months=months)



def test_counting_working_days_across_the_jubilee():
    def dates(values):
        return pd.Series(pd.to_datetime(values))

    review = dates(["2012-06-07"] * 5)
    received = dates(["2012-05-31", "2012-06-01", "2012-06-07", "2012-06-08", "2012-06-09"])
    # Thu 31 May is the 3rd working day before Thu 7 June, Fri 1 June the 2nd; Sat 9 counts as
    # Mon 11, the 2nd working day after.
    assert ENG.working_days_before(received, review).tolist() == [3, 2, 0, -1, -2]
    due = dates(["2012-06-01"] * 4)
    issued = dates(["2012-06-01", "2012-06-02", "2012-06-06", "2012-06-07"])
    late = ENG.working_days_late(due, issued)
    assert late.isna().tolist() == [True, False, False, False]
    assert late.tolist()[1:] == [1, 1, 2]
