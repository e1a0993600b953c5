"""SSD tables (as text, with lineage) assembled into canonical tables.

The SSD spreads what the contract calls an episode over three tables, so they are joined:

* an episode (ssd_cla_episodes) takes its placement's type, provider, URN, postcode,
  distance and change reason from ssd_cla_placement by clae_cla_placement_id;
* its legal status is the one in force on its start date: the person's latest
  ssd_legal_status starting on or before it, unless that one ended before it;
* a review (ssd_cla_reviews) belongs to the person of its period of care (clar_cla_id ->
  clae_cla_id), or to clar_cla_person_id where the extract carries it; cancelled reviews
  and reviews with no date yet (the next one due) were not held and are left out;
* IRO allocations are the involvements whose role is the IRO's; the IROs' posts are the
  professionals with such an involvement, in post from their first one.

Every canonical row keeps the lineage of the SSD row it came from (an episode's, a
review's), so a failure points at a row a person can find. All joins are vectorised.
"""

from __future__ import annotations

import pandas as pd
from iro_etl.sources.dates import parse_dates
from iro_etl.sources.joins import in_force
from iro_etl.sources.readers import normalise_header, normalised
from iro_schemas.lineage import LINEAGE_COLUMNS

#: pers_sex as the SSD's extracts give it (the DfE's M/F, or the 903's own 1/2).
_SEX = {"m": "1", "male": "1", "1": "1", "f": "2", "female": "2", "2": "2"}
#: What an episode takes from its placement.
_PLACE_COLUMNS = ("place", "urn", "pl_distance", "place_provider", "pl_post",
                  "reason_place_change")
_YES = {"y", "yes", "1", "true", "t"}


def children(person: pd.DataFrame, looked_after: pd.Series) -> tuple[pd.DataFrame, int]:
    """People with a CLA episode, sex as the 903 codes it; and how many others were left out
    (the SSD holds every child the service knows, not only looked-after ones)."""
    keep = person["child_id"].isin(looked_after)
    out = person.loc[keep].copy()
    out["sex"] = normalised(out["sex"]).map(_SEX).astype("string").fillna(out["sex"])
    return out.reset_index(drop=True), int((~keep).sum())


def episodes(ssd_episodes: pd.DataFrame, placements: pd.DataFrame,
             legal: pd.DataFrame) -> pd.DataFrame:
    """Canonical episodes: each SSD episode with its placement and legal status."""
    # A warehouse that keeps the URN on the episode (LCS) has no placement URN to take.
    place_columns = [c for c in _PLACE_COLUMNS if c in placements]
    one_each = placements.dropna(subset=["placement_id"]).drop_duplicates("placement_id")
    joined = ssd_episodes.merge(one_each[["placement_id", *place_columns]], how="left",
                                on="placement_id", validate="many_to_one")
    joined.index = ssd_episodes.index
    legal_spans = legal.rename(columns={"ls": "status"})
    joined["ls"] = in_force(ssd_episodes["decom"], ssd_episodes[["child_id"]], legal_spans,
                            ["status"])["status"]
    joined["home_post"] = pd.Series(pd.NA, index=joined.index, dtype="string")
    return joined.drop(columns=["episode_id", "placement_id", "cla_id"]).reset_index(drop=True)


def reviews(ssd_reviews: pd.DataFrame, ssd_episodes: pd.DataFrame
            ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Reviews held, each with its child; and how many were cancelled or not yet held."""
    person_of = (ssd_episodes.dropna(subset=["cla_id", "child_id"])
                 .drop_duplicates("cla_id").set_index("cla_id")["child_id"])
    child = ssd_reviews["child_id"].fillna(ssd_reviews["cla_id"].map(person_of))
    cancelled = normalised(ssd_reviews["cancelled"]).isin(_YES).fillna(False).astype(bool)
    undated = ssd_reviews["review_date"].isna() & ~cancelled
    held = ~cancelled & ~undated
    out = ssd_reviews.assign(child_id=child.astype("string")).loc[held]
    out = out[["child_id", "review_date", "review_code", *LINEAGE_COLUMNS]]
    return out.reset_index(drop=True), {"cancelled": int(cancelled.sum()),
                                        "not yet held": int(undated.sum())}


def iro_allocations(involvements: pd.DataFrame, roles: tuple[str, ...]) -> pd.DataFrame:
    """The involvements whose role is the IRO's."""
    wanted = {normalise_header(r) for r in roles}
    mine = normalised(involvements["role"]).isin(wanted).fillna(False).astype(bool)
    return (involvements.loc[mine].drop(columns=["involvement_id", "role"])
            .reset_index(drop=True))


def iro_staff(professionals: pd.DataFrame, allocations: pd.DataFrame) -> pd.DataFrame:
    """The IROs' posts: professionals with an IRO involvement, from the first one's start.

    The SSD has no dates for a post, so an IRO is taken to be in post from their first
    allocation; their share of the post on the IRO role is not held (blank: the whole post).
    """
    first = (pd.DataFrame({"iro_id": allocations["iro_id"],
                           "day": parse_dates(allocations["from_date"])[0]})
             .dropna().groupby("iro_id")["day"].min())
    iros = professionals[professionals["iro_id"].isin(first.index)].copy()
    # reindex keeps the dates' dtype even when there are none (map would not).
    start = pd.Series(first.reindex(iros["iro_id"]).to_numpy(), index=iros.index)
    iros["from_date"] = start.dt.strftime("%Y-%m-%d").astype("string")
    iros["to_date"] = pd.Series(pd.NA, index=iros.index, dtype="string")
    iros["iro_share"] = pd.Series(pd.NA, index=iros.index, dtype="string")
    return iros.reset_index(drop=True)
