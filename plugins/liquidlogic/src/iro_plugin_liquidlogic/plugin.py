"""The Liquidlogic LCS plugin: the HDM.Child_Social reporting warehouse, or CSV extracts of it.

An export location is either the warehouse by SQLAlchemy URL (SQL Server
``mssql+pyodbc://``; lineage ``db:<schema>.<table>``) or a folder of CSV extracts, one
per warehouse table and named as the table (``DIM_PERSON.csv``, ``FACT_CARE_EPISODES.csv``,
...; saved from SQL Server Management Studio, ``NULL`` for blanks, is fine). The tables
read are in :mod:`iro_plugin_liquidlogic.tables`; they are put into the Standard
Safeguarding Dataset's shape (:mod:`iro_plugin_liquidlogic.assemble`) and assembled into
canonical tables as the SSD plugin assembles its own (:mod:`iro_plugin_ssd.assemble`).

Options (the authority's ``options`` block in authorities.yaml):

``schema``
    The schema holding the tables when it is not the connection's default: on SQL
    Server ``HDM.Child_Social`` (database.schema).
``tables``
    ``{table: actual name}`` for a deployment that named a table differently
    (``{FACT_CLA_REVIEW: FACT_CLA_REVIEWS}``), or ``null`` for one it lacks. The IRO
    service's own tables (iro_notification, review_detail, review_participant, dispute)
    are read where they are found and are otherwise said to be missing in the load summary.
``iro_involvement_types``
    The DIM_LOOKUP_INVOLVEMENT_TYPE_CODE values that mean the child's IRO (default ``IRO``).
``columns``, ``codes``
    The standard options: other headers, and local codes (a legal status description
    that does not start with its 903 code, say), applied after this plugin's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iro_etl.sources.plugin import SourceData
from iro_etl.sources.warehouse import WarehousePlugin
from iro_plugin_ssd import assemble as ssd

from iro_plugin_liquidlogic import assemble
from iro_plugin_liquidlogic.tables import (
    COLUMN_NAMES,
    EPISODES,
    ETHNICITY,
    INVOLVEMENTS,
    IRO_INVOLVEMENT_TYPES,
    IRO_SERVICE,
    LEGAL_STATUSES,
    MEETING_SUBJECTS,
    MEETINGS,
    NOT_IN_WAREHOUSE,
    PERSON,
    PLACEMENTS,
    REVIEWS,
    SIGNATURE,
    TABLES,
    WORKERS,
)
from iro_plugin_liquidlogic.vocabulary import lcs_words, without_nulls


class LiquidlogicPlugin(WarehousePlugin):
    """Liquidlogic LCS's HDM.Child_Social warehouse, from the database or CSV extracts."""

    name = "liquidlogic"
    description = ("Liquidlogic LCS reporting warehouse (HDM.Child_Social): the database by "
                   "URL, or CSV extracts of its tables (DIM_PERSON.csv, ...)")
    tables = TABLES
    signature = SIGNATURE

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.iro_types = self.name_list("iro_involvement_types", IRO_INVOLVEMENT_TYPES)

    def read(self, path: Path | str) -> SourceData:
        frames, got = self.frames(path)
        frames = {name: without_nulls(frame) for name, frame in frames.items()}
        source = SourceData(self.name, {}, got.failures, got.files)
        care = assemble.episodes(frames[EPISODES.name])
        people, merged = assemble.people(frames[PERSON.name], frames[ETHNICITY.name])
        children, others = ssd.children(people, care["child_id"])
        reviews, left_out = ssd.reviews(
            assemble.reviews(frames[REVIEWS.name], frames[MEETINGS.name],
                             frames[MEETING_SUBJECTS.name]), care)
        allocations = ssd.iro_allocations(assemble.involvements(frames[INVOLVEMENTS.name]),
                                          self.iro_types)
        source.tables = {
            "children": children,
            "episodes": ssd.episodes(care, frames[PLACEMENTS.name],
                                     assemble.legal_statuses(frames[LEGAL_STATUSES.name])),
            "reviews": reviews,
            "iro_allocations": allocations,
            "iro_staff": ssd.iro_staff(assemble.workers(frames[WORKERS.name]), allocations),
        }
        for table in IRO_SERVICE:
            source.tables[table.feeds] = lcs_words(table.feeds, frames[table.name])
            if table.name not in got.read:
                source.not_held[table.feeds] = NOT_IN_WAREHOUSE[table.feeds]
        counts = {f"{PERSON.name}: {others} people never looked after": ("children", others),
                  f"{PERSON.name}: {merged} records merged into another": ("children", merged)}
        counts |= {f"{REVIEWS.name}: {n} {why}": ("reviews", n) for why, n in left_out.items()}
        source.not_used = {what: table for what, (table, n) in counts.items() if n}
        return source

    def column_names(self) -> dict[str, dict[str, str]]:
        return COLUMN_NAMES
