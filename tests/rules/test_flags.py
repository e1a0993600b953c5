"""The daily flag marts on hand-built cases (dates worked out by hand) and on a generated truth.

Working days in June 2012: Mon 4 and Tue 5 were bank holidays (the Jubilee),
so after Thu 31 May come Fri 1, Wed 6, Thu 7, Fri 8, Mon 11, ...
"""

import pandas as pd
import pytest
from equivalence import truth_source
from iro_etl.marts.build import apply_rules
from iro_etl.quality.validation import validate
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.flags import (
    flag_marts,
    iro_caseloads,
    iro_changes,
    late_notifications,
    participation_gaps,
    record_timeliness,
    review_worklist,
    social_worker_reports,
)
from iro_schemas.flags import FLAG_MODELS
from iro_schemas.marts import MART_MODELS
from rules import cases
from rules.cases import as_text

CAL = WorkingCalendar()


# --- builders: tiny tables typed as validation leaves them ---------------------------------------

def _dates(values) -> pd.Series:
    return pd.to_datetime(pd.Series(list(values), dtype=object)).astype("datetime64[us]")


def _frame(rows, columns, dates=(), text=(), numbers=()) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=columns)
    for col in dates:
        frame[col] = _dates(frame[col])
    for col in text:
        frame[col] = frame[col].astype("str")
    for col in numbers:
        frame[col] = frame[col].astype("float64")
    return frame


def kids(*ids: str, dob: str = "2005-04-10") -> pd.DataFrame:
    return cases.children(*[(c, "1", dob) for c in ids])


def looked_after(*rows: tuple) -> pd.DataFrame:
    """(child, start[, end[, ls]]) rows: one episode each, ended E13 when an end is given."""
    eps = []
    for child, start, *rest in rows:
        end = rest[0] if rest else None
        ls = rest[1] if len(rest) > 1 else "C1"
        eps.append((child, start, "S", ls, "U4", end, "E13" if end else None))
    return cases.episodes(*eps)


def reviews(*rows: tuple) -> pd.DataFrame:
    """(child, review date[, review code]) rows; the code defaults to PN1."""
    rows = [(*r, "PN1") if len(r) == 2 else r for r in rows]
    return _frame(rows, ["child_id", "review_date", "review_code"], dates=["review_date"],
                  text=["child_id", "review_code"])


def notifications(*rows: tuple) -> pd.DataFrame:
    """(child, period start, notified date or None) rows."""
    return _frame([(*r, None) for r in rows],
                  ["child_id", "period_start", "notified_date", "iro_allocated_date"],
                  dates=["period_start", "notified_date", "iro_allocated_date"], text=["child_id"])


def staff(*rows: tuple) -> pd.DataFrame:
    """(iro, fte, iro_share, team, from, to) rows."""
    return _frame(rows, ["iro_id", "fte", "iro_share", "team", "from_date", "to_date"],
                  dates=["from_date", "to_date"], text=["iro_id", "team"],
                  numbers=["fte", "iro_share"])


def allocations(*rows: tuple) -> pd.DataFrame:
    """(child, iro, from, to) rows."""
    return _frame(rows, ["child_id", "iro_id", "from_date", "to_date"],
                  dates=["from_date", "to_date"], text=["child_id", "iro_id"])


def records(*rows: tuple) -> pd.DataFrame:
    """(child, review date, status, report received, recommendations issued, record issued)."""
    cols = ["child_id", "review_date", "status", "sw_report_received", "recommendations_issued",
            "record_issued"]
    return _frame(rows, cols, dates=cols[1:2] + cols[3:], text=["child_id", "status"])


def rules_for(clean: dict[str, pd.DataFrame], as_of: str):
    return apply_rules(clean, pd.Timestamp(as_of), CAL)


# --- late notifications ------------------------------------------------------------------------

NOTIFY_AS_OF = "2012-07-02"
NOTIFY_KIDS = ["THU", "THULATE", "FRI", "SAT", "NEVER", "FRESH", "FUTURE", "TWO", "OLD", "SB"]


