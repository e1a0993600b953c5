"""Reviewed within timescales (NI 66) and the 31 March population, on hand-built cohorts."""

import numpy as np
import pandas as pd
from iro_etl.rules.yearly import episodes_at
from rules.cases import run

KIDS = [(c, "1" if i % 2 else "2", dob) for i, (c, dob) in enumerate([
    ("ONTIME", "2005-06-01"), ("LATE", "2005-06-01"), ("UNHELD", "2001-06-01"),
    ("NEW", "2013-06-01"), ("ADOPT", "2012-01-01"), ("BREAKS", "2008-06-01"),
    ("LEFT", "2000-06-01"), ("TEEN", "1996-03-31"),
])]

EPISODES = [
    ("ONTIME", "2013-01-07", "S", "C2", "U4", None, None),
    ("LATE", "2013-01-07", "S", "C1", "U4", None, None),
    ("UNHELD", "2012-06-01", "S", "V2", "K2", None, None),
    # Started 20 days before 31 March: too new for the cohort, but looked after.
    ("NEW", "2014-03-11", "S", "L2", "U6", None, None),
    ("ADOPT", "2012-03-01", "S", "E1", "A4", None, None),
    ("BREAKS", "2012-01-02", "S", "V3", "U4", None, None),
    # Left on 31 March itself: not looked after at the end of that day.
    ("LEFT", "2013-01-07", "S", "V2", "U4", "2014-03-31", "E13"),
    ("TEEN", "2013-01-07", "S", "C2", "P2", None, None),
]

REVIEWS = [
    ("ONTIME", "2013-02-01"), ("ONTIME", "2013-05-01"), ("ONTIME", "2013-10-31"),
    ("LATE", "2013-02-01"), ("LATE", "2013-05-01"), ("LATE", "2013-11-05"),  # due 1 Nov
    ("UNHELD", "2012-06-28"), ("UNHELD", "2012-09-27"),  # next due 27 Mar 2013, never held
    ("TEEN", "2013-02-01"), ("TEEN", "2013-05-01"), ("TEEN", "2013-10-31"),
    ("ADOPT", "2012-03-28"),
]


def test_cohort_and_numerator():
    results = run(KIDS, EPISODES, REVIEWS, "2014-04-30")
    year = results.indicator.set_index("year_ending").loc[2014]
    # Cohort: ONTIME, LATE, UNHELD, TEEN (NEW too new, ADOPT placed for adoption,
    # BREAKS on short breaks, LEFT gone by the end of 31 March).
    assert year.cohort == 4
    assert year.reviewed_on_time == 2
    assert year.percent == 50.0


def test_population_at_31_march():
    results = run(KIDS, EPISODES, REVIEWS, "2014-04-30")
    pop = results.population[results.population["year_ending"] == 2014]
    assert pop["children"].sum() == 6  # everyone but LEFT and BREAKS
    by_band = pop.groupby("age_band")["children"].sum().to_dict()
    # TEEN turns 18 on 31 March 2014 itself.
    assert by_band == {"1-4": 1, "5-9": 2, "10-15": 1, "18+": 1, "under 1": 1}
    groups = pop.groupby("placement_group")["children"].sum().to_dict()
    assert groups == {"foster with other carer": 3, "placed for adoption": 1,
                      "residential": 1, "independent living": 1}
    legal = pop.groupby("legal_status_group")["children"].sum().to_dict()
    assert legal == {"full care order": 2, "interim care order": 1, "section 20": 1,
                     "placement order": 1, "emergency orders": 1}


def test_a_childs_episode_at_31_march_is_found_by_number_as_by_id():
    """The snapshots tell a child's episodes apart by the child's number (YearEnds); in any
    row order, that finds the same episode, the child's last open one, as its text id does."""
    rng = np.random.default_rng(4)
    n = 2_000
    decom = pd.Timestamp("2013-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    episodes = pd.DataFrame({
        "child_id": pd.Series(rng.choice([f"C{i}" for i in range(300)], n), dtype="string"),
        "decom": decom,
        "dec": decom.where(rng.random(n) < 0.5) + pd.to_timedelta(rng.integers(1, 200, n),
                                                                    unit="D"),
    }).iloc[rng.permutation(n)]
    numbers, _ = pd.factorize(episodes["child_id"])
    for when in pd.to_datetime(["2013-03-31", "2014-03-31", "2014-06-30"]):
        open_ = (episodes["decom"] <= when) & (episodes["dec"].isna() | (episodes["dec"] > when))
        by_id = episodes[open_].drop_duplicates("child_id", keep="last")
        assert len(by_id) > 50
        pd.testing.assert_frame_equal(episodes_at(episodes, when, numbers), by_id)
        pd.testing.assert_frame_equal(episodes_at(episodes, when), by_id)
