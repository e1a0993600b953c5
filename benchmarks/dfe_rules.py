"""Run the DfE 903 validator's rules on a return's CSV tables; print what they flag and how long.

Runs in the validator's own environment (csc-validator-be-903 pins pandas below 2), started by
:mod:`dfe_validator`: ``python dfe_rules.py FOLDER [--all] CODE [CODE ...]``. The rules run as
the validator's own LacValidator runs them: the tables in a data store (with its postcode
fields), and each rule on a fresh shallow copy of it. Prints one JSON object:
``{"flagged": {code: [[table, CHILD, date], ...]}, "seconds": {...}, "rules": {...}}``, the
date being the review's (REVIEW) or the episode's start (DECOM); with ``--all`` every rule of
the year's ruleset also runs, after the named ones (their findings are counted, not listed).
"""

import importlib
import json
import sys
import time
from pathlib import Path

import pandas as pd

RULESET = "lac_validator.rules.lac2022_23"
TABLES = {"Header": "header.csv", "Episodes": "episodes.csv", "Reviews": "reviews.csv"}
#: Columns the validator expects even when a return leaves them out (as its own reader
#: adds them): the DfE layout's optional ones.
OPTIONAL = {"Header": ("MOTHER", "MC_DOB"), "Episodes": (), "Reviews": ()}
#: The return's year (2013/14: our synthetic returns are as of 31 March 2014) and an
#: authority code, which the data store needs to place postcodes in or out of area.
METADATA = {"collectionYear": "2014", "localAuthority": "E10000006"}
DAY = {"Reviews": "REVIEW", "Episodes": "DECOM"}


def _read(folder: Path, name: str) -> pd.DataFrame:
    frame = pd.read_csv(folder / TABLES[name], dtype=str)
    for column in OPTIONAL[name]:
        if column not in frame:
            frame[column] = pd.NA
    return frame


def _run(store: dict, registry: dict, codes: list[str]) -> tuple[dict, list[str]]:
    """Each rule's flagged row labels by table, and the codes of rules that raised."""
    from lac_validator.datastore import copy_datastore

    found, failed = {}, []
    for code in codes:
        try:
            found[code] = registry[code].func(copy_datastore(store))
        except Exception:  # the validator itself records such a rule as failed and goes on
            failed.append(code)
    return found, failed


def main() -> None:
    folder, args = Path(sys.argv[1]), sys.argv[2:]
    every = "--all" in args
    codes = [a for a in args if a != "--all"]
    start = time.perf_counter()
    from lac_validator.datastore import create_datastore

    registry = importlib.import_module(RULESET).registry
    seconds = {"import": time.perf_counter() - start}
    mark = time.perf_counter()
    tables = {name: _read(folder, name) for name in TABLES}
    seconds["read"] = time.perf_counter() - mark
    mark = time.perf_counter()
    store = create_datastore(tables, dict(METADATA))
    seconds["datastore"] = time.perf_counter() - mark
    mark = time.perf_counter()
    found, failed = _run(store, registry, codes)
    seconds["shared"] = time.perf_counter() - mark
    flagged = {}
    for code, by_table in found.items():
        # Row labels index the tables as read (the data store keeps them).
        flagged[code] = [[table, tables[table].loc[i, "CHILD"],
                          "" if table not in DAY or pd.isna(tables[table].loc[i, DAY[table]])
                          else tables[table].loc[i, DAY[table]]]
                         for table, index in by_table.items() for i in index]
    rules = {"shared": len(codes), "failed": failed}
    if every:
        mark = time.perf_counter()
        found_all, failed_all = _run(store, registry, list(registry))
        seconds["all"] = time.perf_counter() - mark
        rules |= {"all": len(registry), "failed_all": failed_all,
                  "flagged_all": sum(len(ix) for f in found_all.values() for ix in f.values())}
    print(json.dumps({"flagged": flagged, "seconds": seconds, "rules": rules}))


if __name__ == "__main__":
    main()
