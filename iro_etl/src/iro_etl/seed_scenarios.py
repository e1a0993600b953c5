"""The seed scenarios the demo can load: each a ground truth rebuilt from a published
annual report, the authority code it loads as, its as-of date, and how to compare the
published marts with the report's figures."""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from iro_etl import scenario_shropshire, scenarios
from iro_etl.synthetic import GroundTruth


@dataclass(frozen=True)
class Scenario:
    code: str
    as_of: pd.Timestamp
    build: Callable[[], GroundTruth]
    compare: Callable[[sa.Engine, str], pd.DataFrame]


#: By the name used on the command line.
SCENARIOS: dict[str, Scenario] = {
    "central-bedfordshire-2011-12": Scenario("CB", scenarios.AS_OF,
                                             scenarios.central_bedfordshire_2011_12,
                                             scenarios.compare_with_published),
    "shropshire-2013-14": Scenario("SH", scenario_shropshire.AS_OF,
                                   scenario_shropshire.shropshire_2013_14,
                                   scenario_shropshire.compare_with_published),
}