def _notification_case():
    clean = {
        "children": kids(*NOTIFY_KIDS),
        "episodes": looked_after(
            ("THU", "2012-05-31"), ("THULATE", "2012-05-31"), ("FRI", "2012-06-01"),
            ("SAT", "2012-06-13"), ("NEVER", "2012-06-18"), ("FRESH", "2012-06-29"),
            ("FUTURE", "2012-06-11"), ("TWO", "2012-01-09", "2012-03-01"), ("TWO", "2012-04-02"),
            ("OLD", "2011-06-01"), ("SB", "2012-06-01", None, "V3"),
        ),
        # THULATE's first review is on time (due 2 July); TWO's first period's is not (due 6 Feb).
        "reviews": reviews(("THULATE", "2012-06-29"), ("TWO", "2012-02-10"), ("SB", "2012-06-20")),
        "notifications": notifications(
            ("THU", "2012-05-31", "2012-06-06"),  # due Wed 6 June: on time
            ("THULATE", "2012-05-31", "2012-06-07"),  # a day late
            ("FRI", "2012-06-01", "2012-06-08"),  # due Thu 7 June: a day late
            ("SAT", "2012-06-13", "2012-06-16"),  # due Fri 15, told on Saturday: as Monday
            ("NEVER", "2012-06-18", None),  # due Wed 20 June, never told
            ("FRESH", "2012-06-29", None),  # due Tue 3 July: not late yet on 2 July
            ("FUTURE", "2012-06-11", "2012-07-10"),  # told after the run date
            ("TWO", "2012-01-09", "2012-01-20"),  # due Wed 11 Jan: Fri 20 is the 7th day after
            ("TWO", "2012-04-02", "2012-04-03"),
            ("SB", "2012-06-01", "2012-06-12"),  # short breaks: still listed, flagged as such
        ),
    }
    return clean, rules_for(clean, NOTIFY_AS_OF)


def test_late_notifications_across_the_jubilee():
    clean, results = _notification_case()
    out = late_notifications(clean, results.periods, results.timeliness,
                             pd.Timestamp(NOTIFY_AS_OF), CAL)
    # THU (on time), FRESH (not yet due), TWO's second period (on time) and OLD (before the
    # first notification on record) are not listed.
    assert out["child_id"].tolist() == ["TWO", "THULATE", "FRI", "SB", "FUTURE", "SAT", "NEVER"]
    assert as_text(out, "due_date") == ["2012-01-11", "2012-06-06", "2012-06-07", "2012-06-07",
                                        "2012-06-13", "2012-06-15", "2012-06-20"]
    assert out["reason"].tolist() == ["late", "late", "late", "late", "never notified", "late",
                                      "never notified"]
    assert out["working_days_late"].tolist() == [7, 1, 1, 3, pd.NA, 1, pd.NA]
    assert as_text(out, "notified_date")[4] is None  # 10 July was after the run date
    assert out["short_breaks"].tolist() == [False, False, False, True, False, False, False]


def test_late_notification_links_the_first_review_of_its_period():
    clean, results = _notification_case()
    out = late_notifications(clean, results.periods, results.timeliness,
                             pd.Timestamp(NOTIFY_AS_OF), CAL)
    # Rows: TWO, THULATE, FRI, SB, FUTURE, SAT, NEVER. TWO's first period had its first review on
    # 10 February, four days after its due date (Mon 6 Feb): the late notification's cost.
    assert as_text(out, "first_review_date") == ["2012-02-10", "2012-06-29", None, "2012-06-20",
                                                 None, None, None]
    # Short breaks are left out of timeliness, so SB's first review has no verdict.
    assert out["first_review_on_time"].tolist() == [False, True, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA]


def test_notification_threshold_is_a_setting():
    clean, results = _notification_case()
    out = late_notifications(clean, results.periods, results.timeliness,
                             pd.Timestamp(NOTIFY_AS_OF), CAL, notify_working_days=3)
    assert "THULATE" not in set(out["child_id"])  # Thu 7 June is the 3rd working day after


