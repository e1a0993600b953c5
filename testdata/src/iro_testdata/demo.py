"""The demo: synthetic authorities on different case-recording systems, written as real exports.

Each authority's ground truth is written by its system's synthetic writer,
so the demo loads through the real plugins: SSDA903 CSV, a CareFirst workbook,
a Liquidlogic reporting database (SQLite) and Mosaic warehouse extracts.
"""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from iro_etl.config import Authority, write_authorities

from iro_testdata.seed_scenarios import SCENARIOS
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export
from iro_testdata.writers.liquidlogic import write_database


@dataclass(frozen=True)
class DemoAuthority:
    code: str
    name: str
    system: str
    children: int
    defect_rate: float
    #: Write a database instead of files (systems read from one).
    database: bool = False


DEMO = (
    DemoAuthority("DEMO-N", "Northshire (SSDA903 CSV, some defects)", "ssda903", 900, 0.01),
    DemoAuthority("DEMO-S", "Southvale (CareFirst workbook)", "carefirst", 600, 0.0),
    DemoAuthority("DEMO-E", "Eastmoor (Liquidlogic database)", "liquidlogic", 500, 0.0,
                  database=True),
    DemoAuthority("DEMO-W", "Westbrook (Mosaic extracts)", "mosaic", 400, 0.0),
)


def write_demo(folder: Path, as_of: pd.Timestamp, scale: float = 1.0, seed: int = 7) -> Path:
    """Write each demo authority's export and an authorities.yaml naming them; returns its path."""
    authorities = []
    for i, demo in enumerate(DEMO):
        truth = generate(max(10, int(demo.children * scale)), as_of=as_of, seed=seed + i,
                         defect_rate=demo.defect_rate)
        if demo.database:
            path = folder / "exports" / f"{demo.code}.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            engine = sa.create_engine(f"sqlite:///{path}")
            write_database(truth, engine)
            engine.dispose()
            location: Path | str = f"sqlite:///{path}"
        else:
            location = folder / "exports" / demo.code
            write_export(demo.system, truth, location)
            location = Path("exports") / demo.code
        authorities.append(Authority(demo.code, demo.name, demo.system, location))
    config = folder / "authorities.yaml"
    write_authorities(config, authorities)
    return config


def write_scenario(folder: Path, name: str) -> Path:
    """Write a seed scenario as its system's export; returns the authorities.yaml naming it."""
    scenario = SCENARIOS[name]
    export = folder / "exports" / scenario.code
    write_export(scenario.system, scenario.build(), export)
    config = folder / "authorities.yaml"
    write_authorities(config, [Authority(scenario.code, f"Seed scenario {name}", scenario.system,
                                         Path("exports") / scenario.code,
                                         policies=scenario.policies)])
    return config
