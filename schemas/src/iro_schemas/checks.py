"""Pandera checks named by contract rule ids."""

from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa

from iro_schemas.rules import RULES


def code_check(codes: Iterable[str], *, warn: bool = False) -> pa.Check:
    """Values must be one of ``codes`` (blank values are the ``nullable`` setting's business)."""
    rule = RULES["code_list_warning" if warn else "code_list"]
    return pa.Check.isin(sorted(codes), name=rule.id, error=rule.message)


def plausible_date() -> pa.Check:
    """Dates a looked-after child's record can hold."""
    rule = RULES["date_range"]
    return pa.Check.in_range(
        pd.Timestamp("1990-01-01"), pd.Timestamp("2100-12-31"), name=rule.id, error=rule.message
    )
