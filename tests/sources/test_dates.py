"""Dates as exports write them: every accepted layout, and what is refused."""

import numpy as np
import pandas as pd
import pytest
from iro_etl.sources.dates import parse_dates, parse_flags


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


def test_a_long_column_reads_each_row_as_its_value_alone():
    """Dates are parsed once per distinct value and spread back: every row must read as its
    own value does on its own, blanks and repeats included, in any order."""
    rng = np.random.default_rng(7)
    values = ["05/01/2012", "2012-01-06", "2012-01-07 00:00:00.000", "8 Jan 2012", "40918",
              "31/02/2012", "soon", "", " 2012-01-11 ", None, "2012-01-12T10:00:00", "20120113"]
    column = pd.Series(rng.choice(np.array(values, dtype=object), 2_000), index=rng.permutation(
        np.arange(5_000, 7_000)))
    dates, bad = parse_dates(column)
    alone = [parse_dates(pd.Series([value])) for value in values]
    expected = {value: (d.iloc[0], b.iloc[0]) for value, (d, b) in
                zip(values, alone, strict=True)}
    assert dates.index.equals(column.index) and bad.index.equals(column.index)
    assert dates.dtype == "datetime64[us]" and not bad.isna().any()
    for value, date, flagged in zip(column, dates, bad, strict=True):
        want_date, want_bad = expected[None if pd.isna(value) else value]
        assert flagged == want_bad
        assert (pd.isna(date) and pd.isna(want_date)) or date == want_date


def test_flags_read_each_row_as_its_value_alone():
    column = pd.Series(["Y", "no", " TRUE ", None, "maybe", "0", "Y", "", "1.0"] * 3,
                       index=range(100, 127))
    assert parse_flags(column).tolist() == [True, False, True, pd.NA, pd.NA, False, True, pd.NA,
                                            True] * 3
    assert parse_flags(column).dtype == "boolean"
    assert parse_flags(column).index.equals(column.index)
    assert parse_flags(pd.Series([None, None])).isna().all()
