"""Time one authority's load of a synthetic export, end to end through the core library.

For each size, the synthetic children are generated and written as the chosen
system's export first (timed, but not part of the load), then loaded in a fresh
process so its peak memory is that load's alone: read, validate, rules and marts,
publish, then the Great Expectations suites on the marts in memory and the Data
Docs built from them (GX's import included: the load imports it only there). The
SSDA903 return carries children, episodes and reviews only; a system such as
Liquidlogic carries the IRO service's tables too, so its load also times the
flags and indicators built on them.

    uv run python benchmarks/load_benchmark.py --children 10000 100000
    uv run python benchmarks/load_benchmark.py --children 10000 --system liquidlogic
    uv run python benchmarks/load_benchmark.py --children 10000 \\
        --db postgresql+psycopg://postgres@127.0.0.1:5432/test

Without ``--db`` each size publishes to its own new SQLite file in a temporary
folder; with it, every size replaces the BENCH authority's rows in that database.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from iro_etl.config import Authority
from iro_etl.marts.publish import make_engine, publish
from iro_etl.pipeline import all_marts, export_rules, read_export, validate_export
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

AS_OF = "2014-03-31"
AUTHORITY = "BENCH"
STAGES = ("read", "validate", "marts", "publish", "expect")


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB.

    On Linux this is VmHWM, not ru_maxrss: a spawned process's ru_maxrss starts at
    its parent's peak (kept across the vfork and exec that start it), so it would
    report the generation's memory rather than the load's.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def expect(code: str, marts: dict[str, pd.DataFrame], docs: Path) -> None:
    """The marts' suites run on the frames in memory, and their Data Docs, as a nightly run
    does for a first load (every mart new to the fingerprints)."""
    expect_loads({code: marts}, docs)


def expect_loads(loads: dict[str, dict[str, pd.DataFrame]], docs: Path) -> None:
    """Several authorities' marts (by authority) through their suites together, as a nightly
    run of several authorities does for their first load, and Data Docs built once."""
    from iro_etl.reports.data_docs import build_data_docs
    from iro_etl.reports.expectations import validate_loads

    build_data_docs(docs, [mart for marts in validate_loads(loads).values()
                           for mart in marts.values()])


def in_fresh_process(function, *args):
    """``function(*args)`` in a new spawned process, so its peak memory is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def timed_load(authority: Authority, engine: sa.Engine, as_of: str, docs: Path
               ) -> tuple[dict[str, float], pd.DataFrame]:
    """One authority's load in this process: seconds per stage (Data Docs under ``docs``),
    rows read and published, and the validation failures (the national benchmark compares
    them with the DfE validator's)."""
    marks = [time.perf_counter()]
    export = read_export(authority, pd.Timestamp(as_of))
    marks.append(time.perf_counter())
    validated = validate_export(export)
    marks.append(time.perf_counter())
    built = all_marts(export, validated, export_rules(export, validated), b"benchmark key")
    if built.rejected:
        raise RuntimeError(f"{authority.code}: marts break their contract: {built.rejected}")
    marts = built.frames
    marks.append(time.perf_counter())
    publish(engine, authority.code, marts)
    marks.append(time.perf_counter())
    expect(authority.code, marts, docs)
    marks.append(time.perf_counter())
    seconds = dict(zip(STAGES, (end - start for start, end in pairwise(marks)), strict=True))
    return ({**seconds, "total": marks[-1] - marks[0], "rows_in": sum(validated.rows_in.values()),
             "rows_out": sum(map(len, marts.values()))}, validated.failures)


def load(folder: Path, db_url: str, system: str) -> dict[str, float]:
    """One load in this process: seconds per stage, rows read and published, peak memory."""
    engine = make_engine(db_url)
    baseline = peak_rss_mib()
    figures, _ = timed_load(Authority.ad_hoc(AUTHORITY, system, folder), engine, AS_OF,
                            folder.with_name(f"{folder.name}-data_docs"))
    engine.dispose()
    return {**figures, "rss_base": baseline, "rss_peak": peak_rss_mib()}


def run(n_children: int, defect_rate: float, db_url: str | None, work: Path, system: str
        ) -> dict[str, float]:
    """Generate ``n_children`` into ``work``, then load them in a fresh (spawned) process."""
    folder = work / f"{system}-{n_children}"
    start = time.perf_counter()
    truth = generate(n_children, as_of=AS_OF, seed=0, defect_rate=defect_rate)
    write_export(system, truth, folder)
    generated = time.perf_counter() - start
    del truth
    url = db_url or f"sqlite:///{work / f'bench-{system}-{n_children}.db'}"
    figures = in_fresh_process(load, folder, url, system)
    return {"children": n_children, "generate": generated, **figures,
            "rows_per_s": figures["rows_in"] / figures["total"]}


def print_table(results: list[dict[str, float]]) -> None:
    columns = [("children", "{:,.0f}"), ("rows_in", "{:,.0f}"), ("generate", "{:.2f}"),
               *[(stage, "{:.2f}") for stage in (*STAGES, "total")], ("rows_per_s", "{:,.0f}"),
               ("rows_out", "{:,.0f}"), ("rss_base", "{:.0f}"), ("rss_peak", "{:.0f}"),
               ("rss_load", "{:.0f}")]
    rows = [[fmt.format(r["rss_peak"] - r["rss_base"] if name == "rss_load" else r[name])
             for name, fmt in columns] for r in results]
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, (name, _) in enumerate(columns)]
    print("  ".join(name.rjust(w) for (name, _), w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    print("times in seconds (generate is not part of total); rss in MiB: peak of the load's "
          "process, its baseline after imports, and the difference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--defect-rate", type=float, default=0.01)
    parser.add_argument("--db", help="SQLAlchemy URL to publish to (default: a new temporary SQLite file)")
    parser.add_argument("--system", default="ssda903",
                        help="the plugin whose synthetic export is written and read (default ssda903)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="iro-bench-") as work:
        for n_children in args.children:
            result = run(n_children, args.defect_rate, args.db, Path(work), args.system)
            print(f"{n_children:,} children: generated in {result['generate']:.2f} s, "
                  f"loaded in {result['total']:.2f} s", flush=True)
            results.append(result)
    print(f"system: {args.system}, database: {args.db or 'temporary SQLite file'}, "
          f"defect rate {args.defect_rate}")
    print_table(results)


if __name__ == "__main__":
    main()
