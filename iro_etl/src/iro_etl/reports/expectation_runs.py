"""What a mart's suite found, and which marts' suites need to run again, without importing GX.

A suite's result depends only on the columns it reads (code lists, ranges, grain), and
most nights those are as they were in most marts (a year's indicators do not move when the
export did not; a new as-of date moves columns no suite reads). So each mart's last result
is kept per authority with a fingerprint of what produced it: the row count and the values
of the columns its suite reads, the mart's contract, and the code that turns the contract
into a suite (with the GX version that runs it). A mart whose fingerprint is unchanged reports
its last result again; only the others are validated and rendered, and when none changed
Great Expectations is not even imported (it takes seconds to).

The record is ``<data docs folder>/results/<authority>.json``: counts and expectation
labels only, never row values.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from iro_schemas.marts import MART_KEYS, MART_MODELS

from iro_etl.config import check_code
from iro_etl.reports.code_version import code_version

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult

#: The Data Docs site's folder inside the data docs folder.
SITE = "site"
#: Between the authorities' codes in the name of a run that validated several at once.
RUN_SEPARATOR = ","


def run_authorities(run_name: str) -> set[str]:
    """The authorities whose marts a validation run (named after them) judged."""
    return set(run_name.split(RUN_SEPARATOR))


@dataclass
class MartExpectations:
    """What one mart's suite found: counts for Dagster, the full result for Data Docs
    (None when the result is the last run's, reported again)."""

    name: str
    success: bool
    evaluated: int
    failed: int
    #: ``expectation_type(column)`` of each failed expectation, in suite order.
    failed_expectations: list[str] = field(default_factory=list)
    rows: int = 0
    result: ExpectationSuiteValidationResult | None = None

    @property
    def failed_types(self) -> list[str]:
        """The distinct expectation types that failed (without their columns)."""
        return sorted({label.split("(")[0] for label in self.failed_expectations})

    def counts(self) -> dict:
        """Everything but the full result, as JSON can hold it."""
        return {k: v for k, v in asdict(self).items() if k != "result"}


def site_index(folder: Path) -> Path:
    """The Data Docs site's index page for the data docs ``folder``."""
    return folder.resolve() / SITE / "index.html"


def _translation() -> bytes:
    """The suites' generator, this record's own code and the GX that runs them: a change to
    any of them makes every mart's last result stale."""
    return code_version(("expectations.py", "expectation_runs.py"), ("great-expectations",))


def checked_columns(name: str) -> list[str]:
    """The columns mart ``name``'s suite reads: those with a contract check, and its grain."""
    schema = MART_MODELS[name]
    checked = [col for col, spec in schema.columns.items() if spec.checks]
    return list(dict.fromkeys([*checked, *MART_KEYS.get(name, ())]))


def _passing(values: pd.Series, checks: list[pa.Check], row_wise: bool = False
             ) -> np.ndarray | None:
    """Whether each value passes every check (a check leaves blanks out of its result: they
    pass, nulls are pandera's to judge). ``row_wise``: None unless every check judged each
    value on its own (one result per value held), as stacking values of many frames needs."""
    passes = np.ones(len(values), dtype=bool)
    held = int(values.notna().sum())
    for check in checks:
        output = check(values).check_output
        if row_wise and len(output) != held:
            return None
        passes &= output.reindex(values.index, fill_value=True).to_numpy(dtype=bool)
    return passes


def _by_dtype(parts: Sequence[pd.Series] | Sequence[pd.DataFrame],
              work: Callable[[Any], np.ndarray | None]) -> list[np.ndarray | None]:
    """``work``'s per-row result for each part: run once over the parts of the same dtypes
    stacked, then split back by position (a part's rows give alone what they give stacked
    with its like; stacked with another dtype, pandas would cast them). None for the parts
    of a stack whose ``work`` gave None."""
    groups: dict[Hashable, list[int]] = {}
    for i, part in enumerate(parts):
        dtypes = tuple(part.dtypes.tolist()) if isinstance(part, pd.DataFrame) else part.dtype
        groups.setdefault(dtypes, []).append(i)
    out: list[np.ndarray | None] = [None] * len(parts)
    for members in groups.values():
        result = work(pd.concat([parts[i] for i in members], ignore_index=True))
        if result is None:
            continue
        ends = np.cumsum([len(parts[i]) for i in members])
        for i, part in zip(members, np.split(result, ends[:-1]), strict=True):
            out[i] = part
    return out


def _passes(name: str, reads: Sequence[pd.DataFrame]) -> list[dict[str, np.ndarray]]:
    """Per frame of mart ``name`` (``reads``: each with its :func:`checked_columns`), whether
    each value of each checked column (not the grain) passes its checks: run once over the
    frames holding the column with the same dtype, stacked (a check runs for many
    authorities at the cost of one), else frame by frame."""
    schema = MART_MODELS[name]
    grain = MART_KEYS.get(name, ())
    out: list[dict[str, np.ndarray]] = [{} for _ in reads]
    for column, spec in schema.columns.items():
        if not spec.checks or column in grain:
            continue
        stacked = _by_dtype([read[column] for read in reads],
                            partial(_passing, checks=spec.checks, row_wise=True))
        for read, found, passes in zip(reads, out, stacked, strict=True):
            found[column] = (passes if passes is not None
                             else _passing(read[column], spec.checks))
    return out


def _outcomes(values: pd.Series, passes: np.ndarray) -> pd.Series:
    """``values`` with each one that passes every check as one marker: a code list's or
    range's result (counts, the values that broke it and where) depends on which values fail
    it, not on what the others are, so a number of days overdue that grows nightly does not
    send the mart through GX. The suites judge values as the contract's checks do (tested)."""
    return values.astype(object).where(~passes | values.isna().to_numpy(), "passes")


def _hashed(name: str, read: pd.DataFrame, passes: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """What of ``read`` a fingerprint hashes: each checked value that passes as one marker
    (see _outcomes), and a grain column holding one value on every row as that fact.

    A grain column holding one value on every row (the load's id) makes no row a duplicate
    whichever value that is: only that it is one value counts, or every night's new load id
    would send the mart through GX again.
    """
    schema = MART_MODELS[name]
    read = read.assign(**{column: _outcomes(read[column], outcome)
                          for column, outcome in passes.items()})
    for column in MART_KEYS.get(name, ()):
        values = read[column]
        if (not schema.columns[column].checks and len(values) and values.notna().all()
                and values.nunique() == 1):
            read[column] = "one value"
    return read


def _row_hashes(frames: Sequence[pd.DataFrame]) -> list[np.ndarray]:
    """Each frame's row hashes, hashed stacked with the frames of its dtypes (a row's hash
    depends on its own values and dtypes only)."""
    return _by_dtype(frames, lambda stacked: pd.util.hash_pandas_object(
        stacked, index=False).to_numpy())  # type: ignore[return-value]


def fingerprints(name: str, reads: Sequence[pd.DataFrame], translation: bytes,
                 passes: Sequence[Mapping[str, np.ndarray]]) -> list[str]:
    """Per frame of mart ``name``, a digest of what its suite result depends on: its
    sources, the frame's row count and the values and dtypes of the columns it reads
    (``reads``: each frame with its :func:`checked_columns`).

    Other columns (a load's date, a name) cannot change the result, so a new value in
    them alone does not send the mart through GX again; nor does a new value that passes
    its column's checks as the old one did (``passes``, from _passes; see _outcomes).
    """
    schema = MART_MODELS[name]
    contract = [(col, [(check.name, repr(check.statistics)) for check in spec.checks])
                for col, spec in schema.columns.items()]
    hashed = [_hashed(name, read, found) for read, found in zip(reads, passes, strict=True)]
    out = []
    for read, rows in zip(reads, _row_hashes(hashed), strict=True):
        digest = hashlib.sha256(translation)
        digest.update(repr((name, contract, [c.name for c in schema.checks],
                            MART_KEYS.get(name), len(read), [str(t) for t in read.dtypes])
                           ).encode())
        digest.update(rows.tobytes())
        out.append(digest.hexdigest())
    return out


def _record(folder: Path, authority: str) -> Path:
    return folder / "results" / f"{check_code(authority)}.json"


@dataclass
class Plan:
    """The marts to validate, the results that still stand, and every mart's fingerprint."""

    changed: dict[str, pd.DataFrame]
    unchanged: dict[str, MartExpectations]
    fingerprints: dict[str, str]


def plans(folder: Path, frames: Mapping[str, Mapping[str, pd.DataFrame]]) -> dict[str, Plan]:
    """Per authority (``frames``: its marts, by authority), its marts split into those whose
    suite must run and those whose last result stands."""
    translation = _translation()
    prints: dict[str, dict[str, str]] = {code: {} for code in frames}
    for name in dict.fromkeys(name for marts in frames.values() for name in marts):
        codes = [code for code, marts in frames.items() if name in marts]
        reads = [frames[code][name].reindex(columns=checked_columns(name)) for code in codes]
        for code, digest in zip(codes, fingerprints(name, reads, translation,
                                                    _passes(name, reads)), strict=True):
            prints[code][name] = digest
    return {code: _plan(folder, code, marts, prints[code]) for code, marts in frames.items()}


def _plan(folder: Path, authority: str, frames: Mapping[str, pd.DataFrame],
          prints: dict[str, str]) -> Plan:
    path = _record(folder, authority)
    # Without the site (deleted, or never built) the last results have no pages to stand on.
    kept = path.exists() and site_index(folder).exists()
    last = json.loads(path.read_text(encoding="utf-8")) if kept else {}
    unchanged = {name: MartExpectations(**last[name]["counts"]) for name in frames
                 if name in last and last[name]["fingerprint"] == prints[name]}
    changed = {name: frame for name, frame in frames.items() if name not in unchanged}
    return Plan(changed, unchanged, prints)


def record(folder: Path, authority: str, done: Plan,
           results: Mapping[str, MartExpectations]) -> None:
    """Keep each mart's result with its fingerprint, for the next run (replaced whole)."""
    path = _record(folder, authority)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = {name: {"fingerprint": done.fingerprints[name], "counts": mart.counts()}
            for name, mart in results.items()}
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(kept, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)
