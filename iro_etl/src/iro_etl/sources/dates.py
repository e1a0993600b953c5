"""Reading export values: dates (dd/mm/yyyy, ISO, Excel serials, text months) and yes/no answers.

Parsing is vectorised and done once per distinct value (a column of a million reviews holds
a few thousand dates): the column's own layout is found from a sample and read in one pass;
each other accepted layout is then tried once over what is left. What no layout reads
(including impossible dates such as 31/02/2012) is reported, never guessed. A time of day is
dropped: these are dates.
"""

import pandas as pd

from iro_etl.sources.distinct import per_distinct

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Serial numbers of 1 Jan 1950 and 31 Dec 2099: anything else is not a plausible date here.
_SERIAL_RANGE = (18264, 73050)
_LAYOUTS = ("%d/%m/%Y", "%Y/%m/%d", "%d/%b/%Y", "%d/%B/%Y", "%Y%m%d")
#: Whole-column layouts exports write: UK dates, ISO dates, and database datetimes (SQL
#: Server's text form, ISO with a T). Trying each on every value would cost a full
#: failing pass per layout, so a sample picks the one the column uses.
_COLUMN_LAYOUTS = ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S",
                   "%Y-%m-%dT%H:%M:%S")
_SAMPLE = 64


def _column_layout(text: pd.Series) -> str | None:
    """The layout that reads most of a sample of the column's values (None if none reads any)."""
    sample = text.dropna()
    sample = sample[sample != ""].iloc[:_SAMPLE]
    if sample.empty:
        return None
    hits = {layout: int(pd.to_datetime(sample, format=layout, errors="coerce").notna().sum())
            for layout in _COLUMN_LAYOUTS}
    best = max(hits, key=hits.__getitem__)
    return best if hits[best] else None


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of text dates: (dates as datetime64[us], mask of unreadable non-blank values)."""
    parsed = per_distinct(values, _dates)
    return parsed["date"], parsed["bad"]


def _dates(values: pd.Series) -> pd.DataFrame:
    text = values.str.strip()
    blank = text.isna() | (text == "")
    # Most exports use one layout throughout: read the column with it, then the rest with
    # the other common ones.
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    first = _column_layout(text)
    for layout in (first, *(c for c in _COLUMN_LAYOUTS if c != first)) if first else ():
        todo = out.isna() & ~blank
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=layout, errors="coerce")
        out[todo] = parsed.dt.normalize().astype("datetime64[us]")
    todo = out.isna() & ~blank
    if not todo.any():
        return pd.DataFrame({"date": out, "bad": todo})
    # Drop a time of day (ISO 'T' or a space) and unify separators, so one layout covers many.
    core = text[todo].str.replace(r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?$", "", regex=True)
    core = core.str.replace(r"[-. ]+", "/", regex=True).reindex(text.index)
    for layout in _LAYOUTS:
        todo = out.isna() & ~blank
        if not todo.any():
            break
        parsed = pd.to_datetime(core[todo], format=layout, errors="coerce")
        out[todo] = parsed.astype("datetime64[us]")
    todo = out.isna() & ~blank & text.str.fullmatch(r"\d+(?:\.0+)?").fillna(False)
    if todo.any():
        serial = pd.to_numeric(text[todo], errors="coerce")
        serial = serial[(serial >= _SERIAL_RANGE[0]) & (serial <= _SERIAL_RANGE[1])]
        out[serial.index] = (_EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")).astype(
            "datetime64[us]"
        )
    return pd.DataFrame({"date": out, "bad": out.isna() & ~blank})


_TRUE = {"y", "yes", "true", "t", "1", "1.0"}
_FALSE = {"n", "no", "false", "f", "0", "0.0"}


def parse_flags(values: pd.Series) -> pd.Series:
    """Yes/no answers as a nullable boolean column; anything else is left blank."""
    return per_distinct(values, _flags)


def _flags(values: pd.Series) -> pd.Series:
    text = values.str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False)] = True
    out[text.isin(_FALSE).fillna(False)] = False
    return out
