"""Review timeliness edge cases, each expected date worked out by hand (see domain.md)."""

from iro_etl.config import Policies
from iro_etl.marts.build import stray_failures
from rules.cases import as_text, run

KID = [("A", "1", "2005-04-10")]


def test_first_review_due_twenty_working_days_after_start_across_jubilee():
    # Start Mon 21 May 2012; 4-5 June are holidays, so day 20 is Wed 20 June.
    results = run(KID, [("A", "2012-05-21", "S", "C1", "U4", None, None)],
                  [("A", "2012-06-20")], "2012-07-01")
    row = results.timeliness.iloc[0]
    assert str(row.due_date.date()) == "2012-06-20"
    assert row.on_time and row.days_late == 0 and row.review_type == "first"


def test_late_review_moves_the_next_due_date():
    # Review 1 a day late (21 Jun) -> review 2 due 21 Sep -> held 20 Sep -> review 3 due 20 Mar.
    results = run(KID, [("A", "2012-05-21", "S", "C1", "U4", None, None)],
                  [("A", "2012-06-21"), ("A", "2012-09-20"), ("A", "2013-03-21")], "2013-04-01")
    t = results.timeliness
    assert as_text(t, "due_date") == ["2012-06-20", "2012-09-21", "2013-03-20"]
    assert t["on_time"].tolist() == [False, True, False]
    assert t["days_late"].tolist() == [1, 0, 1]
    assert t["review_type"].tolist() == ["first", "second", "subsequent"]


def test_month_ends_clamp():
    # Review 1 on 30 Nov 2011 -> review 2 due 29 Feb 2012 (leap year); held 31 Aug is
    # impossible for review 2, so take review 2 on 29 Feb, review 3 due 29 Aug 2012.
    results = run(KID, [("A", "2011-11-01", "S", "C2", "U4", None, None)],
                  [("A", "2011-11-29"), ("A", "2012-02-29"), ("A", "2012-08-31")], "2012-09-30")
    t = results.timeliness
    assert as_text(t, "due_date") == ["2011-11-29", "2012-02-29", "2012-08-29"]
    assert t["on_time"].tolist() == [True, True, False]


def test_x1_chain_is_one_period_and_new_period_restarts_the_cycle():
    eps = [
        ("A", "2012-01-09", "S", "C1", "U4", "2012-03-01", "X1"),
        ("A", "2012-03-01", "P", "C1", "U6", "2012-09-03", "E13"),  # ends the period
        ("A", "2013-01-07", "S", "V2", "U4", None, None),  # a second period
    ]
    revs = [("A", "2012-02-03"), ("A", "2012-05-03"), ("A", "2013-02-04")]
    results = run(KID, eps, revs, "2013-03-31")
    assert len(results.periods) == 2
    t = results.timeliness
    # 20 working days after Mon 9 Jan 2012 is Mon 6 Feb; after Mon 7 Jan 2013 is Mon 4 Feb.
    assert as_text(t, "due_date") == ["2012-02-06", "2012-05-03", "2013-02-04"]
    assert t["review_number"].tolist() == [1, 2, 1]
    assert t["on_time"].all()


def test_chain_broken_by_a_gap_starts_a_new_period():
    eps = [
        ("A", "2012-01-09", "S", "C1", "U4", "2012-03-01", "X1"),
        ("A", "2012-03-05", "P", "C1", "U6", None, None),  # X1 but not the same day
    ]
    assert len(run(KID, eps, [], "2012-04-01").periods) == 2


def test_short_breaks_are_left_out_and_say_so():
    results = run(KID, [("A", "2012-01-09", "S", "V3", "U4", None, None)],
                  [("A", "2012-06-01")], "2012-07-01")
    row = results.timeliness.iloc[0]
    assert row.excluded_reason == "short breaks"
    assert row.on_time is None or str(row.on_time) == "<NA>"
    assert results.overdue.empty


def test_review_outside_any_period_is_reported():
    results = run(KID, [("A", "2012-01-09", "S", "C1", "U4", "2012-02-01", "E13")],
                  [("A", "2012-03-01")], "2012-04-01")
    assert results.timeliness.empty
    failures = stray_failures(results.stray_reviews, {})
    assert failures["rule"].tolist() == ["review_outside_care"]
    assert failures["row"].tolist() == [2]


def test_overdue_worklist():
    eps = [("A", "2014-01-02", "S", "C1", "U4", None, None)]
    # Due Thu 30 Jan 2014: not overdue on the day, 16 days overdue on 15 Feb.
    assert run(KID, eps, [], "2014-01-30").overdue.empty
    overdue = run(KID, eps, [], "2014-02-15").overdue
    assert as_text(overdue, "due_date") == ["2014-01-30"]
    assert overdue["days_overdue"].tolist() == [16]
    assert overdue["review_due"].tolist() == ["first"]


def test_overdue_after_reviews_counts_from_the_last_one():
    eps = [("A", "2013-01-02", "S", "C1", "U4", None, None)]
    revs = [("A", "2013-01-25"), ("A", "2013-04-20")]
    overdue = run(KID, eps, revs, "2013-11-01").overdue
    assert as_text(overdue, "due_date") == ["2013-10-20"]
    assert overdue["reviews_held"].tolist() == [2]
    assert overdue["review_due"].tolist() == ["subsequent"]


MOVES = [
    ("A", "2013-01-07", "S", "C1", "U4", "2013-03-01", "X1"),
    ("A", "2013-03-01", "P", "C1", "U6", "2013-06-03", "X1", "CARPL"),  # planned move
    ("A", "2013-06-03", "P", "C1", "K2", None, None, "CREQB"),  # carer asked: unplanned
]
MOVE_REVIEWS = [("A", "2013-02-01"), ("A", "2013-05-01"), ("A", "2013-07-01")]


def test_unplanned_move_does_not_restart_the_cycle_by_default():
    t = run(KID, MOVES, MOVE_REVIEWS, "2013-08-01").timeliness
    # Review 3 is due six months after review 2 (1 Nov 2013).
    assert as_text(t, "due_date") == ["2013-02-04", "2013-05-01", "2013-11-01"]
    assert t["review_number"].tolist() == [1, 2, 3]


def test_restart_policy_counts_from_an_unplanned_move():
    t = run(KID, MOVES, MOVE_REVIEWS, "2013-08-01",
            Policies(restart_on_unplanned_move=True)).timeliness
    # The carer-requested move on Mon 3 June restarts: review 1 due 20 working days later,
    # Mon 1 July; the planned move on 1 March does not restart anything.
    assert as_text(t, "due_date") == ["2013-02-04", "2013-05-01", "2013-07-01"]
    assert t["review_number"].tolist() == [1, 2, 1]
    assert as_text(t, "cycle_start") == ["2013-01-07", "2013-01-07", "2013-06-03"]
    assert t["on_time"].all()


def test_restart_policy_drives_the_overdue_worklist():
    policies = Policies(restart_on_unplanned_move=True)
    overdue = run(KID, MOVES, MOVE_REVIEWS[:2], "2013-07-15", policies).overdue
    assert as_text(overdue, "due_date") == ["2013-07-01"]
    assert overdue["review_due"].tolist() == ["first"]
    assert run(KID, MOVES, MOVE_REVIEWS[:2], "2013-07-15").overdue.empty
