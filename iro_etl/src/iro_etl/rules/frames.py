"""Frame helpers every rule shares: a canonical table with all its columns, a mart's columns, ages.

Every table the rules read carries an ``authority`` column, so that several authorities'
tables can be stacked and the rules run once over all of them (see
:mod:`iro_etl.rules.stack`): every count is grouped by authority as well as by year.
A table of one authority read on its own has the label ``""`` until its marts are built.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.marts import MART_MODELS

#: The column naming each row's authority, in every table the rules read and every mart.
AUTHORITY = "authority"


def table(clean: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """``clean[name]`` with every contract column; a table or column the export lacks is empty.

    Systems hold different tables (the 903 has no IRO-service tables), so a rule reads
    what is there and finds nothing where nothing was recorded.
    """
    frame = clean.get(name)
    frame = pd.DataFrame() if frame is None else frame
    missing = {}
    for column, spec in CANONICAL_MODELS[name].columns.items():
        if column not in frame:
            dtype = str(spec.dtype)
            dtype = ("datetime64[us]" if dtype.startswith("datetime")
                     else dtype if dtype in ("boolean", "float64") else "str")
            missing[column] = pd.Series(None, index=frame.index, dtype=dtype)
    if AUTHORITY not in frame:
        missing[AUTHORITY] = pd.Series("", index=frame.index, dtype="str")
    return frame.assign(**missing) if missing else frame


def authorities(frame: pd.DataFrame) -> pd.Index:
    """The authorities with rows in ``frame``, in order."""
    return pd.Index(sorted(frame[AUTHORITY].unique()), name=AUTHORITY)


def per_authority(frame: pd.DataFrame, names: pd.Index, where=None) -> np.ndarray:
    """Rows of ``frame`` (where ``where`` holds) for each authority of ``names``."""
    keys = frame[AUTHORITY] if where is None else frame.loc[np.asarray(where), AUTHORITY]
    return np.bincount(names.get_indexer(keys), minlength=len(names)).astype("int64")


def lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` (indexed by a unique key) for each row's key; missing where not found.

    Not ``Series.map``: mapping an empty key column onto dates fails in pandas, and an
    export whose children (or periods) were all quarantined must still give empty marts.
    """
    return pd.Series(values.reindex(keys).to_numpy(), index=keys.index, dtype=values.dtype)


def age_at(dob: pd.Series, when: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole years of age on a date, or on each row's date (a 29 February birthday comes on
    1 March in other years: the birthday is reached on the day, not the day before)."""
    on = when.dt if isinstance(when, pd.Series) else when
    before_birthday = (dob.dt.month > on.month) | (
        (dob.dt.month == on.month) & (dob.dt.day > on.day))
    return on.year - dob.dt.year - before_birthday.astype(int)


def as_mart(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the mart's contract columns in order.

    Only the shape: the contract itself is checked once, for every mart, when the load's
    marts are built (:func:`iro_etl.marts.build.all_marts`).
    """
    return frame.reindex(columns=list(MART_MODELS[name].columns)).reset_index(drop=True)