def test_no_notifications_table_no_flags():
    clean, results = _notification_case()
    del clean["notifications"]
    out = late_notifications(clean, results.periods, results.timeliness,
                             pd.Timestamp(NOTIFY_AS_OF), CAL)
    assert out.empty and list(out.columns) == list(FLAG_MODELS["late_notifications"].columns)


# --- social worker's reports --------------------------------------------------------------------

def _review_case():
    ids = ["R3", "R2", "RM", "RA", "RC", "RF", "RR", "RX"]
    clean = {
        "children": kids(*ids),
        "reviews": reviews(*[(c, "2012-06-07") for c in ids if c != "RC"], ("RX", "2012-07-10")),
        "review_records": records(
            ("R3", "2012-06-07", "held", "2012-05-31", "2012-06-14", "2012-07-05"),
            ("R2", "2012-06-07", "held", "2012-06-01", "2012-06-14", "2012-07-05"),
            ("RM", "2012-06-07", "held", None, "2012-06-14", "2012-07-05"),
            ("RA", "2012-06-07", "held", "2012-06-11", "2012-06-14", "2012-07-05"),
            ("RC", "2012-06-07", "cancelled", None, None, None),
            ("RF", "2012-06-07", "held", "2012-07-05", "2012-06-14", "2012-07-05"),
            ("RR", "2012-06-07", "rescheduled", "2012-06-06", "2012-06-14", "2012-07-05"),
            ("RX", "2012-07-10", "held", None, None, None),  # after the run date
        ),
    }
    return clean


def test_report_three_working_days_before_is_on_time_two_is_late():
    out = social_worker_reports(_review_case(), pd.Timestamp("2012-07-02"), CAL)
    # Review Thu 7 June 2012: the 3rd working day before is Thu 31 May (4-5 June are holidays).
    # R3 (exactly 3 working days before) is on time; RC was cancelled; RX is after the run date.
    assert out["child_id"].tolist() == ["R2", "RA", "RF", "RM", "RR"]
    assert as_text(out, "due_date") == ["2012-05-31"] * 5
    assert out["reason"].tolist() == ["late", "late", "missing", "missing", "late"]
    # Fri 1 June: 2 working days before; Mon 11 June: the 2nd after; RF's came after the run date.
    assert out["working_days_before"].tolist() == [2, -2, pd.NA, pd.NA, 1]
    assert out["status"].tolist() == ["held", "held", "held", "held", "rescheduled"]


def test_report_threshold_is_a_setting():
    out = social_worker_reports(_review_case(), pd.Timestamp("2012-07-02"), CAL,
                                sw_report_working_days=2)
    assert "R2" not in set(out["child_id"])


# --- recommendations and record ----------------------------------------------------------------

def _record_case():
    ids = ["OK", "BOTH", "OUT"]
    return {
        "children": kids(*ids),
        "reviews": reviews(*[(c, "2012-05-31") for c in ids]),
        # Review Thu 31 May 2012: recommendations due Mon 11 June, the record Mon 2 July.
        "review_records": records(
            ("OK", "2012-05-31", "held", "2012-05-28", "2012-06-11", "2012-07-02"),
            ("BOTH", "2012-05-31", "held", "2012-05-28", "2012-06-12", "2012-07-03"),
            ("OUT", "2012-05-31", "held", "2012-05-28", "2012-06-11", None),
        ),
    }


def test_recommendations_and_record_one_row_per_late_document():
    out = record_timeliness(_record_case(), pd.Timestamp("2012-07-06"), CAL)
    assert list(zip(out["child_id"], out["document"], out["reason"], strict=True)) == [
        ("BOTH", "recommendations", "late"), ("BOTH", "record", "late"),
        ("OUT", "record", "not issued")]
    assert as_text(out, "due_date") == ["2012-06-11", "2012-07-02", "2012-07-02"]
    # Outstanding on Fri 6 July: Tue 3, Wed 4, Thu 5, Fri 6 are four working days past due.
    assert out["working_days_late"].tolist() == [1, 1, 4]


