"""The Standard Safeguarding Dataset plugin: the SSD's tables from its database or CSV extracts.

An export location is either a SQLAlchemy URL of the database holding the SSD (SQL Server
``mssql+pyodbc://``, Oracle ``oracle+oracledb://``, PostgreSQL, SQLite; lineage
``db:<table>``) or a folder of CSV extracts, one per SSD table, named as the table
(``ssd_person.csv``, ``ssd_cla_episodes.csv``, ...). The tables read and how they are put
together are in :mod:`iro_plugin_ssd.tables` and :mod:`iro_plugin_ssd.assemble`.

Options (the authority's ``options`` block in authorities.yaml):

``schema``
    The database schema holding the SSD tables when it is not the connection's default
    (``ssd_development``; on SQL Server also ``database.owner``, e.g. ``HDM.ssd``).
``tables``
    ``{ssd table: actual name}`` for a deployment that renamed a table; ``null`` for a
    table the deployment lacks (its canonical rows stay empty, with no failure).
``iro_roles``
    The involvement role codes (invo_professional_role_id) that mean the child's IRO
    (default ``IRO`` and ``Independent Reviewing Officer``).
``columns``, ``codes``
    The standard options (extra headers, local codes).

The SSD holds no IRO notifications, review records, review participants or disputes:
the load summary says so for each, and an authority adds them through another source.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iro_etl.sources.plugin import SourceData
from iro_etl.sources.warehouse import WarehousePlugin

from iro_plugin_ssd import assemble
from iro_plugin_ssd.tables import (
    COLUMN_NAMES,
    EPISODES,
    INVOLVEMENTS,
    IRO_ROLES,
    LEGAL_STATUSES,
    NOT_IN_SSD,
    PERSON,
    PLACEMENTS,
    PROFESSIONALS,
    REVIEWS,
    SIGNATURE,
    TABLES,
)


class SsdPlugin(WarehousePlugin):
    """The Standard Safeguarding Dataset, from its database or CSV extracts of its tables."""

    name = "ssd"
    description = ("Standard Safeguarding Dataset (data-to-insight): its database by URL, "
                   "or CSV extracts of its tables (ssd_person.csv, ...)")
    tables = TABLES
    signature = SIGNATURE

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.iro_roles = self.name_list("iro_roles", IRO_ROLES)

    def read(self, path: Path | str) -> SourceData:
        frames, got = self.frames(path)
        source = SourceData(self.name, {}, got.failures, got.files)
        ssd_episodes = frames[EPISODES.name]
        allocations = assemble.iro_allocations(frames[INVOLVEMENTS.name], self.iro_roles)
        reviews, left_out = assemble.reviews(frames[REVIEWS.name], ssd_episodes)
        children, others = assemble.children(frames[PERSON.name], ssd_episodes["child_id"])
        source.tables = {
            "children": children,
            "episodes": assemble.episodes(ssd_episodes, frames[PLACEMENTS.name],
                                          frames[LEGAL_STATUSES.name]),
            "reviews": reviews,
            "iro_allocations": allocations,
            "iro_staff": assemble.iro_staff(frames[PROFESSIONALS.name], allocations),
        }
        if others:
            source.not_used[f"{PERSON.name}: {others} people never looked after"] = "children"
        for reason, count in left_out.items():
            if count:
                source.not_used[f"{REVIEWS.name}: {count} {reason}"] = "reviews"
        source.not_held = dict(NOT_IN_SSD)
        return source

    def column_names(self) -> dict[str, dict[str, str]]:
        return COLUMN_NAMES
