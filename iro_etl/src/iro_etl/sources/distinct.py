"""Work on a column done once per distinct value, then spread back to every row.

Export columns repeat themselves: a million reviews hold a few thousand dates, a form's
question code is on every answer row. Text work (parsing, normalising) on each distinct
value instead of each row costs a hash of the column and a take.
"""

from collections.abc import Callable
from typing import TypeVar

import pandas as pd

Result = TypeVar("Result", pd.Series, pd.DataFrame)


def per_distinct(values: pd.Series, work: Callable[[pd.Series], Result]) -> Result:
    """``work``'s result on every row of ``values``: it is given each distinct value once,
    as text (a missing value is one of them, as <NA>), and returns a Series or frame with a
    row per value given, in order."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    result = work(pd.Series(distinct, dtype="string"))
    return result.take(codes).set_axis(values.index, axis=0)
