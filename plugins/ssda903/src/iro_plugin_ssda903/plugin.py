"""The SSDA903 source plugin: header, episodes and reviews tables from CSV files or the XML form."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.readers import TableSpec, classify_header, csv_header, empty_frame, read_csv_table

from iro_plugin_ssda903.tables import CSV_NAMES, SPECS
from iro_plugin_ssda903.xml_form import is_903_xml, read_xml

_SUFFIXES = {".csv", ".xml"}


def classify_csv(path: Path, specs: tuple[TableSpec, ...] = SPECS, *, strict: bool = False
                 ) -> TableSpec | None:
    """The 903 table a CSV file holds, judged by its header row; None if it is not a 903 table."""
    return classify_header(csv_header(path), specs, strict=strict)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
    return [path]


class Ssda903Plugin(SourcePlugin):
    """The national SSDA903 return, as CSV tables (header, episodes, reviews) or the XML form."""

    name = "ssda903"
    description = "DfE SSDA903 children looked after return: CSV tables or the XML form"

    def specs(self) -> tuple[TableSpec, ...]:
        """The 903 tables, accepting this authority's extra header names."""
        return tuple(spec.extended(self.extra_headers(spec.table)) for spec in SPECS)

    def recognise(self, path: Path | str) -> bool:
        files = _files(Path(path))
        specs = self.specs()
        return any(is_903_xml(f) if f.suffix.lower() == ".xml"
                   else classify_csv(f, specs, strict=True) is not None
                   for f in files if f.exists())

    def read(self, path: Path | str) -> SourceData:
        path = Path(path)
        specs = self.specs()
        frames: dict[str, list[pd.DataFrame]] = {spec.table: [] for spec in specs}
        failures: list[Failure] = []
        files = _files(path)
        if not path.exists():
            failures.append(Failure(FILE_LEVEL, path.name, "unreadable_file",
                                    value="no such file or folder"))
            files = []
        for file in files:
            if file.suffix.lower() == ".xml":
                if is_903_xml(file):
                    tables, more = read_xml(file)
                    for table, frame in tables.items():
                        frames[table].append(frame)
                    failures += more
                    continue
                spec = None
            elif not any(cell.strip() for row in csv_header(file) for cell in row):
                failures.append(Failure(FILE_LEVEL, file.name, "empty_file"))
                continue
            else:
                spec = classify_csv(file, specs)
            if spec is None:
                failures.append(Failure(FILE_LEVEL, file.name, "unrecognised_file"))
                continue
            frame, more = read_csv_table(file, spec)
            frames[spec.table].append(frame)
            failures += more
        tables = {
            spec.table: (pd.concat(frames[spec.table], ignore_index=True) if frames[spec.table]
                         else empty_frame(spec))
            for spec in specs
        }
        return SourceData(self.name, tables, failures, files)

    def column_names(self) -> dict[str, dict[str, str]]:
        return CSV_NAMES
