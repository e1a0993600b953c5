"""iro-etl core: one authority's load from its export to published marts, in rooms by stage.

- :mod:`iro_etl.config`: ``authorities.yaml`` -> :class:`Authority` (calendar, policies,
  thresholds). A leaf: nothing below depends on the stages.
- :mod:`iro_etl.pipeline`: the stages as plain functions; the export carries its Authority.
- :mod:`iro_etl.sources`: the plugin contract, the registry and the readers plugins use.
- :mod:`iro_etl.quality`: validation, failure records, failures tracked load to load.
- :mod:`iro_etl.rules`: the statutory rules (calendar, periods, timeliness, flags, indicators).
- :mod:`iro_etl.marts`: marts built and checked against the contract, pseudonyms, publishing.
- :mod:`iro_etl.reports`: annual report, failures workbook, expectations and Data Docs.

Nothing here imports Dagster: the code location (``iro_assets``), the command line
(``iro_cli``) and the benchmarks call these same functions. The names below are the
public API; they are imported when first used, so ``import iro_etl.config`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iro_etl.config import Authority, ConfigError, load_authorities
    from iro_etl.marts.publish import make_engine, publish_load, read_mart
    from iro_etl.pipeline import Export, all_marts, export_rules, read_export, validate_export
    from iro_etl.sources.plugin import SourceData, SourcePlugin
    from iro_etl.sources.registry import available, detect, get_plugin

_PUBLIC = {
    "Authority": "iro_etl.config", "ConfigError": "iro_etl.config",
    "load_authorities": "iro_etl.config",
    "Export": "iro_etl.pipeline", "read_export": "iro_etl.pipeline",
    "validate_export": "iro_etl.pipeline", "export_rules": "iro_etl.pipeline",
    "all_marts": "iro_etl.pipeline",
    "make_engine": "iro_etl.marts.publish", "publish_load": "iro_etl.marts.publish",
    "read_mart": "iro_etl.marts.publish",
    "SourceData": "iro_etl.sources.plugin", "SourcePlugin": "iro_etl.sources.plugin",
    "available": "iro_etl.sources.registry", "detect": "iro_etl.sources.registry",
    "get_plugin": "iro_etl.sources.registry",
}
__all__ = [  # noqa: RUF022 (grouped by stage, as _PUBLIC)
    "Authority", "ConfigError", "load_authorities",
    "Export", "read_export", "validate_export", "export_rules", "all_marts",
    "make_engine", "publish_load", "read_mart",
    "SourceData", "SourcePlugin", "available", "detect", "get_plugin",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'iro_etl' has no attribute {name!r}")
