"""What keeping other forms' rows in the warehouse saves a read (``iro_etl.sources.sql.Kept``).

    uv run python benchmarks/warehouse_rows.py [--children 2000] [--others 19] [--db URL]

A real Mosaic warehouse's DM_CACHED_FORM_ANSWERS holds every form's answers and its
DM_WORKFLOW_STEPS every workflow's steps; the synthetic one holds the IRO's alone. This
writes one authority's Mosaic warehouse into SQLite and into a fresh schema of the
PostgreSQL database, gives it ``--others`` answers to other forms for each of its answers
and as many steps of other workflows for each of its steps, and reads it with the Mosaic
plugin in fresh processes: as the plugin reads it (only the rows it keeps fetched) and
with every row fetched. It prints seconds and peak memory of each read and fails unless
both give the same load id (the same tables, lineage included).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from iro_etl.config import Authority
from iro_etl.pipeline import read_export
from iro_plugin_mosaic.plugin import MosaicPlugin
from iro_testdata.synthetic import generate
from iro_testdata.writers.mosaic import write_database
from load_benchmark import in_fresh_process, peak_rss_mib
from national import AS_OF, DEFAULT_DB, fresh_database, markdown

#: Other forms' answers and other workflows' steps, ``:others`` copies of each row, the
#: copies' keys apart from the IRO's (so the IRO's rows keep their order).
_OTHERS = [
    'INSERT INTO "DM_CACHED_FORM_ANSWERS" ("FORM_ID", "WORKFLOW_STEP_ID", "MAPPING_ID", '
    '"FORM_ANSWER_ROW_ID", "SUBJECT_PERSON_ID", "QUESTION_USER_CODE", "TEXT_ANSWER") '
    'SELECT "FORM_ID" + 10000000 * i, "WORKFLOW_STEP_ID", 500 + i, "FORM_ANSWER_ROW_ID", '
    '"SUBJECT_PERSON_ID", \'assessment.question.\' || i, \'an answer on another form\' '
    'FROM "DM_CACHED_FORM_ANSWERS", copies',
    'INSERT INTO "DM_WORKFLOW_STEPS" ("WORKFLOW_STEP_ID", "WORKFLOW_STEP_TYPE_ID", '
    '"SUBGROUP_ID", "STEP_STATUS") SELECT "WORKFLOW_STEP_ID" + 10000000 * i, 5000 + i, '
    '"SUBGROUP_ID", \'COMPLETED\' FROM "DM_WORKFLOW_STEPS", copies',
]


class EveryRow(MosaicPlugin):
    """The Mosaic plugin fetching every row, as it did before it kept rows in the database."""

    def frames(self, path, kept=None):
        return super().frames(path)


def warehouse(url: str, children: int, others: int) -> dict[str, int]:
    """The authority's warehouse at ``url`` with the other rows added; rows per table."""
    engine = sa.create_engine(url)
    try:
        write_database(generate(children, as_of=AS_OF, seed=4), engine)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE copies (i INTEGER)"))
            conn.execute(sa.text("INSERT INTO copies VALUES (:i)"),
                         [{"i": i} for i in range(1, others + 1)])
            for statement in _OTHERS:
                conn.execute(sa.text(statement))
            conn.execute(sa.text("DROP TABLE copies"))
            return {t: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                    for t in ("DM_CACHED_FORM_ANSWERS", "DM_WORKFLOW_STEPS")}
    finally:
        engine.dispose()


def read(url: str, every_row: bool) -> dict:
    """One read of the warehouse in this process: seconds, peak MiB, the load id."""
    plugin = EveryRow() if every_row else MosaicPlugin()
    start = time.perf_counter()
    export = read_export(Authority.ad_hoc("M", "mosaic", url), pd.Timestamp(AS_OF), plugin)
    return {"seconds": time.perf_counter() - start, "peak": peak_rss_mib(),
            "load_id": export.load_id}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--others", type=int, default=19)
    parser.add_argument("--db", default=DEFAULT_DB, help="PostgreSQL URL (a schema is made)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.db, "rows") as pg:
        for name, url in (("SQLite", f"sqlite:///{Path(folder) / 'mosaic.db'}"),
                          ("PostgreSQL", pg)):
            counts = warehouse(url, args.children, args.others)
            kept, whole = (in_fresh_process(read, url, every) for every in (False, True))
            if kept["load_id"] != whole["load_id"]:
                raise SystemExit(f"{name}: the reads differ ({kept['load_id']}, "
                                 f"{whole['load_id']})")
            rows.append([name, f"{counts['DM_CACHED_FORM_ANSWERS']:,}",
                         f"{counts['DM_WORKFLOW_STEPS']:,}", f"{whole['seconds']:.2f}",
                         f"{kept['seconds']:.2f}", f"{whole['peak']:,.0f}",
                         f"{kept['peak']:,.0f}"])
    print(f"{args.children:,} children, {args.others} other rows for each of the IRO's:\n")
    print(markdown(["database", "form answers", "workflow steps", "every row (s)",
                    "kept rows (s)", "every row (MiB)", "kept rows (MiB)"], rows))


if __name__ == "__main__":
    main()
