"""The yearly indicator marts on hand-built cases (every figure worked out by hand), and their
invariants over a generated truth.

Year 2014 is 1 April 2013 - 31 March 2014. Cases are tiny clean tables typed the way
validation leaves them; the rules (periods, timeliness) come from ``apply_rules``.
"""

import numpy as np
import pandas as pd
import pytest
from equivalence import truth_source
from iro_etl.config import Thresholds
from iro_etl.marts.build import RuleResults, apply_rules
from iro_etl.quality.validation import validate
from iro_etl.rules import indicators as ind
from iro_etl.rules.calendar import WorkingCalendar
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.indicators import INDICATOR_MODELS
from iro_testdata.synthetic import generate

CALENDAR = WorkingCalendar()
AS_OF = "2014-04-30"


# --- Builders ------------------------------------------------------------------------------

def frame(name: str, columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    """A clean canonical table: the given columns, the rest blank, every column typed."""
    out = pd.DataFrame(rows, columns=columns, dtype=object)
    for column, spec in CANONICAL_MODELS[name].columns.items():
        values = out[column] if column in out else pd.Series(None, index=out.index, dtype=object)
        dtype = str(spec.dtype)
        if dtype.startswith("datetime"):
            out[column] = pd.to_datetime(values).astype("datetime64[us]")
        elif dtype in ("boolean", "float64"):
            out[column] = values.astype(dtype)
        else:
            out[column] = values.astype("str")
    return out.assign(_source_file="hand.csv", _sheet=None, _row=range(2, len(out) + 2))


def clean_tables(children, episodes, reviews=(), **iro) -> dict[str, pd.DataFrame]:
    """children: (child, sex, dob[, ethnic]); episodes: (child, decom, rne, ls, place, dec, rec
    [, pl_location, pl_distance]); reviews: (child, date, code); iro tables by name."""
    width = max((len(r) for r in children), default=3)
    child_cols = ["child_id", "sex", "dob", "ethnic"][:width]
    ep_cols = ["child_id", "decom", "rne", "ls", "place", "dec", "rec", "pl_location", "pl_distance"]
    episodes = [(*row, *[None] * (len(ep_cols) - len(row))) for row in episodes]
    tables = {
        "children": frame("children", child_cols, children),
        "episodes": frame("episodes", ep_cols, episodes),
        "reviews": frame("reviews", ["child_id", "review_date", "review_code"], reviews),
    }
    for name, (columns, rows) in iro.items():
        tables[name] = frame(name, columns, rows)
    return tables


def rules(clean) -> RuleResults:
    return apply_rules(clean, pd.Timestamp(AS_OF), CALENDAR)


def at(frame: pd.DataFrame, year: int, **keys) -> pd.DataFrame:
    rows = frame[frame["year_ending"] == year]
    for column, value in keys.items():
        rows = rows[rows[column] == value]
    return rows


# --- Participation, parents, checklist: one cohort -----------------------------------------

KIDS = [
    ("TURNS4", "1", "2009-10-15"),   # turns 4 on 15 Oct 2013
    ("YOUNG", "2", "2011-01-01"),    # 3 at 31 March 2014
    ("NEW", "1", "2003-05-01"),      # looked after for 21 days at 31 March
    ("LEFT", "2", "2002-01-01"),     # left care on 31 March itself
    ("BREAKS", "1", "2002-01-01"),   # agreed short breaks
    ("TWICE", "2", "2001-02-01"),    # two periods of care in the year
    ("GOOD", "1", "2001-02-01"),
    ("SILENT", "2", "1999-07-01"),
    ("JUBILEE", "1", "2000-01-01"),  # reviewed around the 2012 Jubilee, gone by March 2013
]
EPISODES = [
    ("TURNS4", "2012-06-01", "S", "C2", "U4", None, None),
    ("YOUNG", "2012-06-01", "S", "C2", "U4", None, None),
    ("NEW", "2014-03-10", "S", "L2", "U6", None, None),
    ("LEFT", "2012-06-01", "S", "V2", "U4", "2014-03-31", "E13"),
    ("BREAKS", "2012-06-01", "S", "V3", "U4", None, None),
    ("TWICE", "2012-09-03", "S", "C1", "U4", "2013-07-01", "E4A"),
    ("TWICE", "2013-09-02", "S", "C1", "U6", None, None),
    ("GOOD", "2012-06-01", "S", "C2", "U4", None, None),
    ("SILENT", "2012-06-01", "S", "C2", "K2", None, None),
    ("JUBILEE", "2012-05-08", "S", "V2", "U4", "2013-01-31", "E13"),
]
REVIEWS = [
    ("TURNS4", "2012-06-28", "PN0"), ("TURNS4", "2013-06-10", "PN0"), ("TURNS4", "2013-12-05", "PN1"),
    ("YOUNG", "2013-06-10", "PN0"), ("YOUNG", "2013-12-05", "PN0"),
    ("NEW", "2014-03-28", "PN1"),
    ("LEFT", "2013-12-05", "PN7"),
    ("BREAKS", "2013-12-05", "PN7"),
    ("TWICE", "2013-05-20", "PN7"), ("TWICE", "2013-09-27", "PN1"), ("TWICE", "2013-12-20", "PN6"),
    ("GOOD", "2013-03-28", "PN1"), ("GOOD", "2013-06-10", "PN1"), ("GOOD", "2013-12-05", "PN2"),
    ("SILENT", "2013-06-10", "PN1"), ("SILENT", "2013-12-05", "PN7"),
    ("JUBILEE", "2012-06-07", "PN1"), ("JUBILEE", "2012-12-06", "PN1"),
]
PARTICIPANTS = (["child_id", "review_date", "role", "status"], [
    ("GOOD", "2013-06-10", "mother", "attended"), ("GOOD", "2013-06-10", "father", "not applicable"),
    ("GOOD", "2013-12-05", "mother", "consulted"), ("GOOD", "2013-12-05", "father", "attended"),
    ("SILENT", "2013-06-10", "mother", "attended"),
    ("SILENT", "2013-06-10", "step parent", "consulted"),
    ("SILENT", "2013-12-05", "mother", "not recorded"),
    ("SILENT", "2013-12-05", "connected person", "attended"),
    ("TURNS4", "2012-06-28", "mother", "attended"),  # year 2013
    ("BREAKS", "2013-12-05", "mother", "attended"),  # short breaks: left out
])
RECORD_COLUMNS = ["child_id", "review_date", "status", "sw_report_received", "child_informed",
                  "sw_report_on_time", "child_prepared", "child_views_available",
                  "key_people_present", "rag"]
Y, N = True, False
RECORDS = (RECORD_COLUMNS, [
    # Mon 10 June 2013: the 3rd working day strictly before is Wed 5 June.
    ("GOOD", "2013-06-10", "held", "2013-06-05", Y, Y, Y, Y, N, "green"),
    # Thu 5 Dec 2013: deadline Mon 2 Dec; received Tue 3 Dec is late.
    ("GOOD", "2013-12-05", "held", "2013-12-03", Y, N, N, Y, N, "amber"),
    # Aged 3: the young-person items do not apply (blank, and not counted as unrecorded).
    ("TURNS4", "2013-06-10", "held", None, N, None, None, None, Y, "green"),
    ("TURNS4", "2013-12-05", "rescheduled", "2013-11-29", Y, Y, Y, N, None, "red"),
    ("SILENT", "2013-11-20", "cancelled", None, None, None, None, None, None, None),
    ("BREAKS", "2013-12-05", "held", "2013-11-01", Y, Y, Y, Y, Y, "red"),
    ("GOOD", "2013-03-28", "held", None, Y, None, Y, Y, Y, "green"),  # year 2013
    # Thu 7 June 2012: 4 and 5 June are bank holidays, so the deadline is Thu 31 May.
    ("JUBILEE", "2012-06-07", "held", "2012-06-01", Y, N, Y, Y, Y, "green"),
    # Thu 6 Dec 2012: received on Mon 3 Dec, the 3rd working day before: on time.
    ("JUBILEE", "2012-12-06", "held", "2012-12-03", Y, Y, Y, Y, Y, "green"),
])


@pytest.fixture(scope="module")
def cohort():
    clean = clean_tables(KIDS, EPISODES, REVIEWS, review_participants=PARTICIPANTS,
                         review_records=RECORDS)
    results = rules(clean)
    return clean, results, sorted(results.indicator["year_ending"])


def test_participation_c63_and_most_recent_review(cohort):
    clean, results, years = cohort
    out = ind.participation_indicator(clean, results.periods, results.timeliness, years)
    rows = at(out, 2014).set_index("measure")
    # Cohort: TURNS4 (its PN0 review at 3 does not count), TWICE, GOOD, SILENT. Out: YOUNG
    # (under 4), NEW (21 days), LEFT (gone at the end of 31 March), BREAKS (short breaks).
    # TWICE's PN7 in its first period fails it; SILENT's PN7 fails it.
    c63 = rows.loc["communicated views at every review"]
    assert (c63.numerator, c63.denominator, c63.percent) == (2, 4, 50.0)
    # Looked after at 31 March with a review at 4+: the cohort and NEW. Latest review
    # attended (PN1-PN4): TURNS4, NEW, GOOD; TWICE's latest is PN6, SILENT's PN7.
    latest = rows.loc["attended most recent review"]
    assert (latest.numerator, latest.denominator, latest.percent) == (3, 5, 60.0)
    assert rows["children_counted"].to_dict() == {
        "communicated views at every review":
            "looked after 28+ days at 31 March, aged 4+ then, with a review at 4+ in the year",
        "attended most recent review": "looked after at 31 March with a review at 4+ in the year",
        "neither attended nor represented":
            "looked after at 31 March with a review at 4+ in the year"}
    absent = rows.loc["neither attended nor represented"]
    assert (absent.numerator, absent.denominator, absent.percent) == (2, 5, 40.0)


def test_most_recent_review_over_the_month_of_march(cohort):
    clean, results, years = cohort
    out = ind.participation_indicator(clean, results.periods, results.timeliness, years,
                                      latest_review_base="March")
    rows = at(out, 2014).set_index("measure")
    # LEFT, gone at the end of 31 March, was looked after in March: its PN7 latest review
    # now counts. C63 and "neither attended nor represented" keep the 31 March children.
    latest = rows.loc["attended most recent review"]
    assert (latest.numerator, latest.denominator, latest.percent) == (3, 6, 50.0)
    assert latest.children_counted == "looked after at any time in March with a review at 4+ in the year"
    assert rows.loc["communicated views at every review", "denominator"] == 4
    assert rows.loc["neither attended nor represented", "denominator"] == 5


def test_looked_after_during_march_edges():
    periods = pd.DataFrame({
        "child_id": ["FEB29", "MAR1", "MAR31", "OPEN", "BREAKS", "APRIL"],
        "period_start": pd.to_datetime(["2013-05-01", "2013-05-01", "2014-03-31", "2010-01-01",
                                        "2013-01-01", "2014-04-01"]),
        "period_end": pd.to_datetime(["2014-02-28", "2014-03-01", None, None, None, None]),
        "short_breaks": [False, False, False, False, True, False],
    })
    during = ind.looked_after_during(periods, pd.Timestamp("2014-03-01"),
                                     pd.Timestamp("2014-03-31"))
    # Left on 28 February: out; left on 1 March: in for part of the day; started on 31 March:
    # in. Short breaks and a start after the month are out.
    assert list(during) == ["MAR1", "MAR31", "OPEN"]


def test_an_unknown_latest_review_base_is_refused():
    with pytest.raises(ValueError, match="latest_review_base"):
        Thresholds(latest_review_base="April")


def test_participation_thresholds_are_settings(cohort):
    clean, results, years = cohort
    # With a 14-day cohort, NEW (21 days) joins, and it spoke at its review.
    out = ind.participation_indicator(clean, results.periods, results.timeliness, years,
                                      cohort_min_days=14)
    c63 = at(out, 2014, measure="communicated views at every review").iloc[0]
    assert (c63.numerator, c63.denominator) == (3, 5)


def test_parental_participation_shares_one_denominator(cohort):
    clean, results, years = cohort
    out = ind.parental_participation(clean, results.timeliness, years)
    year = at(out, 2014)
    assert len(year) == 4 * 5  # every role x status, zeros included
    # Four reviews of the year have a participant recorded (BREAKS' is a short break).
    assert set(year["reviews_recorded"]) == {4}
    counts = year.set_index(["role", "status"])["reviews"]
    assert counts["mother"].to_dict() == {"attended": 2, "consulted": 1, "not applicable": 0,
                                          "no consultation": 0, "not recorded": 1}
    pct = year.set_index(["role", "status"])["percent"]
    # As the seed words it: mothers attended or consulted in 75% of reviews.
    assert pct["mother", "attended"] + pct["mother", "consulted"] == 75.0
    assert pct["father", "attended"] == 25.0
    step_or_connected = year[year["role"].isin(["step parent", "connected person"])
                             & year["status"].isin(["attended", "consulted"])]
    assert step_or_connected["percent"].sum() == 50.0
    assert at(out, 2013, role="mother", status="attended")["reviews"].item() == 1


def test_review_quality_checklist(cohort):
    clean, results, years = cohort
    out = ind.review_quality(clean, results.periods, results.timeliness, years, CALENDAR)
    cols = ["numerator", "denominator", "not_recorded", "percent"]
    year = at(out, 2014, basis="reviews in the year").set_index("measure")[cols]
    # GOOD x2, TURNS4 x2 (one rescheduled); cancelled and short-break records left out.
    expected = {
        "child informed about being looked after": (3, 4, 0, 75.0),
        "social worker's report 3+ working days before (checklist)": (2, 3, 1, 66.7),
        "young person (4+) prepared for the review": (2, 3, 0, 66.7),
        "young person (4+) contributed, views available": (2, 3, 0, 66.7),
        "all key people present or reported": (1, 3, 1, 33.3),
        "social worker's report 3+ working days before (dates)": (2, 3, 1, 66.7),
    }
    assert {m: tuple(r) for m, r in year.iterrows()} == expected
    # Latest review of each child looked after at 31 March: GOOD's and TURNS4's in December.
    latest = at(out, 2014, basis="latest review of children looked after at 31 March")
    latest = latest.set_index("measure")[cols]
    assert tuple(latest.loc["child informed about being looked after"]) == (2, 2, 0, 100.0)
    assert tuple(latest.loc["all key people present or reported"]) == (0, 1, 1, 0.0)
    assert tuple(latest.loc["social worker's report 3+ working days before (dates)"]) == (
        1, 2, 0, 50.0)


def test_report_deadline_across_the_jubilee(cohort):
    clean, results, years = cohort
    out = ind.review_quality(clean, results.periods, results.timeliness, years, CALENDAR)
    dates = at(out, 2013, basis="reviews in the year",
               measure="social worker's report 3+ working days before (dates)").iloc[0]
    # Received Fri 1 June for Thu 7 June 2012: late (deadline Thu 31 May). Received Mon 3 Dec
    # for Thu 6 Dec: on time. GOOD's March record has no date.
    assert (dates.numerator, dates.denominator, dates.not_recorded) == (1, 2, 1)


def test_rag_distribution(cohort):
    clean, results, years = cohort
    out = ind.rag_distribution(clean, results.periods, results.timeliness, years)
    year = at(out, 2014, basis="reviews in the year").set_index("rag")
    assert year["reviews"].to_dict() == {"red": 1, "amber": 1, "green": 2}
    assert year["percent"].to_dict() == {"red": 25.0, "amber": 25.0, "green": 50.0}
    latest = at(out, 2014, basis="latest review of children looked after at 31 March")
    assert latest.set_index("rag")["reviews"].to_dict() == {"red": 1, "amber": 1, "green": 0}
    assert set(latest["rated"]) == {2}


def test_trends_read_the_other_marts(cohort):
    clean, results, years = cohort
    participation = ind.participation_indicator(clean, results.periods, results.timeliness, years)
    out = ind.trends(clean, results.periods, results.timeliness, results.indicator,
                     participation, years)
    year = at(out, 2014).set_index("measure")["value"]
    assert year["looked after at 31 March"] == 6  # TURNS4 YOUNG NEW TWICE GOOD SILENT
    # In the year, BREAKS' short-break review aside: 13 reviews of 7 children (LEFT included).
    assert year["reviews held in the year"] == 13
    assert year["children reviewed in the year"] == 7
    indicator = results.indicator.set_index("year_ending").loc[2014]
    assert year["reviewed within timescales cohort"] == indicator.cohort
    assert year["reviewed within timescales %"] == indicator.percent
    assert year["communicated views at every review %"] == 50.0
    assert year["attended most recent review %"] == 60.0
    assert set(out["year_ending"]) == set(years)
    assert len(out) == len(years) * 8


# --- Population at 31 March, workforce and disputes: a second set of children ----------------

POP_KIDS = [
    ("P1", "1", "2003-01-01", "WBRI"),
    ("P2", "2", "2004-01-01", "MWBC"),
    ("P3", "1", "1997-06-01", "AIND"),  # 16 at 31 March 2014: not in the stability cohort
    ("P4", "2", "2005-01-01", "BCRB"),
    ("P5", "1", "2008-01-01", None),
    ("P6", "2", "2000-01-01", "WBRI"),  # left on 31 March 2014
    ("P7", "1", "2006-01-01", "OOTH"),  # short breaks
]
POP_EPISODES = [
    # In care since June 2010; placed with the current carer since May 2011 (L changes no
    # placement): stable.
    ("P1", "2010-06-01", "S", "V2", "U6", "2011-05-01", "X1", "IN", 4.0),
    ("P1", "2011-05-01", "P", "V2", "U4", "2012-08-01", "X1", "IN", 5.0),
    ("P1", "2012-08-01", "L", "C2", "U4", None, None, "IN", 5.0),
    # Four placements in the year (the one held on 1 April, then P, T and B).
    ("P2", "2011-01-10", "S", "C1", "K2", "2013-06-01", "X1", "OUT", 40.0),
    ("P2", "2013-06-01", "P", "C2", "U6", "2013-09-01", "X1", "IN", 8.0),
    ("P2", "2013-09-01", "T", "C2", "A5", "2014-01-06", "X1", "IN", 8.0),
    ("P2", "2014-01-06", "B", "E1", "A6", None, None, "OUT", 25.0),
    ("P3", "2009-01-05", "S", "C2", "U4", None, None, None, None),
    # Pre-2013 code F4: foster with other carer, outside the council. Exactly 20 miles.
    ("P4", "2012-01-02", "S", "C2", "F4", None, None, None, 20.0),
    # Two periods in the year: two placements.
    ("P5", "2012-03-01", "S", "V2", "U6", "2013-06-01", "E4A", "IN", 3.0),
    ("P5", "2013-08-01", "S", "C1", "U4", None, None, " in ", 3.0),
    ("P6", "2012-01-02", "S", "V2", "U4", "2014-03-31", "E13", "IN", 2.0),
    ("P7", "2011-01-03", "S", "V3", "U4", None, None, "IN", 2.0),
]
STAFF = (["iro_id", "fte", "iro_share", "from_date", "to_date"], [
    ("A", 1.0, 1.0, "2012-01-01", None),
    ("B", 0.6, 0.5, "2012-01-01", None),         # 0.3 FTE on the IRO role
    ("C", 1.0, None, "2012-01-01", "2013-12-31"),  # blank share: whole post; left in December
])
ALLOCATIONS = (["child_id", "iro_id", "from_date", "to_date"], [
    ("P1", "A", "2012-01-01", None),
    ("P2", "B", "2013-06-01", "2013-10-31"),  # to_date is the last day: counts at 31 October
    ("P2", "A", "2013-11-01", None),
    ("P3", "B", "2013-09-15", None),
    ("P4", "B", "2013-11-01", None),
    ("P5", "B", "2013-10-01", "2013-10-30"),  # gone the day before the month end
    ("P5", "C", "2013-10-31", "2013-12-31"),
    ("P5", "A", "2014-01-01", None),
    ("P6", "A", "2012-01-02", "2014-03-31"),
    ("P7", "B", "2013-10-01", "2013-10-31"),
])
DISPUTES = (["child_id", "raised_date", "stage", "resolved_date"], [
    ("P1", "2013-05-01", "informal", "2013-05-20"),
    ("P1", "2013-06-01", "stage 1", "2014-04-10"),   # open at 31 March 2014
    ("P2", "2013-02-01", "informal", "2013-04-15"),  # raised in 2013, resolved in 2014
    ("P2", "2014-01-10", "informal", None),
    ("P3", "2013-11-01", "stage 1", "2014-03-31"),   # resolved on 31 March: not open
    ("P2", "2013-07-01", "informal", "2013-07-15"),
])


@pytest.fixture(scope="module")
def population():
    clean = clean_tables(POP_KIDS, POP_EPISODES, iro_staff=STAFF, iro_allocations=ALLOCATIONS,
                         disputes=DISPUTES)
    results = rules(clean)
    return clean, results, sorted(results.indicator["year_ending"])


def test_population_breakdowns_at_31_march(population):
    clean, results, years = population
    out = ind.population_breakdowns(clean, results.periods, years)
    year = at(out, 2014)

    def counts(name):
        rows = year[year["breakdown"] == name]
        return rows.set_index("category")["children"].to_dict()

    # Looked after: P1-P5 (P6 left on 31 March, P7 on short breaks).
    assert set(year.loc[year["breakdown"] != "placement stability", "denominator"]) == {5}
    assert counts("ethnicity group") == {"White": 1, "Mixed": 1, "Asian": 1, "Black": 1,
                                         "Other": 0, "Not given": 1}
    assert counts("placement location") == {"inside": 2, "outside": 2, "not known": 1}
    assert counts("placement group and location") == {
        "foster with other carer, inside": 2, "foster with other carer, not known": 1,
        "foster with other carer, outside": 1, "placed for adoption, outside": 1}
    assert counts("placement code") == {"A6": 1, "F4": 1, "U4": 3}
    assert counts("placement distance") == {"over 20 miles": 1, "20 miles or less": 3,
                                            "not known": 1}
    # Under 16 and in care since 30 Sept 2011 or before: P1 (same carer since May 2011) and
    # P2 (placed in January 2014).
    stability = year[year["breakdown"] == "placement stability"]
    assert stability.set_index("category")["children"].to_dict() == {
        "same placement 2+ years": 1, "placement under 2 years": 1}
    assert set(stability["denominator"]) == {2}
    assert counts("placements in the year") == {"1": 3, "2": 1, "3 or more": 1}


def test_placement_changes_follow_the_rne_setting(population):
    clean, results, years = population
    # Counting only P and B as new placements, P2's placements in the year are K2, U6, A6.
    out = ind.population_breakdowns(clean, results.periods, years, new_placement_rne=("P", "B"))
    moves = at(out, 2014, breakdown="placements in the year").set_index("category")["children"]
    assert moves.to_dict() == {"1": 3, "2": 1, "3 or more": 1}
    out = ind.population_breakdowns(clean, results.periods, years, new_placement_rne=("B",))
    moves = at(out, 2014, breakdown="placements in the year").set_index("category")["children"]
    assert moves.to_dict() == {"1": 3, "2": 2, "3 or more": 0}


def test_iro_workforce_and_month_end_peak(population):
    clean, results, years = population
    out = ind.iro_workforce(clean, results.periods, years)
    row = at(out, 2014).iloc[0]
    # In post at 31 March 2014: A (1.0 FTE, all IRO) and B (0.6 FTE, half IRO); C left.
    assert (row.iros_in_post, row.fte, row.iro_fte) == (2, 1.6, pytest.approx(1.3))
    assert row.children_looked_after == 5
    assert row.average_caseload == 3.8 and row.caseload_band == "below"
    assert (row.recommended_min, row.recommended_max) == (50, 70)
    # B at 31 October 2013: P2 (last day), P3 and P7 -> 3 / 0.3 = 10 (P5 left B on the 30th).
    assert row.peak_caseload == 10.0
    assert row.peak_month_end == pd.Timestamp("2013-10-31")
    # P5 had B, C and A; P2 had B and A; P1, P3, P4, P6, P7 one each.
    assert (row.children_allocated, row.children_one_iro, row.children_two_iros,
            row.children_three_plus_iros) == (7, 5, 1, 1)
    lenient = ind.iro_workforce(clean, results.periods, years, caseload_low=3)
    assert at(lenient, 2014).iloc[0].caseload_band == "within"


def test_disputes_by_stage(population):
    clean, _, years = population
    out = ind.disputes_by_stage(clean, years)
    cols = ["raised", "children", "resolved", "open_at_year_end"]
    year = at(out, 2014).set_index("stage")[cols]
    assert tuple(year.loc["informal"]) == (3, 2, 3, 1)
    assert tuple(year.loc["stage 1"]) == (2, 2, 1, 1)
    assert year.loc[["stage 2", "stage 3", "cafcass"]].to_numpy().sum() == 0
    assert tuple(at(out, 2013).set_index("stage")[cols].loc["informal"]) == (1, 1, 0, 1)


def test_903_only_export_gives_empty_iro_marts():
    # A system exporting the 903 tables alone: the IRO-service marts hold zeros, not errors.
    clean = clean_tables(KIDS, EPISODES, REVIEWS)
    del clean["children"]["ethnic"], clean["episodes"]["pl_distance"]
    clean = {name: clean[name] for name in ("children", "episodes", "reviews")}
    results = rules(clean)
    marts = results.indicators
    assert set(marts) == set(INDICATOR_MODELS)
    workforce = at(marts["iro_workforce"], 2014).iloc[0]
    assert workforce.iros_in_post == 0 and pd.isna(workforce.average_caseload)
    assert marts["disputes_by_stage"][["raised", "resolved"]].to_numpy().sum() == 0
    assert marts["review_quality"]["percent"].isna().all()


# --- Invariants over a generated truth -----------------------------------------------------

@pytest.fixture(scope="module")
def generated():
    truth = generate(300, as_of="2014-03-31", seed=23)
    clean = validate(truth_source(truth)).clean
    results = apply_rules(clean, truth.as_of, CALENDAR)
    years = sorted(results.indicator["year_ending"])
    return clean, results, years, results.indicators


def test_generated_marts_fit_the_contract_with_an_authority(generated):
    *_, years, marts = generated
    for name, mart in marts.items():
        assert not mart.empty, name
        INDICATOR_MODELS[name].validate(mart.assign(authority="XX"))
        assert set(mart["year_ending"]) == set(years), name


def test_generated_counts_add_up(generated):
    clean, results, years, marts = generated
    trend = marts["trends"].pivot(index="year_ending", columns="measure", values="value")
    looked_after = results.population.groupby("year_ending")["children"].sum()
    assert (trend["looked after at 31 March"] == looked_after.reindex(years).fillna(0)).all()
    assert trend["reviewed within timescales %"].equals(
        results.indicator.set_index("year_ending")["percent"].reindex(years).rename(
            "reviewed within timescales %"))

    part = marts["participation_indicator"]
    assert (part["numerator"] <= part["denominator"]).all()
    c63 = part[part["measure"] == "communicated views at every review"].set_index("year_ending")
    latest = part[part["measure"] == "attended most recent review"].set_index("year_ending")
    assert (c63["denominator"] <= latest["denominator"]).all()
    assert (latest["denominator"] <= looked_after.reindex(years)).all()

    pop = marts["population_breakdowns"]
    sums = pop.groupby(["year_ending", "breakdown"]).agg(children=("children", "sum"),
                                                         denominator=("denominator", "first"))
    assert (sums["children"] == sums["denominator"]).all()
    whole = sums.drop(index="placement stability", level="breakdown")["denominator"]
    assert (whole == whole.index.get_level_values(0).map(looked_after)).all()

    parents = marts["parental_participation"]
    by_role = parents.groupby(["year_ending", "role"]).agg(reviews=("reviews", "sum"),
                                                          recorded=("reviews_recorded", "first"))
    assert (by_role["reviews"] <= by_role["recorded"]).all()
    held = trend["reviews held in the year"]
    assert (parents.groupby("year_ending")["reviews_recorded"].first() <= held).all()

    quality = marts["review_quality"]
    assert (quality["numerator"] <= quality["denominator"]).all()
    per_year = quality[quality["basis"] == "reviews in the year"]
    informed = per_year[per_year["measure"] == "child informed about being looked after"]
    assert ((informed["denominator"] + informed["not_recorded"]).to_numpy()
            <= held.reindex(informed["year_ending"]).to_numpy()).all()
    # The synthetic checklist answer is derived from the report date with the same working-day
    # rule, so the two report measures agree exactly.
    by_measure = per_year.set_index(["year_ending", "measure"])[["numerator", "denominator"]]
    checklist = by_measure.xs("social worker's report 3+ working days before (checklist)",
                              level="measure")
    assert checklist.equals(by_measure.xs("social worker's report 3+ working days before (dates)",
                                          level="measure"))

    rag = marts["rag_distribution"]
    rated = rag.groupby(["year_ending", "basis"]).agg(reviews=("reviews", "sum"),
                                                      rated=("rated", "first"))
    assert (rated["reviews"] == rated["rated"]).all()

    workforce = marts["iro_workforce"].set_index("year_ending")
    iros = workforce[["children_one_iro", "children_two_iros", "children_three_plus_iros"]]
    assert (iros.sum(axis=1) == workforce["children_allocated"]).all()
    assert (workforce["iro_fte"] <= workforce["fte"] + 1e-9).all()
    assert (workforce["peak_caseload"].dropna() > 0).all()

    disputes = marts["disputes_by_stage"]
    raised = clean["disputes"]["raised_date"]
    in_years = ind.year_of(raised).isin(years)
    assert disputes["raised"].sum() == int(in_years.sum())
    assert (disputes["children"] <= disputes["raised"]).all()


def test_generated_shares_are_percentages(generated):
    *_, marts = generated
    for name, mart in marts.items():
        if "percent" in mart:
            shares = mart["percent"].dropna()
            assert shares.between(0, 100).all(), name
    values = marts["trends"]
    shares = values.loc[values["unit"] == "percent", "value"].dropna()
    assert shares.between(0, 100).all() and len(shares) > 0


@pytest.mark.parametrize("seed", range(5))
def test_open_on_is_the_cross_join_of_rows_and_dates_filtered(seed):
    """The rows open on each month end, found by binary search, are exactly what pairing
    every row with every date and keeping the open pairs gives, in the same order: spells
    open at both ends, ending before they start, unknown starts, on a date's own day."""
    rng = np.random.default_rng(seed)
    n = 300
    base = pd.Timestamp("2008-01-01")
    start = base + pd.to_timedelta(rng.integers(0, 2500, n), unit="D")
    end = start + pd.to_timedelta(rng.integers(-40, 900, n), unit="D")
    spells = pd.DataFrame({"iro_id": [f"I{i % 17}" for i in range(n)],
                           "from_date": start.where(rng.random(n) > 0.05),
                           "to_date": end.where(rng.random(n) > 0.2)})
    dates = ind.month_ends([2014, 2010, 2012, 2011, 2013]).sample(frac=1, random_state=seed)
    # A spell ending or starting on a month end is open on it.
    spells.loc[:4, "to_date"] = dates["month_end"].iloc[:5].to_numpy()
    spells.loc[5:9, "from_date"] = dates["month_end"].iloc[5:10].to_numpy()
    ordered = dates.sort_values("month_end", ignore_index=True)
    crossed = spells.merge(ordered, how="cross")
    expected = crossed[(crossed["from_date"] <= crossed["month_end"])
                       & (crossed["to_date"].isna() | (crossed["to_date"] >= crossed["month_end"]))]
    got = ind._open_on(spells, dates)
    assert len(got) > 1000
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True))
