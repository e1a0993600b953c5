"""Mosaic's warehouse tables (as text, with lineage) assembled into canonical tables.

* a child is a person with a placement; FULL_ETHNICITY_CODE becomes the CBDS code that
  DM_ETHNICITIES gives it, where that table has one (otherwise it is kept as written);
* an episode is a placement split (DM_PLACEMENTS): its child comes from its period of care,
  its legal status is the DM_LEGAL_STATUSES row in force on its start, its carer, provider
  and URN the DM_PLACEMENT_DETAILS split in force on it (by ELEMENT_DETAIL_ID);
* its reason for new episode is derived as the SSD's Mosaic extract derives it: S at the
  period's start; L when only the legal status started that day; P when only the placement
  did (T when the carer is the previous episode's: the same carer under a new placement
  record is a change of placement type); U or B when both did, U with the same carer;
* a review is a completed CLA review step (LAC_REVIEW_CATEGORY set) for each person of its
  subgroup; cancelled steps and steps not completed yet are counted, not read;
* IRO allocations are the professional relationships of an IRO type; the IROs' posts are
  their primary worker roles, the team the role's organisation.

Every canonical row keeps the lineage of the warehouse row it came from. Vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from iro_etl.sources.dates import parse_dates
from iro_etl.sources.distinct import per_distinct
from iro_etl.sources.joins import in_force
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.lineage import LINEAGE_COLUMNS

from iro_plugin_mosaic.tables import CANCELLED, HELD


def _upper(values: pd.Series) -> pd.Series:
    return per_distinct(values, lambda text: text.str.strip().str.upper())


def _blank(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="string")


def ethnicities(children: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """FULL_ETHNICITY_CODE as the CBDS code DM_ETHNICITIES gives it, else as written."""
    known = lookup.dropna(subset=["code", "cbds"]).drop_duplicates("code").set_index("code")
    cbds = children["ethnic"].map(known["cbds"]).astype("string")
    return children.assign(ethnic=cbds.fillna(children["ethnic"]))


def _days(values: pd.Series) -> pd.Series:
    return parse_dates(values)[0]


def episodes(periods: pd.DataFrame, placements: pd.DataFrame, details: pd.DataFrame,
             legal: pd.DataFrame) -> pd.DataFrame:
    """Canonical episodes: each placement split with its period, legal status and detail."""
    period = periods.dropna(subset=["period_id"]).drop_duplicates("period_id").set_index(
        "period_id")
    out = placements.copy()
    out["child_id"] = out["period_id"].map(period["child_id"]).astype("string")
    start = _days(out["decom"])
    status = in_force(start, out[["child_id"]], legal.assign(ls_start=legal["start"]),
                      ["ls", "ls_start"])
    detail = in_force(start, out[["detail_id"]], details,
                      ["carer_id", "urn", "place_provider"])
    out = out.assign(ls=status["ls"], urn=detail["urn"],
                     place_provider=detail["place_provider"])
    # The previous episode of the same period, by start: whose carer this one keeps.
    order = out.assign(_start=start, _carer=detail["carer_id"]).sort_values(
        ["period_id", "_start"], kind="stable")
    previous = order.groupby("period_id", dropna=False)["_carer"].shift().reindex(out.index)
    same_carer = (detail["carer_id"] == previous).fillna(False).astype(bool)
    placed = start.groupby(out["placement_id"]).transform("min")
    new_legal = (_days(status["ls_start"]) == start).to_numpy()
    new_place = (placed == start).to_numpy()
    first = (_days(out["period_id"].map(period["start"])) == start).to_numpy()
    rne = np.select([first, new_legal & ~new_place, new_place & ~new_legal & same_carer,
                     new_place & ~new_legal, same_carer],
                    ["S", "L", "T", "P", "U"], "B")
    out["rne"] = pd.Series(rne, index=out.index, dtype="string").where(start.notna())
    columns = list(CANONICAL_MODELS["episodes"].columns)
    for column in columns:
        if column not in out:
            out[column] = _blank(out.index)
    return out[[*columns, *LINEAGE_COLUMNS]].reset_index(drop=True)


def review_steps(steps: pd.DataFrame, subjects: pd.DataFrame) -> pd.DataFrame:
    """Every CLA review step once per person of its subgroup (``child_id``), step lineage."""
    people = subjects[_upper(subjects["subject_type"]).fillna("PER") == "PER"]
    reviews = steps[steps["review_category"].notna()]
    return reviews.merge(people[["subgroup_id", "child_id"]].drop_duplicates(),
                         on="subgroup_id", how="left")


def subject_steps(steps: pd.DataFrame, subjects: pd.DataFrame, types: tuple[str, ...]
                  ) -> pd.DataFrame:
    """The steps of these types, not cancelled, once per person of their subgroup."""
    people = subjects[_upper(subjects["subject_type"]).fillna("PER") == "PER"]
    mine = steps[steps["step_type"].isin(types) & (_upper(steps["step_status"]) != CANCELLED)]
    return mine.merge(people[["subgroup_id", "child_id"]].drop_duplicates(),
                      on="subgroup_id", how="left")


def _status(review: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    status = _upper(review["step_status"])
    return ((status == HELD).fillna(False).astype(bool),
            (status == CANCELLED).fillna(False).astype(bool))


def settled(review: pd.DataFrame) -> pd.DataFrame:
    """The review steps held or cancelled: those the IRO keeps a record of."""
    held, cancelled = _status(review)
    return review[held | cancelled]


def reviews(review: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Reviews held; and how many review steps were cancelled or are not completed yet."""
    held, cancelled = _status(review)
    out = review.loc[held, ["child_id", "review_date", "review_code", *LINEAGE_COLUMNS]]
    return out.reset_index(drop=True), {"cancelled": int(cancelled.sum()),
                                        "not completed yet": int((~held & ~cancelled).sum())}


def iro_staff(workers: pd.DataFrame, roles: pd.DataFrame, teams: pd.DataFrame,
              allocations: pd.DataFrame) -> pd.DataFrame:
    """The IROs' posts: each worker with an IRO relationship, by primary role (FTE where
    the deployment holds it; the share of the post on the IRO role is not held)."""
    iros = workers[workers["iro_id"].isin(allocations["iro_id"].dropna())]
    primary = roles[_upper(roles["primary_job"]).fillna("Y") == "Y"]
    names = teams.dropna(subset=["team_id"]).drop_duplicates("team_id").set_index("team_id")
    primary = primary.assign(team=primary["team_id"].map(names["team"]).astype("string")
                             .fillna(primary["team_id"]))
    out = iros.merge(primary[["iro_id", "team", "from_date", "to_date"]], on="iro_id",
                     how="left")
    out["iro_share"] = _blank(out.index)
    return out.reset_index(drop=True)