def test_outstanding_record_is_not_late_on_its_due_date():
    out = record_timeliness(_record_case(), pd.Timestamp("2012-07-02"), CAL)
    # BOTH's record (issued 3 July) was not out yet on 2 July, but was not due past either.
    assert list(zip(out["child_id"], out["document"], strict=True)) == [
        ("BOTH", "recommendations")]


# --- worklist ----------------------------------------------------------------------------------

WORK_AS_OF = "2012-07-02"


def _worklist_case():
    ids = ["W1", "W2", "W3", "W5", "SB", "TWO"]
    clean = {
        "children": kids(*ids),
        "episodes": looked_after(
            ("W1", "2012-05-21"), ("W2", "2012-03-01"), ("W3", "2012-03-01"),
            ("W5", "2012-05-31"), ("SB", "2012-01-09", None, "V3"),
            ("TWO", "2011-09-01", "2012-01-31"), ("TWO", "2012-06-04"),
        ),
        "reviews": reviews(("W2", "2012-04-16"), ("W3", "2012-04-17")),
        "iro_staff": staff(("IRO1", 1.0, 1.0, "North", "2010-01-01", None),
                           ("IRO2", 1.0, 1.0, "South", "2010-01-01", None)),
        "iro_allocations": allocations(("W1", "IRO1", "2012-05-23", None),
                                       ("TWO", "IRO1", "2011-09-05", "2012-01-31"),
                                       ("TWO", "IRO2", "2012-06-06", None),
                                       ("SB", "IRO1", "2012-01-10", None)),
    }
    return clean, rules_for(clean, WORK_AS_OF)


def test_worklist_overdue_and_due_soon_with_iro_and_team():
    clean, results = _worklist_case()
    out = review_worklist(clean, results.cycles, results.timeliness, pd.Timestamp(WORK_AS_OF), CAL)
    # W1: first review due Wed 20 June (across the Jubilee), none held. W5: due today, 20 working
    # days after Thu 31 May. TWO's second period began on the holiday Mon 4 June, so day 20 is
    # Tue 3 July. W2: review 2 due 16 July, 14 days ahead; W3's (17 July) is 15 days ahead.
    # SB (short breaks) and TWO's closed first period are left out.
    assert out["child_id"].tolist() == ["W1", "W5", "TWO", "W2"]
    assert as_text(out, "due_date") == ["2012-06-20", "2012-07-02", "2012-07-03", "2012-07-16"]
    assert out["status"].tolist() == ["overdue", "due soon", "due soon", "due soon"]
    assert out["days_until_due"].tolist() == [-12, 0, 1, 14]
    assert out["review_due"].tolist() == ["first", "first", "first", "second"]
    assert as_text(out, "period_start")[2] == "2012-06-04"
    # TWO's IRO is the one allocated in its current period; W5 and W2 have none yet.
    assert out["iro_id"].fillna("-").tolist() == ["IRO1", "-", "IRO2", "-"]
    assert out["team"].fillna("-").tolist() == ["North", "-", "South", "-"]


def test_worklist_overdue_rows_are_the_overdue_mart():
    clean, results = _worklist_case()
    out = review_worklist(clean, results.cycles, results.timeliness, pd.Timestamp(WORK_AS_OF), CAL)
    overdue = out[out["status"] == "overdue"]
    assert overdue["child_id"].tolist() == results.overdue["child_id"].tolist()
    assert (-overdue["days_until_due"]).tolist() == results.overdue["days_overdue"].tolist()


# --- participation -----------------------------------------------------------------------------

