"""The DfE's review and episode rules, as we check them, find the same rows as the DfE's own
validator (csc-validator-be-903, MIT) on the same generated return with injected errors.

The validator pins pandas below 2, so it is installed by uv into an environment of its own
and run there as a separate process (see benchmarks/dfe_validator.py, shared with the
national benchmark).
"""

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import AS_OF
from dfe_validator import VALIDATOR, inject, ours, run_validator, theirs, validator_python
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export


@pytest.fixture(scope="module")
def dfe_python(tmp_path_factory) -> Path:
    try:
        return validator_python(tmp_path_factory.mktemp("dfe") / "venv")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"could not install {VALIDATOR}: {exc}")


def test_shared_review_rules_flag_the_same_rows(tmp_path, dfe_python):
    folder = tmp_path / "return"
    write_export("ssda903", generate(500, as_of=AS_OF, seed=51), folder)
    injected = inject(folder, np.random.default_rng(5))
    found = theirs(run_validator(dfe_python, folder)["flagged"])

    failures = validate_export(read_export(Authority.ad_hoc("D", "ssda903", folder),
                                           AS_OF)).failures
    for code, rows in ours(failures).items():
        assert rows == found[code], code
        # Every injected error is found (beside any the generator made itself).
        assert injected[code] <= {child for child, _ in rows}, code
