"""The SSDA903 source plugin: header, episodes and reviews tables from CSV files or the XML form."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.readers import TableSpec, csv_header, empty_frame, read_csv_table
from iro_schemas.lineage import SOURCE_FILE

from iro_plugin_ssda903.recognition import classify
from iro_plugin_ssda903.returns import RETURN, overlay
from iro_plugin_ssda903.tables import CSV_NAMES, SPECS
from iro_plugin_ssda903.xml_form import OTHER_SECTIONS, is_903_xml, read_xml

_SUFFIXES = {".csv", ".xml"}
#: The IRO service's own records are not part of the DfE return: said in the load summary.
NOT_IN_903 = {table: "not in the SSDA903 return: the IRO service's own records come from "
                     "another source" for table in ("notifications", "iro_staff",
                                                    "iro_allocations", "review_records",
                                                    "review_participants", "disputes")}


def _header_text(rows: list[list[str]]) -> str | None:
    """The file's first non-blank row, to name it in a failure."""
    first = next((r for r in rows if any(c.strip() for c in r)), None)
    return ", ".join(c.strip() for c in first)[:200] if first else None


def _roots(path: Path | str | tuple[Path | str, ...]) -> list[Path]:
    """The export's locations: one file or folder, or several (one or more returns each)."""
    return [Path(p) for p in path] if isinstance(path, tuple) else [Path(path)]


def _files(path: Path) -> list[Path]:
    """The export's files: a file, or a folder's files and those of its subfolders (one
    return each, e.g. 2013/ and 2014/)."""
    if not path.is_dir():
        return [path]
    found = [p for p in path.iterdir() if p.is_file()]
    found += [p for sub in path.iterdir() if sub.is_dir() for p in sub.iterdir() if p.is_file()]
    return sorted(p for p in found if p.suffix.lower() in _SUFFIXES)


def _labels(roots: list[Path]) -> dict[Path, str]:
    """How each of several locations is named: its folder's name, or, where two share a
    name (2025/903 and 2026/903), its path below the folder they have in common."""
    names = [root.name for root in roots]
    if len(set(names)) == len(names):
        return dict(zip(roots, names, strict=True))
    common = Path(os.path.commonpath([r.resolve() for r in roots]))
    return {root: root.resolve().relative_to(common).as_posix() or root.name for root in roots}


def _display(file: Path, root: Path, label: str | None) -> str:
    """The file as failures and lineage name it: its path within the export (within the
    location's own folder, named by ``label``, when the export is several locations)."""
    name = file.relative_to(root).as_posix() if root.is_dir() else file.name
    return f"{label}/{name}" if label and root.is_dir() else name


def _return_of(file: Path, root: Path, label: str | None) -> str:
    """Which return a file belongs to: its subfolder, an XML file its own, else its folder
    (each location's own, when the export is several locations)."""
    shown = Path(_display(file, root, label))
    if file.suffix.lower() == ".xml":
        return shown.as_posix()
    return shown.parent.as_posix() if len(shown.parts) > 1 else "."


def _used_and_complete(file: Path, specs: tuple[TableSpec, ...]) -> bool:
    """The file is a 903 table the marts read, with every required column (recognising is
    strict, so another system's file sharing a few headers is not claimed)."""
    match = classify(csv_header(file), specs)
    return match is not None and match.spec is not None and match.complete


class Ssda903Plugin(SourcePlugin):
    """The national SSDA903 return, as CSV tables (header, episodes, reviews) or the XML form."""

    name = "ssda903"
    description = "DfE SSDA903 children looked after return: CSV tables or the XML form"
    several_inputs = True

    def specs(self) -> tuple[TableSpec, ...]:
        """The 903 tables, accepting this authority's extra header names."""
        return tuple(spec.extended(self.extra_headers(spec.table)) for spec in SPECS)

    def recognise(self, path: Path | str | tuple[Path | str, ...]) -> bool:
        files = [f for root in _roots(path) for f in _files(root)]
        specs = self.specs()
        return any(is_903_xml(f) if f.suffix.lower() == ".xml" else _used_and_complete(f, specs)
                   for f in files if f.exists())

    def read(self, path: Path | str | tuple[Path | str, ...]) -> SourceData:
        roots = _roots(path)
        labels = _labels(roots) if len(roots) > 1 else {}
        specs = self.specs()
        frames: dict[str, list[pd.DataFrame]] = {spec.table: [] for spec in specs}
        failures: list[Failure] = []
        not_used: dict[str, str] = {}
        located: list[tuple[Path, Path]] = []
        for root in roots:
            if root.exists():
                located += [(file, root) for file in _files(root)]
            else:
                failures.append(Failure(FILE_LEVEL, root.name, "unreadable_file",
                                        value="no such file or folder"))
        files = [file for file, _ in located]
        for file, root in located:
            label = labels.get(root)
            name, key = _display(file, root, label), _return_of(file, root, label)
            if file.suffix.lower() == ".xml":
                if is_903_xml(file):
                    tables, more, other = read_xml(file)
                    for table, frame in tables.items():
                        frames[table].append(frame.assign(**{SOURCE_FILE: name, RETURN: key}))
                    failures += more
                    not_used |= {f"{name} <{element}> x{count}": OTHER_SECTIONS[element]
                                 for element, count in other.items()}
                    continue
                failures.append(Failure(FILE_LEVEL, name, "unrecognised_file"))
                continue
            head = csv_header(file)
            if not any(cell.strip() for row in head for cell in row):
                failures.append(Failure(FILE_LEVEL, name, "empty_file"))
                continue
            match = classify(head, specs)
            if match is None:
                failures.append(Failure(FILE_LEVEL, name, "unrecognised_file",
                                        value=_header_text(head)))
                continue
            if match.spec is None:
                not_used[name] = match.table
                continue
            frame, more = read_csv_table(file, match.spec, name)
            frames[match.spec.table].append(frame.assign(**{RETURN: key}))
            failures += more
        tables = {
            spec.table: (pd.concat(frames[spec.table], ignore_index=True) if frames[spec.table]
                         else empty_frame(spec).assign(**{RETURN: pd.Series(dtype="string")}))
            for spec in specs
        }
        superseded: dict[str, dict[str, int]] = {}
        if len({key for frame in tables.values() for key in frame[RETURN].unique()}) > 1:
            tables, superseded = overlay(tables)
        else:
            tables = {table: frame.drop(columns=RETURN) for table, frame in tables.items()}
        return SourceData(self.name, tables, failures, files, not_used, superseded,
                          dict(NOT_IN_903))

    def column_names(self) -> dict[str, dict[str, str]]:
        return CSV_NAMES
