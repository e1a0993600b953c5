"""Dates as exports write them: every accepted layout, and what is refused."""

import pandas as pd
import pytest
from iro_etl.dates import parse_dates


@pytest.mark.parametrize("text", [
    "05/01/2012", "5/1/2012", "2012-01-05", "2012-01-05T00:00:00", "2012-01-05 00:00:00",
    "05-01-2012", "05.01.2012", "5 Jan 2012", "05-January-2012", "40913", "40913.0",
    " 05/01/2012 ", "20120105",
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
