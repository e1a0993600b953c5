"""Several authorities' clean tables as one, so that the rules run once over all of them.

A nightly run over many authorities costs what one load of all their children costs only
if the rules' thousands of small frame operations are paid once, not once per authority.
Authorities that share a run date, a working calendar and policies are stacked: each
table is concatenated with an ``authority`` column, and the ids that are unique only
within an authority (children, IROs) are qualified with the authority's code, so no two
authorities' rows meet in a join or a group. Every count in the rules is by authority
(:mod:`iro_etl.rules.frames`), and :func:`unstack` gives each authority its rows back, ids
as its own system wrote them, in the order a load of that authority alone gives them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from iro_etl.rules.frames import AUTHORITY

#: Between an authority's code and its own id: a character no export's id holds.
SEPARATOR = "\x1f"
#: Ids unique within one authority only.
QUALIFIED = ("child_id", "iro_id")


def qualified(authority: str | pd.Series, ids: pd.Series) -> pd.Series:
    """Each id prefixed with its authority's code (text, of the ids' kind where they are
    text; blank where the id is): unique across the stacked authorities."""
    # NumPy adds the Python strings in one pass; pandas' string arithmetic costs twice that
    # (a million ids: 0.1 s against 0.2 s), and validation and stacking qualify every id.
    prefix = (authority + SEPARATOR if isinstance(authority, str)
              else np.add(authority.to_numpy(dtype=object), SEPARATOR))
    text = ids.dtype if isinstance(ids.dtype, pd.StringDtype) else "string"
    return pd.Series(np.add(prefix, ids.to_numpy(dtype=object, na_value=pd.NA)),
                     index=ids.index, name=ids.name, dtype=text)


def stack(cleans: Mapping[str, Mapping[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Each table of every authority's clean tables (by authority code), concatenated.

    One authority alone keeps its own ids: only several need them qualified.
    """
    several = len(cleans) > 1
    tables = dict.fromkeys(name for clean in cleans.values() for name in clean)
    out = {}
    for name in tables:
        parts = []
        for code, clean in cleans.items():
            frame = clean.get(name)
            if frame is None:
                continue
            ids = {column: qualified(code, frame[column])
                   for column in QUALIFIED if several and column in frame}
            parts.append(frame.assign(**{AUTHORITY: code}, **ids))
        out[name] = pd.concat(parts, ignore_index=True)
    return out


def by_authority(frame: pd.DataFrame, codes: list[str]) -> dict[str, pd.DataFrame]:
    """``frame``'s rows per authority of ``codes`` (none for an authority without rows), in
    their order; the rows of one authority alone are all of them."""
    if len(codes) == 1:
        return {codes[0]: frame.reset_index(drop=True)}
    out = {code: frame.iloc[:0] for code in codes}
    out.update({code: rows.reset_index(drop=True)
                for code, rows in frame.groupby(AUTHORITY, sort=False)})
    return out


def unstack(frame: pd.DataFrame, codes: list[str]) -> dict[str, pd.DataFrame]:
    """``frame``'s rows per authority of ``codes`` (:func:`by_authority`), with the ids
    :func:`stack` qualified as the authority's own again."""
    if len(codes) == 1:
        return {codes[0]: frame.assign(**{AUTHORITY: codes[0]})}
    out = by_authority(frame, codes)
    for code, rows in out.items():
        # A column with no id at all may not be text (an all-blank iro_id is float).
        own = {column: rows[column].str.slice(len(code) + len(SEPARATOR))
               for column in QUALIFIED if column in rows and rows[column].notna().any()}
        out[code] = rows.assign(**own)
    return out