def test_participation_gaps_from_age_four():
    clean = {
        "children": pd.concat([kids("P", dob="2008-06-15"), kids("Q", dob="2000-01-01"),
                               kids("B", dob="2008-03-01"), kids("L", dob="2008-02-29")],
                              ignore_index=True),
        "reviews": reviews(
            # P turns 4 between these two reviews: only the second can be a gap.
            ("P", "2012-03-01", "PN7"), ("P", "2012-09-03", "PN7"),
            ("Q", "2012-01-10", "PN1"), ("Q", "2012-02-10", "PN4"), ("Q", "2012-03-10", "PN5"),
            ("Q", "2012-04-10", "PN6"), ("Q", "2012-05-10", "PN0"), ("Q", "2012-06-11", None),
            ("Q", "2013-02-01", "PN7"),  # after the run date
            ("B", "2012-03-01", "PN5"),  # on B's 4th birthday
            # Born on 29 February: still 3 on 28 February 2012, 4 on the 29th.
            ("L", "2012-02-28", "PN7"), ("L", "2012-02-29", "PN7"),
        ),
    }
    out = participation_gaps(clean, pd.Timestamp("2013-01-01"))
    got = list(zip(out["child_id"], as_text(out, "review_date"), out["reason"], strict=True))
    assert got == [
        ("L", "2012-02-29", "views not conveyed"),
        ("B", "2012-03-01", "did not attend"),
        ("Q", "2012-03-10", "did not attend"),
        ("Q", "2012-04-10", "did not attend"),
        ("Q", "2012-05-10", "not recorded"),
        ("Q", "2012-06-11", "not recorded"),
        ("P", "2012-09-03", "views not conveyed"),
    ]
    assert out["age_at_review"].tolist() == [4, 4, 12, 12, 12, 12, 4]


# --- caseloads and changes of IRO --------------------------------------------------------------

CASE_AS_OF = "2012-07-02"


def _caseload_case():
    open_ = ["A1", "A2", "B1", "B2", "B3", "B4", "C1", "D1", "E1", "U1"]
    clean = {
        "children": kids(*open_, "TWO", "SB", "GONE"),
        "episodes": looked_after(
            *[(c, "2012-01-09") for c in open_],
            ("TWO", "2011-06-01", "2011-12-01"), ("TWO", "2012-03-01"),
            ("SB", "2012-01-09", None, "V3"), ("GONE", "2012-01-09", "2012-06-01"),
        ),
        "reviews": reviews(),
        "iro_staff": staff(
            ("IRO1", 0.1, 0.5, "North", "2010-01-01", None),  # 0.05 FTE on the IRO role
            ("IRO2", 0.05, None, "South", "2010-01-01", None),  # blank share: the whole post
            ("IRO3", 1.0, 1.0, "South", "2010-01-01", "2012-06-30"),  # left before the run date
            ("IRO4", 0.5, 1.0, "North", "2010-01-01", "2011-12-31"),  # first spell ...
            ("IRO4", 1.0, 0.48, "North", "2012-01-01", None),  # ... then on new hours
            ("IRO5", 1.0, 0.0, "North", "2010-01-01", None),  # chairs conferences only
            ("IRO6", 0.5, 1.0, "South", "2010-01-01", None),  # no children yet
        ),
        "iro_allocations": allocations(
            ("A1", "IRO1", "2012-01-10", None), ("A2", "IRO1", "2012-01-10", None),
            ("TWO", "IRO2", "2011-06-02", "2011-12-01"), ("TWO", "IRO1", "2012-03-02", None),
            *[(c, "IRO2", "2012-01-10", None) for c in ("B1", "B2", "B3", "B4")],
            ("C1", "IRO3", "2012-01-10", None),
            # Two open allocations overlap: the later one holds the child.
            ("D1", "IRO2", "2012-01-10", None), ("D1", "IRO4", "2012-06-01", None),
            ("E1", "IRO5", "2012-01-10", None),
            ("SB", "IRO1", "2012-01-10", None),  # short breaks: not counted
            ("GONE", "IRO1", "2012-01-10", None),  # left care, allocation never closed
        ),
    }
    return clean, rules_for(clean, CASE_AS_OF)


