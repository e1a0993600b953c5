"""A run's authorities stage by stage: one authority's failure is its own, kept as data."""

import dagster as dg
import pytest
from iro_assets.batch import AuthoritiesFailed, Batch, Failed, each, finish, together


def _double(code: str, value: int) -> int:
    if value < 0:
        raise ValueError(f"{code} has a negative count")
    return value * 2


def _stacked(items: dict[str, int]) -> dict[str, int]:
    # As a stacked stage does: one bad authority breaks the whole stack.
    return {code: _double(code, value) for code, value in items.items()}


def test_a_stack_that_breaks_runs_again_authority_by_authority():
    done, lost = together("rules", {"A": 1, "B": -1, "C": 3}, _stacked, _double)
    assert done == {"A": 2, "C": 6}
    assert set(lost) == {"B"}
    assert lost["B"].step == "rules"
    assert lost["B"].message == "ValueError: B has a negative count"
    assert "Traceback" in lost["B"].detail and "_double" in lost["B"].detail
    # A stack that holds is run once, as a stack.
    calls = []
    done, lost = together("rules", {"A": 1, "C": 3},
                          lambda items: calls.append(list(items)) or _stacked(items), _double)
    assert (done, lost, calls) == ({"A": 2, "C": 6}, {}, [["A", "C"]])


def _wrapped(code: str, _) -> None:
    try:
        raise KeyError("reviews")
    except KeyError as exc:
        raise RuntimeError("reading failed") from exc


def _unconfigured(code: str, _) -> None:
    raise dg.Failure(f"Authority {code} is not in authorities.yaml")


def test_the_root_cause_is_the_message():
    _, lost = each("export", {"A": None}, _wrapped)
    assert lost["A"].message == "KeyError: 'reviews'"
    # A Failure says what it means in its description.
    _, lost = each("export", {"A": None}, _unconfigured)
    assert lost["A"].message == "Authority A is not in authorities.yaml"


def test_a_step_fails_only_when_every_authority_has(tmp_path, monkeypatch):
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path))
    context = dg.build_asset_context()
    earlier = {"X": Failed("export", "not configured")}
    some = Batch({"A": 1}, {**earlier, "B": Failed("rules", "broke")})
    assert finish(context, some, "rules") is some
    error = ValueError("broke")
    none_left = Batch({}, {**earlier, "B": Failed("rules", "B broke", error=error),
                           "C": Failed("rules", "C broke")})
    with pytest.raises(AuthoritiesFailed) as raised:
        finish(context, none_left, "rules")
    assert raised.value.description == "every authority of the run failed at rules"
    # Each authority's own step and reason, those that failed earlier too.
    assert {k: v.value for k, v in raised.value.metadata.items()} == {
        "X": {"step": "export", "message": "not configured"},
        "B": {"step": "rules", "message": "B broke"}, "C": {"step": "rules", "message": "C broke"}}
    assert raised.value.__cause__ is error
    # Each failure was logged once, where it happened: one line per authority.
    lines = (tmp_path / "runs.log").read_text().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        "B FAILED at rules: broke", "B FAILED at rules: B broke", "C FAILED at rules: C broke"]
