"""Dates as exports write them: every accepted layout, and what is refused."""

import pandas as pd
import pytest
from iro_etl.sources.dates import parse_dates


@pytest.mark.parametrize("text", [
    "05/01/2012", "5/1/2012", "2012-01-05", "2012-01-05T00:00:00", "2012-01-05 00:00:00",
    "05-01-2012", "05.01.2012", "5 Jan 2012", "05-January-2012", "40913", "40913.0",
    " 05/01/2012 ", "20120105", "2012-01-05 00:00:00.000", "2012-01-05 14:30:00",
    "2012-01-05T09:15:00",
])
def test_accepted_layouts(text):
    dates, bad = parse_dates(pd.Series([text]))
    assert not bad.iloc[0]
    assert dates.iloc[0] == pd.Timestamp("2012-01-05")


@pytest.mark.parametrize("text", ["31/02/2012", "2012-13-01", "yesterday", "12", "99999",
                                  "05/01/12x"])
def test_unreadable_values_are_flagged_not_guessed(text):
    dates, bad = parse_dates(pd.Series([text]))
    assert bad.iloc[0] and pd.isna(dates.iloc[0])


def test_blanks_are_not_failures_and_mixed_columns_parse_together():
    dates, bad = parse_dates(pd.Series(["", None, "29/02/2012", "2012-03-01", "41000"]))
    assert bad.tolist() == [False] * 5
    assert [None if pd.isna(d) else str(d.date()) for d in dates] == [
        None, None, "2012-02-29", "2012-03-01", "2012-04-01"]


def test_a_column_is_read_in_its_own_layout_and_odd_values_in_theirs():
    """A database extract's datetimes, a few UK dates typed in, an impossible one."""
    text = [f"2013-{m:02d}-{d:02d} 00:00:00.000" for m in range(1, 13) for d in (1, 15, 28)]
    odd = ["05/01/2012", "2012-01-06", "31/02/2012", "7 Jan 2012"]
    dates, bad = parse_dates(pd.Series(text + odd))
    assert bad.tolist() == [False] * (len(text) + 2) + [True, False]
    assert dates.iloc[0] == pd.Timestamp("2013-01-01") and dates.iloc[35] == pd.Timestamp("2013-12-28")
    assert [str(d.date()) for d in dates.iloc[-4:-2]] == ["2012-01-05", "2012-01-06"]
    assert dates.iloc[-1] == pd.Timestamp("2012-01-07")
    assert (dates.dropna().dt.hour == 0).all()