def test_caseloads_per_iro_fte_against_the_band():
    clean, results = _caseload_case()
    out = iro_caseloads(clean, results.periods, pd.Timestamp(CASE_AS_OF))
    rows = {("unallocated" if pd.isna(r.iro_id) else r.iro_id): r for r in out.itertuples()}
    assert list(rows) == ["IRO1", "IRO2", "IRO3", "IRO4", "IRO5", "IRO6", "unallocated"]
    assert {k: r.children for k, r in rows.items()} == {
        "IRO1": 3, "IRO2": 4, "IRO3": 1, "IRO4": 1, "IRO5": 1, "IRO6": 0, "unallocated": 1}
    # Everyone looked after on the run date, short breaks aside, counted once.
    assert out["children"].sum() == 10 + 1
    assert rows["IRO1"].iro_fte == pytest.approx(0.05) and rows["IRO1"].caseload_per_fte == 60.0
    assert rows["IRO1"].band == "within"
    assert rows["IRO2"].iro_fte == pytest.approx(0.05) and rows["IRO2"].caseload_per_fte == 80.0
    assert rows["IRO2"].band == "above"
    assert rows["IRO4"].fte == 1.0 and rows["IRO4"].iro_share == 0.48
    assert rows["IRO4"].caseload_per_fte == 2.1 and rows["IRO4"].band == "below"
    assert rows["IRO6"].caseload_per_fte == 0.0 and rows["IRO6"].band == "below"
    for gone in ("IRO3", "IRO5", "unallocated"):  # not in post, no IRO time, no IRO
        assert pd.isna(rows[gone].caseload_per_fte) and pd.isna(rows[gone].band)
    assert pd.isna(rows["IRO3"].fte) and rows["IRO3"].team == "South"


def test_caseload_band_is_a_setting():
    clean, results = _caseload_case()
    out = iro_caseloads(clean, results.periods, pd.Timestamp(CASE_AS_OF), caseload_low=70,
                        caseload_high=90).set_index("iro_id")
    assert out.loc["IRO1", "band"] == "below" and out.loc["IRO2", "band"] == "within"


def test_changes_of_iro_per_period():
    clean = {
        "children": kids("TWO", "SAME", "NONE", "ONE"),
        "episodes": looked_after(("TWO", "2011-09-01", "2012-01-31"), ("TWO", "2012-03-01"),
                                 ("SAME", "2012-01-09"), ("NONE", "2012-01-09"),
                                 ("ONE", "2012-01-09")),
        "reviews": reviews(),
        "iro_allocations": allocations(
            ("TWO", "IRO1", "2011-09-05", "2011-10-31"), ("TWO", "IRO2", "2011-11-01", "2011-12-15"),
            ("TWO", "IRO1", "2011-12-16", "2012-01-31"), ("TWO", "IRO2", "2012-03-05", None),
            # The same IRO recorded twice is no change.
            ("SAME", "IRO1", "2012-01-10", "2012-03-31"), ("SAME", "IRO1", "2012-04-01", None),
            ("ONE", "IRO1", "2012-01-10", "2012-04-30"), ("ONE", "IRO2", "2012-05-01", "2012-07-31"),
            ("ONE", "IRO3", "2012-08-01", None),  # after the run date
        ),
    }
    results = rules_for(clean, "2012-07-02")
    out = iro_changes(clean, results.periods, pd.Timestamp("2012-07-02"))
    got = {(r.child_id, str(r.period_start.date())): (r.allocations, r.iros, r.changes, r.flagged)
           for r in out.itertuples()}
    assert got == {
        ("NONE", "2012-01-09"): (0, 0, 0, False),
        ("ONE", "2012-01-09"): (2, 2, 1, False),
        ("SAME", "2012-01-09"): (2, 1, 0, False),
        ("TWO", "2011-09-01"): (3, 2, 2, True),
        ("TWO", "2012-03-01"): (1, 1, 0, False),
    }
    strict = iro_changes(clean, results.periods, pd.Timestamp("2012-07-02"), max_iro_changes=0)
    assert strict["flagged"].sum() == 2  # ONE and TWO's first period


