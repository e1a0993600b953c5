"""iro-schemas: the iro-etl data contract.

Pandera models of the canonical tables every source plugin fills, of the tables
derived from them, and of the marts iro-etl publishes, with the SSDA903 code
lists they check against.
"""

from iro_schemas.canonical import CANONICAL_MODELS, Children, Episodes, Reviews
from iro_schemas.lineage import LINEAGE_COLUMNS, ROW, SHEET, SOURCE_FILE
from iro_schemas.marts import MART_MODELS

__all__ = [
    "CANONICAL_MODELS",
    "LINEAGE_COLUMNS",
    "MART_MODELS",
    "ROW",
    "SHEET",
    "SOURCE_FILE",
    "Children",
    "Episodes",
    "Reviews",
]
