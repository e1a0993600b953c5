"""The Eclipse (OLM Systems) plugin: the warehouse's own views, from the database or CSV extracts.

An export location is either a SQLAlchemy URL of Eclipse's reporting database
(PostgreSQL; lineage ``db:<view>``) or a folder of CSV extracts, one per view and named as
the view (``CLAEPISODEOFCAREVIEW.csv``, ``FORMANSWERPERSONVIEW.csv``, ...; names match
case-insensitively). The views and columns read are in :mod:`iro_plugin_eclipse.tables`:
personview, persondemographicsview, referencenumberpersonview, claperiodofcareview,
claepisodeofcareview, formanswerpersonview, relationshipprofessionalview and
personorgrelationshipview. How they are put together is in
:mod:`iro_plugin_eclipse.assemble`; form answers in :mod:`iro_plugin_eclipse.forms`. Of
formanswerpersonview, which holds every form the authority has, only the configured forms'
rows are fetched from a database (other forms' answers never leave it).

Options (the authority's ``options`` block in authorities.yaml):

``schema``
    The database schema holding the views when it is not the connection's default.
``tables``
    ``{view: actual name}`` for a deployment that renamed a view; ``null`` for a view the
    deployment lacks (e.g. no referencenumberpersonview: UPNs stay blank, no failure).
``forms``
    ``{form: design GUID or [GUIDs]}`` for the forms ``reviews`` (IRO decisions),
    ``review_participation`` (the review's quality-assurance sub-form holding the child's
    participation), ``review_records`` (the IRO's review record, with its participants)
    and ``notifications`` (no default: an authority with an IRO notification form names
    it, else notifications are not held). Defaults are the public extract SQL's GUIDs.
``controls``
    ``{form: {canonical column: control name or [names]}}``: the controls (form
    questions) answering each column, e.g. ``{review_records: {rag: caseRating}}``; a
    participant is ``participant:<role>`` (``participant:mother``: its answer is the
    mother's participation). See :data:`iro_plugin_eclipse.config.FORMS`.
``subnames``
    ``{form: [designsubname, ...]}``: the sub-form names a shared design must carry
    (default: the review sub-form, ``Child/young person in care review``).
``completed_states``
    The ``instancestate`` values of a completed form (default ``COMPLETE``).
``iro_relationships``
    The ``relationshipclasscode`` values of the child's IRO (default ``IRO``,
    ``INDEPENDENT_REVIEWING_OFFICER``).
``columns``, ``codes``
    The standard options (extra headers, local codes).

Eclipse's vocabulary (ethnicity, category of need, placement type, sex words) is turned
into 903 codes (:mod:`iro_plugin_eclipse.vocabulary`); other values are kept, for the
core to report. Eclipse holds no FTE (it stays blank, with a warning, and the IRO is kept),
no home postcode or placement distance among the views read, and no dispute log: the
load summary says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iro_etl.sources.plugin import SourceData
from iro_etl.sources.sql import Kept
from iro_etl.sources.warehouse import WarehousePlugin
from iro_plugin_ssd import assemble as ssd

from iro_plugin_eclipse import assemble, forms
from iro_plugin_eclipse.config import FormConfig
from iro_plugin_eclipse.tables import (
    ANSWERS,
    COLUMN_NAMES,
    DEMOGRAPHICS,
    DUPLICATE,
    EPISODES,
    PERIODS,
    PERSON,
    REFERENCE_NUMBERS,
    RELATIONSHIPS,
    SIGNATURE,
    TABLES,
    TEAMS,
)

#: What Eclipse does not hold for the IRO service: said in the load summary.
NOT_HELD = {
    "disputes": "not in Eclipse's views: the IRO's dispute resolution log comes from "
                "another source",
}
NO_NOTIFICATION_FORM = ("no IRO notification form named (option forms.notifications): "
                        "notifications come from another source")


class EclipsePlugin(WarehousePlugin):
    """Eclipse (OLM Systems): its warehouse views, from the database or CSV extracts."""

    name = "eclipse"
    description = ("Eclipse (OLM Systems) warehouse views: the reporting database by URL, or "
                   "CSV extracts named as the views (CLAEPISODEOFCAREVIEW.csv, ...)")
    tables = TABLES
    signature = SIGNATURE

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        # Built now so a mistake in the authority's form options is reported at set-up.
        self.config = FormConfig.from_options(self.options)

    def read(self, path: Path | str) -> SourceData:
        # Only the configured forms' answers are fetched from a database.
        frames, got = self.frames(path, {ANSWERS.name: Kept("design", frozenset(
            self.config.form_of_design()))})
        source = SourceData(self.name, {}, got.failures, got.files)
        person = frames[PERSON.name]
        duplicates = person.loc[person["duplicated"].str.strip().str.upper() == DUPLICATE,
                                "child_id"]
        # The records the authority marked as duplicates are left out of every table.
        kept = {name: frame[~frame["child_id"].isin(duplicates)]
                for name, frame in frames.items() if name != TEAMS.name}
        kept[TEAMS.name] = frames[TEAMS.name]
        answers, unfinished = forms.scoped(kept[ANSWERS.name], self.config)
        found = forms.instances(answers, self.config)
        allocations = ssd.iro_allocations(kept[RELATIONSHIPS.name],
                                          self.config.iro_relationships)
        children, others = assemble.children(kept[DEMOGRAPHICS.name],
                                             kept[REFERENCE_NUMBERS.name],
                                             kept[PERIODS.name]["child_id"])
        records, participants = assemble.review_records(found["review_records"])
        source.tables = {
            "children": children,
            "episodes": assemble.episodes(kept[EPISODES.name]),
            "reviews": assemble.reviews(found["reviews"], found["review_participation"]),
            "review_records": records,
            "review_participants": participants,
            "iro_allocations": allocations,
            "iro_staff": assemble.iro_staff(kept[TEAMS.name], allocations),
        }
        source.not_held = dict(NOT_HELD)
        if self.config.forms["notifications"].designs:
            source.tables["notifications"] = found["notifications"]
        else:
            source.not_held["notifications"] = NO_NOTIFICATION_FORM
        marked = duplicates.nunique()
        if marked:
            source.not_used[f"{PERSON.name}: {marked} people marked as duplicates"] = "children"
        if others:
            source.not_used[f"{DEMOGRAPHICS.name}: {others} people never looked after"] = "children"
        if unfinished:
            source.not_used[f"{ANSWERS.name}: {unfinished} IRO forms not completed"] = "reviews"
        return source

    def column_names(self) -> dict[str, dict[str, str]]:
        names = {table: dict(columns) for table, columns in COLUMN_NAMES.items()}
        answers = self.names.get(ANSWERS.name, ANSWERS.name)
        for form in self.config.forms.values():
            mine = names.setdefault(form.table, {})
            for column, controls in form.controls.items():
                mine.setdefault(column, f"{answers}.{controls[0]}")
        for column in ("role", "status"):
            names.setdefault("review_participants", {})[column] = f"{answers}.participation"
        names["iro_staff"]["fte"] = "fte (not held in Eclipse)"
        return names
