"""Run some of the DfE 903 validator's rules on a return's CSV tables; print what they flag.

Runs in the validator's own environment (csc-validator-be-903 pins pandas below 2), started
by test_dfe_rules.py: ``python dfe_rules.py FOLDER CODE [CODE ...]``. Prints one JSON object:
{code: [[table, CHILD, date], ...]} for the rows each rule flags, the date being the
review's (REVIEW) or the episode's start (DECOM).
"""

import importlib
import json
import sys
from pathlib import Path

import pandas as pd

TABLES = {"Header": "header.csv", "Episodes": "episodes.csv", "Reviews": "reviews.csv"}
#: Columns the validator expects even when a return leaves them out (as its own reader
#: adds them): the DfE layout's optional ones.
OPTIONAL = {"Header": ("MOTHER", "MC_DOB"), "Episodes": (), "Reviews": ()}


def _read(folder: Path, name: str) -> pd.DataFrame:
    frame = pd.read_csv(folder / TABLES[name], dtype=str)
    for column in OPTIONAL[name]:
        if column not in frame:
            frame[column] = pd.NA
    return frame


def main() -> None:
    folder, codes = Path(sys.argv[1]), sys.argv[2:]
    out = {}
    for code in codes:
        # Each rule gets its own copy: the validator's rules write helper columns in place.
        dfs = {name: _read(folder, name) for name in TABLES}
        rule = importlib.import_module(f"lac_validator.rules.lac2022_23.rule_{code}")
        flagged = rule.validate(dfs)
        rows = []
        for table, index in flagged.items():
            frame = _read(folder, table)
            day = {"Reviews": "REVIEW", "Episodes": "DECOM"}.get(table)
            for i in index:
                value = frame.loc[i, day] if day else None
                # A blank date is "" in our record keys.
                rows.append([table, frame.loc[i, "CHILD"], "" if pd.isna(value) else value])
        out[code] = rows
    print(json.dumps(out))


if __name__ == "__main__":
    main()
