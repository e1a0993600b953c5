"""The synthetic ground truth obeys the contract it is meant to exercise."""

from equivalence import assert_same_as_truth, truth_source
from iro_etl.quality.validation import validate
from iro_schemas.canonical import CANONICAL_MODELS
from iro_testdata.synthetic import text_tables


def test_clean_truth_passes_every_check_of_every_table(clean_truth):
    text, _ = text_tables(clean_truth)
    validated = validate(truth_source(clean_truth))
    assert validated.failures.empty, validated.failures.head().to_string()
    assert set(text) == set(CANONICAL_MODELS)
    assert_same_as_truth(validated.clean, clean_truth, list(CANONICAL_MODELS))


def test_truth_is_plausible(clean_truth):
    iro = clean_truth.iro
    notified = iro["notifications"]
    late = notified["notified_date"].isna() | (
        (notified["notified_date"] - notified["period_start"]).dt.days > 4)
    assert 0.05 < late.mean() < 0.3
    assert set(iro["review_records"]["status"]) == {"held", "rescheduled", "cancelled"}
    roles = iro["review_participants"].groupby("role").size()
    assert roles["mother"] > roles["father"] > roles["connected person"]
    assert iro["iro_allocations"]["child_id"].nunique() <= len(clean_truth.children)
