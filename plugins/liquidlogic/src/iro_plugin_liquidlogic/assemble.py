"""HDM.Child_Social frames put into the SSD's shape, so the SSD plugin's assembly applies.

What differs from the SSD is done here, vectorised:

* people: the warehouse's unknown member (-1) and records merged into another
  (DUPLICATED_DTTM set) are not children; local ethnicity codes become the DfE's through
  DIM_LOOKUP_DFE_ETHNIC where the deployment has it;
* episodes: the URN is the episode's own (OFSTED_URN), not the placement's; the reason
  care started and the legal status are lookup descriptions led by their code;
* reviews: whether the meeting was cancelled is FACT_MEETINGS', and the child's
  participation is FACT_MEETING_SUBJECTS' row for the child at that meeting;
* involvements and workers: -1 is no worker (an IRO involvement with none is reported).
"""

from __future__ import annotations

import pandas as pd

from iro_plugin_liquidlogic.tables import UNKNOWN_KEY
from iro_plugin_liquidlogic.vocabulary import leading_codes, reason_ceased


def _known(values: pd.Series) -> pd.Series:
    """The keys with the warehouse's unknown member (-1) blank."""
    return values.mask(values.str.strip() == UNKNOWN_KEY)


def people(person: pd.DataFrame, ethnicity: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """DIM_PERSON's real, unmerged people, ethnicity as the DfE codes it; and how many
    merged records were left out."""
    real = _known(person["child_id"]).notna()
    merged = real & person["duplicated"].notna()
    out = person.loc[real & ~merged].drop(columns=["duplicated"])
    lookup = (ethnicity.dropna(subset=["main_code", "nat_id"])
              .drop_duplicates("main_code").set_index("main_code")["nat_id"])
    out["ethnic"] = out["ethnic"].map(lookup).astype("string").fillna(out["ethnic"])
    return out.reset_index(drop=True), int(merged.sum())


def episodes(care_episodes: pd.DataFrame) -> pd.DataFrame:
    """FACT_CARE_EPISODES with the reason care started and ceased as 903 codes."""
    out = leading_codes(care_episodes)
    out["rec"] = reason_ceased(out["rec"])
    return out


def legal_statuses(legal: pd.DataFrame) -> pd.DataFrame:
    """FACT_LEGAL_STATUS spans with the status as its 903 code."""
    return leading_codes(legal)


def reviews(review: pd.DataFrame, meetings: pd.DataFrame, subjects: pd.DataFrame
            ) -> pd.DataFrame:
    """FACT_CLA_REVIEW as the SSD's reviews: the meeting's cancellation and the child's
    participation joined on (the lineage stays the review's)."""
    cancelled = (meetings.dropna(subset=["meeting_id"]).drop_duplicates("meeting_id")
                 .set_index("meeting_id")["cancelled"])
    # One participation per meeting and child, as the SystemC extract collapses them.
    # The greatest code by sorting, not groupby's max: on text that runs in Python per group.
    said = (leading_codes(subjects).dropna(subset=["meeting_id", "child_id", "review_code"])
            .sort_values("review_code", kind="stable")
            .drop_duplicates(["meeting_id", "child_id"], keep="last")
            .set_index(["meeting_id", "child_id"])["review_code"])
    out = review.copy()
    out["cancelled"] = out["meeting_id"].map(cancelled).astype("string")
    keys = pd.MultiIndex.from_frame(out[["meeting_id", "child_id"]])
    out["review_code"] = pd.Series(said.reindex(keys).to_numpy(), index=out.index,
                                   dtype="string")
    return out.drop(columns=["meeting_id"])


def involvements(involvement: pd.DataFrame) -> pd.DataFrame:
    """FACT_INVOLVEMENTS with -1 (no worker) blank."""
    return involvement.assign(iro_id=_known(involvement["iro_id"]))


def workers(worker: pd.DataFrame) -> pd.DataFrame:
    """DIM_WORKER without its unknown member."""
    return worker.loc[_known(worker["iro_id"]).notna()].reset_index(drop=True)