def test_903_only_export_flags_only_what_the_903_holds():
    clean, results = _worklist_case()
    clean = {k: clean[k] for k in ("children", "episodes", "reviews")}
    marts = flag_marts(clean, results.periods, results.cycles, results.timeliness,
                       pd.Timestamp(WORK_AS_OF), CAL)
    empty = {name for name, frame in marts.items() if frame.empty}
    assert empty == {"late_notifications", "social_worker_reports", "record_timeliness",
                     "participation_gaps", "iro_caseloads", "iro_changes"}
    assert marts["review_worklist"]["iro_id"].isna().all()
    for name, frame in marts.items():
        assert list(frame.columns) == list(FLAG_MODELS[name].columns)


# --- a generated truth -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(clean_truth):
    clean = validate(truth_source(clean_truth)).clean
    results = apply_rules(clean, clean_truth.as_of, CAL)
    marts = flag_marts(clean, results.periods, results.cycles, results.timeliness,
                       clean_truth.as_of, CAL)
    return clean, results, marts, clean_truth.as_of


def test_every_mart_publishes_with_an_authority(generated):
    *_, marts, _ = generated
    assert set(marts) == set(FLAG_MODELS)
    assert set(FLAG_MODELS) <= set(MART_MODELS)  # registered with the other marts
    for name, frame in marts.items():
        assert not frame.empty, name
        FLAG_MODELS[name].validate(frame.assign(authority="TEST"))


def test_generated_caseloads_add_up_to_the_population(generated):
    _, results, marts, as_of = generated
    loads = marts["iro_caseloads"]
    looked_after_now = results.population.loc[
        results.population["year_ending"] == as_of.year, "children"].sum()
    assert loads["children"].sum() == looked_after_now
    assert loads["iro_share"].between(0, 1).all()
    allocated = loads[loads["iro_id"].notna() & loads["iro_fte"].gt(0)]
    expected = (allocated["children"] / allocated["iro_fte"]).round(1)
    assert (allocated["caseload_per_fte"] == expected).all()
    # Every IRO with IRO time gets a band; the service's average caseload is a plain ratio.
    assert loads["band"].notna().sum() == len(allocated)
    assert 0 < loads["children"].sum() / loads["iro_fte"].sum() < 200


def test_generated_flags_agree_with_the_records(generated):
    clean, _, marts, as_of = generated
    recs = clean["review_records"]
    held = recs[recs["status"].isin(["held", "rescheduled"]) & (recs["review_date"] <= as_of)]
    reports = marts["social_worker_reports"]
    # The generator ticks the checklist exactly when the report came 3+ working days before.
    assert len(reports) == int((~held["sw_report_on_time"].fillna(False)).sum())
    assert reports["reason"].value_counts().sum() == len(reports)
    on_time = 100 * (1 - len(reports) / len(held))
    assert 0 <= on_time <= 100 and 55 < on_time < 80  # Shropshire: 68%
    docs = marts["record_timeliness"]
    assert (docs.groupby(["child_id", "review_date", "document"]).size() == 1).all()
    assert set(docs["document"]) <= {"recommendations", "record"}
    late = docs[docs["reason"] == "late"]
    assert (late["issued_date"] > late["due_date"]).all()
    assert docs.loc[docs["reason"] == "not issued", "issued_date"].isna().all()


def test_generated_notifications_worklist_and_changes(generated):
    _, results, marts, as_of = generated
    notes = marts["late_notifications"]
    assert (notes["reason"] == "never notified").sum() == notes["working_days_late"].isna().sum()
    assert (notes.loc[notes["reason"] == "late", "notified_date"] > notes.loc[
        notes["reason"] == "late", "due_date"]).all()
    assert len(notes) < len(results.periods)
    work = marts["review_worklist"]
    assert (work["status"] == "overdue").sum() == len(results.overdue)
    assert work["days_until_due"].le(14).all()
    changes = marts["iro_changes"]
    assert len(changes) == (results.periods["period_start"] <= as_of).sum()
    assert (changes["changes"] <= (changes["allocations"] - 1).clip(lower=0)).all()
    assert (changes["iros"] <= changes["allocations"]).all()
    gaps = marts["participation_gaps"]
    assert gaps["age_at_review"].ge(4).all()
    assert not gaps["review_code"].isin(["PN1", "PN2", "PN3", "PN4"]).any()
