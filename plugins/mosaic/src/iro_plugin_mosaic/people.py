"""People and workers: the children among Mosaic's persons, and the IROs among its workers.

``dm_persons`` holds everyone the authority records (parents and carers as
well as children) and ``dm_workers`` every worker; the canonical tables want
only the looked-after children and the IROs.
"""

from __future__ import annotations

import pandas as pd
from iro_etl.sources.readers import normalise_header

from iro_plugin_mosaic.tables import GENDER
from iro_plugin_mosaic.workflow import normalised


def children_table(persons: pd.DataFrame, referenced: pd.Series) -> pd.DataFrame:
    """The persons who are children in care (named by an episode, review or IRO step), SEX as 903 codes.

    If nothing refers to anyone (a persons extract read on its own) every person is kept.
    """
    ids = set(referenced.dropna())
    # A person without an id is kept, for the core to report, rather than dropped unseen.
    frame = persons[persons["child_id"].isin(ids) | persons["child_id"].isna()] if ids else persons
    gender = frame["sex"].str.upper().map(GENDER)
    # Unknown genders are passed on as written, so the failure shows what the export holds.
    return frame.assign(sex=gender.fillna(frame["sex"]).astype("string")).reset_index(drop=True)


def staff_table(workers: pd.DataFrame, titles: tuple[str, ...]) -> pd.DataFrame:
    """The workers with an IRO job title; an extract without job titles is taken as IROs only."""
    title = normalised(workers["job_title"])
    frame = workers
    if title.notna().any():
        frame = workers[title.isin([normalise_header(t) for t in titles]).fillna(False)]
    return frame.drop(columns="job_title").reset_index(drop=True)
