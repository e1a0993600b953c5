"""The seed scenarios the demo can load: each a ground truth rebuilt from a published
annual report, the authority code it loads as, the system whose export it is written as,
its as-of date, and how to compare the published marts with the report's figures."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from iro_etl.config import Policies, Thresholds

from iro_testdata import scenario_central_bedfordshire, scenario_shropshire
from iro_testdata.synthetic import GroundTruth


@dataclass(frozen=True)
class Scenario:
    code: str
    #: The source plugin whose synthetic export the scenario is written as and read back by.
    system: str
    as_of: pd.Timestamp
    build: Callable[[], GroundTruth]
    compare: Callable[[sa.Engine, str], pd.DataFrame]
    #: The authority's own definitions the report used, as its authorities.yaml would say.
    policies: Policies = field(default_factory=Policies)


#: By the name used on the command line.
SCENARIOS: dict[str, Scenario] = {
    "central-bedfordshire-2011-12": Scenario(
        "CB", "carefirst", scenario_central_bedfordshire.AS_OF,
        scenario_central_bedfordshire.central_bedfordshire_2011_12,
        scenario_central_bedfordshire.compare_with_published,
        # "Attended most recent review" from the monthly return for March.
        Policies(thresholds=Thresholds(latest_review_base="March"))),
    "shropshire-2013-14": Scenario("SH", "generic", scenario_shropshire.AS_OF,
                                   scenario_shropshire.shropshire_2013_14,
                                   scenario_shropshire.compare_with_published),
}
