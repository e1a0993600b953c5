"""The DfE's own 903 validator (csc-validator-be-903, MIT) beside our rules: its environment,
the errors injected into a return for both to find, and the findings of each side.

Shared by tests/dfe/test_dfe_rules.py (the findings are identical) and benchmarks/national.py
(how long each side takes). The validator pins pandas below 2, so it is installed by uv into
an environment of its own and run there as a separate process (benchmarks/dfe_rules.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

VALIDATOR = "csc-validator-be-903==0.1.17"
UV = [sys.executable, "-m", "uv"]
SCRIPT = Path(__file__).with_name("dfe_rules.py")
#: The DfE codes both sides check, with the table our failures are on.
SHARED = {"440": "Reviews", "441": "Reviews", "399": "Reviews", "166": "Reviews",
          "INT08": "Reviews", "142": "Episodes", "148": "Episodes", "501": "Episodes"}

Findings = dict[str, set[tuple[str, str]]]


def validator_python(env: Path) -> Path:
    """The Python of an environment at ``env`` with the validator installed (made if missing;
    uv's cache makes a remake quick). Raises CalledProcessError or TimeoutExpired."""
    python = env / "bin" / "python"
    if not python.exists():
        subprocess.run([*UV, "venv", "-q", "-p", "3.11", str(env)], check=True)
        subprocess.run([*UV, "pip", "install", "-q", "--python", str(python), VALIDATOR],
                       check=True, timeout=600)
    return python


def run_validator(python: Path, folder: Path, every: bool = False) -> dict:
    """The validator's shared rules (and with ``every`` all its rules) on the return in
    ``folder``, in one process: what benchmarks/dfe_rules.py prints."""
    run = subprocess.run([str(python), str(SCRIPT), str(folder), *(["--all"] if every else []),
                          *SHARED], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def theirs(flagged: dict[str, list[list[str]]]) -> Findings:
    """The validator's findings per code as (CHILD, date), on the table we report: for 399 it
    also marks the child's episodes and header row, where we report each review."""
    return {code: {(child, day) for table, child, day in rows if table == SHARED[code]}
            for code, rows in flagged.items()}


def ours(failures: pd.DataFrame) -> Findings:
    """Our findings per shared code as (CHILD, date), from a load's validation failures."""
    return {code: {tuple(key.split("|")) for key in
                   failures.loc[failures["dfe_rule"] == code, "record_key"]}
            for code in SHARED}


def inject(folder: Path, rng: np.random.Generator) -> dict[str, set]:
    """Wrong participation codes for the child's age, on and around the fourth birthday,
    reviews for a child whose care is only short breaks, reviews with a date that is not one
    or none, reviews of a child with no header, episodes left open or without a reason, and
    episodes that end after the next one starts; returns the children injected per code."""
    header = pd.read_csv(folder / "header.csv", dtype=str)
    reviews = pd.read_csv(folder / "reviews.csv", dtype=str)
    episodes = pd.read_csv(folder / "episodes.csv", dtype=str)
    dob = pd.to_datetime(reviews["DOB"], format="%d/%m/%Y")
    day = pd.to_datetime(reviews["REVIEW"], format="%d/%m/%Y")
    fourth = dob + pd.DateOffset(years=4)
    older = reviews.index[(day > fourth).to_numpy()]
    younger = reviews.index[(day < fourth).to_numpy()]
    pn0 = rng.choice(older, 15, replace=False)
    reviews.loc[pn0, "REVIEW_CODE"] = "PN0"
    pn1 = rng.choice(younger, min(15, len(younger)), replace=False)
    reviews.loc[pn1, "REVIEW_CODE"] = "PN1"
    # On the fourth birthday itself, both codes are accepted.
    birthday = reviews.index[reviews["CHILD"].isin(header["CHILD"])][:2]
    reviews.loc[birthday, "REVIEW"] = fourth[birthday].dt.strftime("%d/%m/%Y")
    reviews.loc[birthday, "REVIEW_CODE"] = ["PN0", "PN1"]
    # A child whose only episodes become short breaks, keeping its reviews.
    child = reviews["CHILD"].iloc[-1]
    episodes.loc[episodes["CHILD"] == child, "LS"] = "V3"
    # Earlier episodes left open (no DEC, no REC), and ended episodes with no REC.
    start = pd.to_datetime(episodes["DECOM"], format="%d/%m/%Y")
    last = start.groupby(episodes["CHILD"]).transform("max") == start
    earlier = episodes.index[~last.to_numpy() & episodes["DEC"].notna().to_numpy()]
    left_open, no_reason = rng.choice(earlier, (2, 10), replace=False)
    episodes.loc[left_open, ["DEC", "REC"]] = None
    episodes.loc[no_reason, "REC"] = None
    # Earlier episodes ending a week after the next one starts (chosen apart from the above).
    following = start.groupby(episodes["CHILD"]).shift(-1)
    spare = np.setdiff1d(earlier, [*left_open, *no_reason])
    overlap = rng.choice(spare, 6, replace=False)
    episodes.loc[overlap, "DEC"] = (following[overlap] + pd.Timedelta(days=7)).dt.strftime(
        "%d/%m/%Y")
    # Reviews added with an impossible or blank date, and for children with no header. (A
    # date written 2013-05-01 is one to us, as the XML form writes it; the DfE's CSV check
    # 166 wants dd/mm/yyyy: an intended difference, not injected.)
    known = header[["CHILD", "DOB"]].iloc[:5]
    undated = known.assign(REVIEW=["31/02/2013", "30/02/2014", "", "", "01/13/2013"],
                           REVIEW_CODE="PN1")
    strangers = pd.DataFrame({"CHILD": ["NOSUCH1", "NOSUCH2"], "DOB": "01/01/2005",
                              "REVIEW": ["01/06/2013", "02/06/2013"], "REVIEW_CODE": "PN1"})
    reviews = pd.concat([reviews, undated, strangers], ignore_index=True)
    reviews.to_csv(folder / "reviews.csv", index=False)
    episodes.to_csv(folder / "episodes.csv", index=False)
    return {"440": set(reviews.loc[pn0, "CHILD"]), "441": set(reviews.loc[pn1, "CHILD"]),
            "399": {child}, "142": set(episodes.loc[[*left_open, *no_reason], "CHILD"]),
            "148": set(episodes.loc[no_reason, "CHILD"]), "166": set(undated["CHILD"]),
            "INT08": set(strangers["CHILD"]),
            "501": set(episodes.loc[overlap, "CHILD"])}
