"""The demo: three synthetic authorities written as real exports, ready to load."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from iro_etl.config import Authority, write_authorities
from iro_etl.registry import get_plugin
from iro_etl.synthetic import generate
from iro_plugin_ssda903.writer import write_xml_export


@dataclass(frozen=True)
class DemoAuthority:
    code: str
    name: str
    children: int
    defect_rate: float
    form: str  # "csv", "xml" or "legacy-csv" (pre-2013 placement codes)


DEMO = (
    DemoAuthority("DEMO-N", "Northshire (903 CSV)", 900, 0.01, "csv"),
    DemoAuthority("DEMO-S", "Southvale (903 XML)", 600, 0.0, "xml"),
    DemoAuthority("DEMO-E", "Eastmoor (903 CSV, older codes, messy)", 400, 0.03, "legacy-csv"),
)


def write_demo(folder: Path, as_of: pd.Timestamp, scale: float = 1.0, seed: int = 7) -> Path:
    """Write each demo authority's export and an authorities.yaml naming them; returns its path."""
    plugin = get_plugin("ssda903")
    authorities = []
    for i, demo in enumerate(DEMO):
        truth = generate(max(10, int(demo.children * scale)), as_of=as_of, seed=seed + i,
                         defect_rate=demo.defect_rate)
        truth.legacy_places = demo.form == "legacy-csv"
        export = folder / "exports" / demo.code
        if demo.form == "xml":
            write_xml_export(truth, export / "ssda903.xml")
        else:
            plugin.write_synthetic(truth, export)
        authorities.append(Authority(demo.code, demo.name, "ssda903", Path("exports") / demo.code))
    config = folder / "authorities.yaml"
    write_authorities(config, authorities)
    return config
