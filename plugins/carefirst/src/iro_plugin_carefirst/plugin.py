"""The CareFirst source plugin: the LAC IRO report, as one Excel workbook or one CSV file per sheet.

CareFirst (OLM) exports its reports as ``LAC_IRO_Report.xlsx`` with a sheet per table
("Client Details", "Care Episodes", "LAC Reviews", "IRO Notifications", "IRO
Allocations", "IRO Staff", "Review Record", "Review Participants", "Dispute
Resolution"), or as CSV files named after those sheets. A sheet or file is known by
its name, else by its header row, so a renamed sheet still loads. Title rows above the
header, merged title cells, Excel dates stored as dates or as serial numbers, and
spaces around Client IDs are absorbed; CareFirst's words for coded values are turned
into the contract's codes (see :mod:`iro_plugin_carefirst.vocabulary`).

Options (the authority's ``options`` block in authorities.yaml):

- ``columns`` and ``codes``: as for every plugin (extra accepted headers per table and
  column; local code translations, applied by the core after reading).
- ``synthetic_format``: ``xlsx`` (default) or ``csv``: the shape :meth:`write_synthetic`
  writes, for demonstrations and tests.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.readers import TableSpec, empty_frame, frame_from_rows

from iro_plugin_carefirst.files import Grid, export_files, header_grids, read_grids
from iro_plugin_carefirst.tables import DISPLAY_NAMES, SPECS, classify, has_required
from iro_plugin_carefirst.vocabulary import to_canonical


class CarefirstPlugin(SourcePlugin):
    """CareFirst's LAC IRO report: a workbook with a sheet per table, or a CSV file per sheet."""

    name = "carefirst"
    description = "CareFirst (OLM) LAC IRO report exports: an Excel workbook or CSV files"

    def specs(self) -> tuple[TableSpec, ...]:
        """The report's tables, accepting this authority's extra header names."""
        return tuple(spec.extended(self.extra_headers(spec.table)) for spec in SPECS)

    def recognise(self, path: Path | str) -> bool:
        path = Path(path)
        if not path.exists():
            return False
        specs = self.specs()
        # Ours only with the report's client list, complete: other systems' staff or review
        # files share enough generic headers (Worker ID, Start Date) to fool a looser test.
        for file in export_files(path):
            for grid in header_grids(file):
                spec = classify(grid.name, grid.rows, specs)
                if spec is not None and spec.table == "children" and has_required(grid.rows, spec):
                    return True
        return False

    def read(self, path: Path | str) -> SourceData:
        path = Path(path)
        specs = self.specs()
        frames: dict[str, list[pd.DataFrame]] = {spec.table: [] for spec in specs}
        failures: list[Failure] = []
        if not path.exists():
            failures.append(Failure(FILE_LEVEL, path.name, "unreadable_file",
                                    value="no such file or folder"))
            files = []
        else:
            files = export_files(path)
        for file in files:
            for grid in read_grids(file):
                table, frame, more = self._read_grid(grid, specs)
                failures += more
                if frame is not None:
                    frames[table].append(frame)
        tables = {}
        for spec in specs:
            parts = frames[spec.table]
            frame = pd.concat(parts, ignore_index=True) if parts else empty_frame(spec)
            tables[spec.table] = to_canonical(spec.table, frame)
        return SourceData(self.name, tables, failures, files)

    @staticmethod
    def _read_grid(grid: Grid, specs: tuple[TableSpec, ...]
                   ) -> tuple[str, pd.DataFrame | None, list[Failure]]:
        """One sheet or CSV file onto its table; no frame (and the reason) when it holds none."""
        spec = classify(grid.name, grid.rows, specs)
        table = spec.table if spec is not None else FILE_LEVEL
        # Failures met while reading belong to the table the grid turned out to hold.
        failures = [replace(f, table_name=table) for f in grid.failures]
        if grid.is_blank():
            if not any(f.rule in ("empty_file", "unreadable_file") for f in failures):
                failures.append(Failure(table, grid.source, "empty_file", sheet=grid.sheet))
            return table, None, failures
        if spec is None:
            failures.append(Failure(FILE_LEVEL, grid.source, "unrecognised_file", sheet=grid.sheet))
            return table, None, failures
        frame, more = frame_from_rows(grid.rows, spec, grid.source, grid.sheet)
        return table, frame, failures + more

    def column_names(self) -> dict[str, dict[str, str]]:
        # Copies: the caller may keep or adjust them without touching the report's layout.
        return {table: dict(names) for table, names in DISPLAY_NAMES.items()}
