"""Reading export values: dates (dd/mm/yyyy, ISO, Excel serials, text months) and yes/no answers.

Parsing is vectorised: each accepted layout is tried once over the column and
fills only what earlier layouts left unparsed. What no layout reads (including
impossible dates such as 31/02/2012) is reported, never guessed.
"""

import pandas as pd

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Serial numbers of 1 Jan 1950 and 31 Dec 2099: anything else is not a plausible date here.
_SERIAL_RANGE = (18264, 73050)
_LAYOUTS = ("%d/%m/%Y", "%Y/%m/%d", "%d/%b/%Y", "%d/%B/%Y", "%Y%m%d")


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of text dates: (dates as datetime64[us], mask of unreadable non-blank values)."""
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    # Most exports use one layout throughout: try the two common ones on the text as it is.
    out = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce").astype("datetime64[us]")
    todo = out.isna() & ~blank
    if todo.any():
        iso = pd.to_datetime(text[todo], format="%Y-%m-%d", errors="coerce")
        out[todo] = iso.astype("datetime64[us]")
    todo = out.isna() & ~blank
    if not todo.any():
        return out, todo
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
    return out, out.isna() & ~blank


_TRUE = {"y", "yes", "true", "t", "1", "1.0"}
_FALSE = {"n", "no", "false", "f", "0", "0.0"}


def parse_flags(values: pd.Series) -> pd.Series:
    """Yes/no answers as a nullable boolean column; anything else is left blank."""
    text = values.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False)] = True
    out[text.isin(_FALSE).fillna(False)] = False
    return out
