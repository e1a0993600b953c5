"""Eclipse views (as text, with lineage) assembled into canonical tables.

* children: persondemographicsview rows of people with a period of care, sex and
  ethnicity as 903 codes, and their unique pupil number from referencenumberpersonview
  (the open one, else the latest to end);
* episodes: claepisodeofcareview holds each episode with its legal status and placement,
  so only codes are translated;
* reviews: the completed review forms, each with the participation code of the child's
  review sub-form of the same date;
* review records and participants: the IRO's review record form, its participant
  controls one row per role answered;
* IRO allocations: the relationships whose class is the IRO's (the SSD plugin's rule);
  IRO posts: the IROs' team memberships in personorgrelationshipview, or, for an IRO
  with none, the post from their first allocation. Eclipse holds no FTE: it stays blank.

Every canonical row keeps the lineage of the Eclipse row it came from. All joins are
vectorised.
"""

from __future__ import annotations

import pandas as pd
from iro_etl.sources.dates import parse_dates
from iro_plugin_ssd import assemble as ssd
from iro_schemas.lineage import LINEAGE_COLUMNS

from iro_plugin_eclipse.config import PARTICIPANT
from iro_plugin_eclipse.tables import UPN_TYPE
from iro_plugin_eclipse.vocabulary import (
    CATEGORY_OF_NEED,
    ETHNICITY,
    PLACEMENT_TYPE,
    translated,
)


def _blank(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="string")


def children(people: pd.DataFrame, numbers: pd.DataFrame, looked_after: pd.Series
             ) -> tuple[pd.DataFrame, int]:
    """People with a period of care, with their UPN; and how many others were left out."""
    upns = numbers[numbers["type"].str.strip().str.upper() == UPN_TYPE].assign(
        _open=lambda f: f["end"].isna())
    # Open first, then the latest to end, then the latest to start (as the extract SQL).
    upns = (upns.sort_values(["_open", "end", "start"], ascending=False, na_position="last",
                             kind="stable")
            .drop_duplicates("child_id").set_index("child_id")["upn"])
    people = people.assign(ethnic=translated(people["ethnic"], ETHNICITY),
                           upn=people["child_id"].map(upns).astype("string"))
    return ssd.children(people, looked_after)


def episodes(eclipse: pd.DataFrame) -> pd.DataFrame:
    """Canonical episodes: Eclipse's category of need and placement type as 903 codes."""
    out = eclipse.assign(cin=translated(eclipse["cin"], CATEGORY_OF_NEED, lower=True),
                         place=translated(eclipse["place"], PLACEMENT_TYPE))
    for column in ("home_post", "urn", "pl_distance", "pl_la", "pl_location"):
        out[column] = _blank(out.index)
    return out


def reviews(forms: pd.DataFrame, participation: pd.DataFrame) -> pd.DataFrame:
    """Reviews held, each with the participation code of its child's sub-form that day."""
    codes = (participation.dropna(subset=["child_id", "review_date", "review_code"])
             [["child_id", "review_date", "review_code"]])
    codes = codes[~codes.assign(_day=parse_dates(codes["review_date"])[0])
                  .duplicated(["child_id", "_day"])]
    # Dates compared as days: one form may hold a time of day and the other not.
    joined = forms.assign(_day=parse_dates(forms["review_date"])[0]).merge(
        codes.assign(_day=parse_dates(codes["review_date"])[0]).drop(columns="review_date"),
        on=["child_id", "_day"], how="left", validate="many_to_one")
    return joined.drop(columns="_day")


def review_records(forms: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Review records (status and rating as the contract's words), and their participants."""
    roles = [c for c in forms.columns if c.startswith(PARTICIPANT)]
    records = forms.drop(columns=roles)
    for column in ("status", "rag"):
        records[column] = records[column].str.strip().str.lower()
    keys = ["child_id", "review_date", *LINEAGE_COLUMNS]
    long = forms[keys + roles].melt(id_vars=keys, value_vars=roles, var_name="role",
                                    value_name="status").dropna(subset=["status"])
    long["role"] = long["role"].str.removeprefix(PARTICIPANT).astype("string")
    long["status"] = long["status"].str.strip().str.lower()
    return records, long.reset_index(drop=True)


def iro_staff(memberships: pd.DataFrame, allocations: pd.DataFrame) -> pd.DataFrame:
    """IRO posts: each IRO's team memberships; an IRO with none, from their first allocation."""
    iros = allocations["iro_id"].dropna().unique()
    posts = memberships[memberships["iro_id"].isin(iros)]
    without = allocations[~allocations["iro_id"].isin(posts["iro_id"])].drop_duplicates("iro_id")
    fallback = ssd.iro_staff(without[["iro_id", *LINEAGE_COLUMNS]].assign(
        team=_blank(without.index), fte=_blank(without.index)), allocations)
    posts = posts.assign(fte=_blank(posts.index), iro_share=_blank(posts.index))
    return pd.concat([posts, fallback], ignore_index=True)
