"""National scale in one nightly run: England's looked-after children across 150 authorities.

Three modes, each printing a markdown table (``--write-docs`` also writes it into its part of
the "National run" section of docs/benchmarks.md, dated, with the machine):

    uv run python benchmarks/national.py generate [--authorities 150] [--scale 1.0]
    uv run python benchmarks/national.py run [--authorities 150] [--scale 1.0] [--db URL]
    uv run python benchmarks/national.py dfe [--scale 1.0]

``generate`` writes the authorities' exports (about 85,000 children looked after on 31 March
2014 at full scale, six years of history each, the systems mixed) and their authorities.yaml
under .bench_cache/, where ``run`` reuses them. ``run`` times the nightly run of every
authority three ways, each into a fresh schema of the PostgreSQL database (or fresh SQLite
files): through the core library stage by stage in a fresh process, as ``iro-etl run`` does
it (Dagster, in process), and as deployed (``dagster-daemon``, a first night and a later
one); then one authority's ``iro-etl load``, a first night and a later one. It fails unless
the published marts cover every authority. ``dfe`` times the DfE's 903 validator (in its own
environment) and our shared review rules on one 903 year, and checks that they flag the same
rows.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from importlib import metadata
from itertools import pairwise
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import sqlalchemy as sa
from dfe_validator import SHARED, inject, ours, run_validator, theirs, validator_python
from iro_assets.partitions import authority_partitions, batches, range_tags
from iro_cli.runner import INSTANCE_SETTINGS, environment
from iro_etl.config import Authority, load_authorities, write_authorities
from iro_etl.marts.publish import Load, make_engine, publish_loads, read_mart
from iro_etl.pipeline import read_export, stacked_marts, stacked_rules, validate_exports
from iro_etl.rules.periods import periods_of_care, with_period_ids
from iro_etl.rules.yearly import looked_after_at
from iro_testdata.synthetic import GroundTruth, generate
from iro_testdata.writers import write_export
from load_benchmark import expect_loads, in_fresh_process, peak_rss_mib, timed_load

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench_cache"
DOCS = ROOT / "docs" / "benchmarks.md"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AS_OF = "2014-03-31"
#: The one-authority load's later nights, after its first (as of AS_OF).
LATER_NIGHTS = ("2014-04-01", "2014-04-02")
#: England's children looked after on 31 March (83,630 in 2024), and its authorities.
LOOKED_AFTER = 85_000
AUTHORITIES = 150
#: Injected export defects, in the authorities whose exports are files.
DEFECT_RATE = 0.01
#: The pseudonym key of the benchmark's loads.
KEY = b"benchmark key"
#: Authorities the core library takes in one pass: all 150 at once peaked at 5.1 GB, every
#: export's text held together; 25 keep the peak near 1.5 GB for about the same time.
BATCH = 25
#: Share of the generated children (looked after at some time in the years before 31 March)
#: still looked after on it, measured on 10,000 children: six years of history, and one.
#: Measured with short breaks counted: without them, as :func:`looked_after` counts, full
#: scale comes to 82,196 looked after in the national dataset and 83,946 in the 903 year.
SHARE_SIX_YEARS = 0.294
SHARE_ONE_YEAR = 0.75
#: Systems in turn, by authority: mostly the 903 return and the warehouses.
SYSTEMS = ("ssda903", "ssd", "liquidlogic", "mosaic", "ssda903", "eclipse", "ssda903", "ssd",
           "liquidlogic", "ssda903", "mosaic", "carefirst", "ssda903", "ssd", "eclipse",
           "ssda903", "liquidlogic", "mosaic", "ssda903", "generic")
#: Systems read from their reporting database (here one SQLite file per authority).
WAREHOUSES = frozenset({"ssd", "liquidlogic", "mosaic", "eclipse"})
TIME = Path("/usr/bin/time")
INTRO = """# National run

`benchmarks/national.py` (issue 14) times England at once: 150 authorities in one nightly
run, and the DfE's 903 validator beside our shared review rules on one national 903 year.

```sh
uv run python benchmarks/national.py generate            # once: about 5 minutes, 660 MB
uv run python benchmarks/national.py run --cli-every 10  # PostgreSQL at 127.0.0.1:5432/test
uv run python benchmarks/national.py dfe
```

`--scale 0.02` runs a fiftieth of England; `--write-docs` rewrites that mode's part below
(the parts between `<!-- national:... -->` markers; the rest of this section is by hand).

- **The dataset**: authorities' sizes spread log-normally (the largest about 15 times the
  smallest) to about 85,000 children looked after on 31 March 2014, six years of history
  each; systems in turn, mostly the 903 return (CSV files) and the warehouses (SSD,
  Liquidlogic, Mosaic, Eclipse: each authority's reporting database as a SQLite file), a
  few CareFirst workbooks and generic CSV exports. The file exports carry injected defects
  (1%); the warehouses none (the Mosaic writer cannot inject them yet). Cached under
  `.bench_cache/`.
- **The run**: each way publishes into a new PostgreSQL schema, dropped afterwards. The core
  library loads every authority in one fresh process in one pass: each export read, then
  all of them validated, ruled and checked together and published in one transaction
  (`validate_exports`, `stacked_rules`, `stacked_marts`, `publish_loads`), then their
  expectations together (a first load: every mart), 25 authorities per pass; its peak
  memory is that process's VmHWM.
  `iro-etl run` is the real nightly command (Dagster in process, one run per range of 25
  authorities, with the annual report, the failures workbook and the expectation checks);
  its steps are summed from `iro-etl -v`, its peak memory is `/usr/bin/time -v`'s.
  `dagster-daemon` is the deployment: the schedule's six range runs queued, the daemon
  taking them two at a time (the shipped run queue), each in a process of its own; its
  wall is from the first run's start to the last one's end, its memory the peak of the
  daemon and every process it started, together. `iro-etl load` loads the median 903 authority,
  then on two later nights (1 and 2 April), timing the second: a night like most.
- **The DfE comparison**: one 903 year (children looked after at some time in 2013/14, with
  the errors of tests/dfe injected). The validator (csc-validator-be-903 0.1.17, pandas 1.5,
  its 2022/23 rules) runs in its own environment as its LacValidator does (a data store with
  the postcode fields, each rule on a copy of it); we run our load. Findings are compared per
  DfE code as the rows (child and date) each side flags.
"""
#: The nightly job's steps as ``iro-etl -v`` names them; the core library's stages are the
#: first four (its "marts" stage is the job's "rules") and "expect", which the job runs
#: inside its publish step.
CLI_STEPS = ("read", "validate", "rules", "publish", "report", "workbook")
COLUMNS = ("read", "validate", "rules", "publish", "expect", "report", "workbook")
STEP_LINE = re.compile(rf"^\S+: ({'|'.join(CLI_STEPS)}) in ([\d.]+) s", re.MULTILINE)


@dataclass
class Generated:
    code: str
    system: str
    children: int
    looked_after: int
    episodes: int
    reviews: int


# --- generate -------------------------------------------------------------------------------

def looked_after(truth: GroundTruth) -> int:
    """Children looked after on the truth's 31 March, short breaks left out (as the DfE counts)."""
    episodes = truth.episodes
    at = looked_after_at(with_period_ids(episodes), periods_of_care(episodes), truth.as_of)
    return at["child_id"].nunique()


def sizes(authorities: int, total: int, seed: int) -> np.ndarray:
    """Children looked after per authority: a log-normal spread (the largest about twenty
    times the smallest, as in England) summing to about ``total``."""
    weights = np.random.default_rng(seed).lognormal(0.0, 0.6, authorities)
    return np.maximum(1, np.round(weights / weights.sum() * total)).astype(int)


def national_folder(cache: Path, authorities: int, scale: float, children: int | None, seed: int
                    ) -> Path:
    shape = f"c{children}" if children else f"s{scale:g}"
    return cache / f"national-{authorities}-{shape}-seed{seed}"


def write_authority(folder: Path, code: str, system: str, truth: GroundTruth) -> Path | str:
    """The authority's export under ``folder``/exports: a reporting database for a warehouse
    system, files for the others; returns its location as authorities.yaml gives it."""
    exports = folder / "exports"
    if system in WAREHOUSES:
        path = exports / f"{code}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        engine = sa.create_engine(f"sqlite:///{path}")
        importlib.import_module(f"iro_testdata.writers.{system}").write_database(truth, engine)
        engine.dispose()
        return f"sqlite:///{path}"
    write_export(system, truth, exports / code)
    return Path("exports") / code


def generate_national(cache: Path, authorities: int, scale: float, children: int | None,
                      seed: int) -> tuple[Path, dict]:
    """The national dataset's folder and manifest, written unless already cached."""
    folder = national_folder(cache, authorities, scale, children, seed)
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        return folder, json.loads(manifest_path.read_text())
    start = time.perf_counter()
    counts = ([children] * authorities if children else
              np.maximum(10, np.round(sizes(authorities, round(LOOKED_AFTER * scale), seed)
                                      / SHARE_SIX_YEARS).astype(int)).tolist())
    configured, generated = [], []
    for i, n in enumerate(counts):
        code, system = f"N{i + 1:03d}", SYSTEMS[i % len(SYSTEMS)]
        # The warehouse writers' databases carry no injected defects (Mosaic's cannot yet:
        # its review answers lose their alignment with the defect rows).
        truth = generate(int(n), as_of=AS_OF, seed=seed + i,
                         defect_rate=0.0 if system in WAREHOUSES else DEFECT_RATE)
        location = write_authority(folder, code, system, truth)
        configured.append(Authority(code, f"National {i + 1} ({system})", system, location))
        generated.append(Generated(code, system, int(n), looked_after(truth),
                                   len(truth.episodes), len(truth.reviews)))
    write_authorities(folder / "authorities.yaml", configured)
    manifest = {"authorities": [asdict(g) for g in generated],
                "seconds": time.perf_counter() - start}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return folder, manifest


def generate_table(manifest: dict) -> str:
    frame = pd.DataFrame(manifest["authorities"])
    by_system = frame.groupby("system").agg(authorities=("code", "size"),
                                            children=("children", "sum"),
                                            looked_after=("looked_after", "sum"),
                                            episodes=("episodes", "sum"),
                                            reviews=("reviews", "sum"))
    by_system.loc["all"] = by_system.sum()
    rows = [[name, *(f"{v:,}" for v in row)] for name, row in by_system.iterrows()]
    smallest, largest = frame["looked_after"].min(), frame["looked_after"].max()
    return (markdown(["system", "authorities", "children (6 years)", "looked after 31 March",
                      "episodes", "reviews"], rows)
            + f"\nLooked after on 31 March per authority: {smallest:,} to {largest:,}. "
            f"Generated and written in {manifest['seconds']:.0f} s (not part of the run).\n")


# --- run ------------------------------------------------------------------------------------

@contextmanager
def fresh_database(base_url: str, label: str) -> Iterator[str]:
    """A URL to publish into, empty: a new PostgreSQL schema (dropped afterwards), or for
    SQLite a new file beside the one named (kept, for the smoke test to read)."""
    url = sa.make_url(base_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        path = path.with_name(f"{path.stem}-{label}{path.suffix}")
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    schema = f"iro_bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def covered(url: str) -> set[str]:
    """Authorities whose marts were published (the load summary of a published load)."""
    engine = make_engine(url)
    summary = read_mart(engine, "load_summary")
    engine.dispose()
    return set(summary.loc[summary["status"] == "published", "authority"])


def _one_pass(authorities: list[Authority], engine: sa.Engine, docs: Path,
              seconds: dict[str, float]) -> list[dict]:
    """Read ``authorities``, then validate, rule, check and publish them together, then run
    their expectations together (as a nightly run's first load: every mart is new to the
    fingerprints); adds each stage's seconds to ``seconds``, returns the reads."""
    exports, reads = [], []
    for authority in authorities:
        begun = time.perf_counter()
        exports.append(read_export(authority, pd.Timestamp(AS_OF)))
        reads.append({"system": authority.system, "authorities": 1,
                      "read": time.perf_counter() - begun})
    marks = [time.perf_counter()]
    validated = validate_exports(exports)
    marks.append(time.perf_counter())
    rules = stacked_rules(list(zip(exports, validated, strict=True)))
    built = stacked_marts(list(zip(exports, validated, rules, strict=True)), KEY)
    marks.append(time.perf_counter())
    for export, marts in zip(exports, built, strict=True):
        if marts.rejected:
            raise RuntimeError(f"{export.authority.code}: marts break their contract: "
                               f"{marts.rejected}")
    publish_loads(engine, [Load(export.authority.code, marts.frames, export.load_id, export.as_of,
                                export.required)
                           for export, marts in zip(exports, built, strict=True)])
    marks.append(time.perf_counter())
    expect_loads({export.authority.code: marts.frames
                  for export, marts in zip(exports, built, strict=True)}, docs)
    marks.append(time.perf_counter())
    for stage, (begun, end) in zip(("validate", "marts", "publish", "expect"), pairwise(marks),
                                   strict=True):
        seconds[stage] = seconds.get(stage, 0.0) + end - begun
    for row, checked in zip(reads, validated, strict=True):
        row["rows_in"] = sum(checked.rows_in.values())
    return reads


def core_run(config: Path, url: str, batch: int) -> dict[str, float]:
    """Every configured authority's load through the core library, in this (fresh) process,
    ``batch`` authorities at a time in one pass each (:func:`_one_pass`: ``validate_exports``,
    ``stacked_rules``, ``stacked_marts``, ``publish_loads``). Seconds per stage, reading by
    system, the wall time and the peak memory."""
    authorities = load_authorities(config)
    engine = make_engine(url)
    baseline = peak_rss_mib()
    start = time.perf_counter()
    codes = sorted(authorities)
    seconds: dict[str, float] = {}
    reads = []
    for first in range(0, len(codes), batch):
        reads += _one_pass([authorities[code] for code in codes[first:first + batch]], engine,
                           config.parent / "data_docs", seconds)
    wall = time.perf_counter() - start
    engine.dispose()
    by_system = pd.DataFrame(reads).groupby("system").sum()
    return {"read": by_system["read"].sum(), **seconds, "rows_in": by_system["rows_in"].sum(),
            "by_system": by_system, "wall": wall, "rss_base": baseline,
            "rss_peak": peak_rss_mib()}


def system_table(by_system: pd.DataFrame) -> str:
    """The core library's reading by system: seconds and rows read per second."""
    rows = [[system, f"{row['authorities']:.0f}", f"{row['rows_in']:,.0f}", f"{row['read']:.1f}",
             f"{row['rows_in'] / row['read']:,.0f}"] for system, row in by_system.iterrows()]
    return markdown(["system", "authorities", "rows in", "read", "rows/s"], rows)


def iro_etl(arguments: list[str], work: Path) -> dict:
    """Run the iro-etl command (under /usr/bin/time -v when there is one, for the peak memory
    of its process): wall seconds, peak MiB or None, exit code and its last error lines."""
    command = [str(Path(sys.executable).with_name("iro-etl")), "-v", *arguments]
    timed = [str(TIME), "-v", *command] if TIME.exists() else command
    env = {**os.environ, "DAGSTER_HOME": str(work / "dagster_home"),
           "IRO_ETL_HOME": str(work / "state")}
    start = time.perf_counter()
    done = subprocess.run(timed, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    # Progress and errors are on stderr, before time's report (its lines are indented).
    errors = [line for line in done.stderr.splitlines() if line.startswith("iro-etl:")
              or " FAILED " in line or ("failed" in line and not line.startswith("\t"))]
    steps = dict.fromkeys(CLI_STEPS, 0.0)
    for name, seconds in STEP_LINE.findall(done.stderr):
        steps[name] += float(seconds)
    return {"wall": wall, "rss_peak": int(peak[1]) / 2**10 if peak else None,
            "code": done.returncode, "errors": errors[-5:], "steps": steps}


def _tree_rss_mib(root: int) -> float:
    """The resident memory of process ``root`` and all its descendants (the daemon, its
    code server and the runs it starts), in MiB."""
    parents, rss = {}, {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue  # gone
        parents[int(proc.name)] = int(re.search(r"PPid:\s+(\d+)", status)[1])
        found = re.search(r"VmRSS:\s+(\d+)", status)
        rss[int(proc.name)] = int(found[1]) if found else 0

    def descends(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    return sum(kb for pid, kb in rss.items() if descends(pid)) / 2**10


@contextmanager
def dagster_storage(db: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The instance settings the daemon runs with, and what they read from the environment:
    with a PostgreSQL marts database, the production ones (deploy/dagster.yaml) on a new
    database of their own on that server, dropped afterwards; with SQLite, the CLI's."""
    url = sa.make_url(db)
    if url.get_backend_name() == "sqlite":
        yield INSTANCE_SETTINGS, {}
        return
    name = f"iro_bench_dagster_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        own = url.set(drivername="postgresql+psycopg2", database=name, query={})
        yield ((ROOT / "deploy" / "dagster.yaml").read_text(),
               {"DAGSTER_PG_URL": own.render_as_string(hide_password=False)})
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def daemon_run(config: Path, codes: list[str], url: str, work: Path, batch: int
               ) -> dict[str, dict]:
    """The nightly run as deployed, on the first night (as of AS_OF) and the later ones
    (LATER_NIGHTS), one after another on the same instance, marts and state: each night the
    schedule's runs (ranges of ``batch`` authorities) queued, and ``dagster-daemon`` taking
    them as the shipped instance settings say (two at a time, each in a process of its own;
    see dagster_storage). By night: wall seconds from its first run's start to its last
    one's end, the peak memory of the daemon and every process it started together, the
    runs that succeeded."""
    home = work / "daemon_home"
    for folder in (home, work / "daemon"):
        shutil.rmtree(folder, ignore_errors=True)
    home.mkdir(parents=True)
    with dagster_storage(url) as (settings, storage_env):
        # The shipped settings, with the export sensor's runs held in the queue: the
        # exports are all new to a fresh instance, and only the schedule's runs are measured.
        (home / "dagster.yaml").write_text(settings.replace(
            "  tag_concurrency_limits:\n", "  tag_concurrency_limits:\n    - key: iro/trigger\n"
            "      value: export_landed\n      limit: 0\n"))
        env = {**os.environ, **storage_env, "DAGSTER_HOME": str(home),
               "IRO_ETL_CONFIG": str(config), "IRO_ETL_DB_URL": url,
               "IRO_ETL_HOME": str(work / "daemon")}
        workspace = str(ROOT / "workspace.yaml")
        storage = "PostgreSQL" if storage_env else "SQLite"
        # The settings name their storage through the environment, this process's too.
        with environment(DAGSTER_HOME=str(home), **storage_env):
            with dg.DagsterInstance.get() as instance:
                instance.add_dynamic_partitions(authority_partitions.name, codes)
            return {night: {**_daemon_runs({**env, "IRO_ETL_AS_OF": night}, workspace, codes,
                                           batch, night), "storage": storage}
                    for night in (AS_OF, *LATER_NIGHTS)}


def _daemon_runs(env: dict[str, str], workspace: str, codes: list[str], batch: int,
                 night: str) -> dict:
    tags = {"iro/trigger": "benchmark", "iro/benchmark_night": night}
    with dg.DagsterInstance.get() as instance:
        runs = batches(codes, codes, batch)
        for run in runs:
            subprocess.run([sys.executable, "-m", "dagster", "job", "launch", "-w", workspace,
                            "-j", "nightly_load", "--tags",
                            json.dumps({**range_tags(run, "benchmark"), **tags})],
                           env=env, check=True, capture_output=True)
        peak = 0.0
        daemon = subprocess.Popen([sys.executable, "-m", "dagster._daemon", "run", "-w",
                                   workspace], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        done = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE,
                dg.DagsterRunStatus.CANCELED}
        ours = dg.RunsFilter(tags=tags)
        try:
            while not all(r.status in done for r in instance.get_runs(ours)):
                peak = max(peak, _tree_rss_mib(daemon.pid))
                time.sleep(1)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
            # The code server it started is in its session: it must not outlive it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(daemon.pid, signal.SIGKILL)
        stats = [instance.get_run_stats(r.run_id) for r in instance.get_runs(ours)]
        succeeded = sum(r.status == dg.DagsterRunStatus.SUCCESS
                        for r in instance.get_runs(ours))
    # From the first run's start to the last one's end: a deployment's daemon is running
    # already, so its own start (some seconds) is left out.
    wall = max(s.end_time for s in stats) - min(s.start_time for s in stats)
    return {"wall": wall, "rss_peak": peak, "runs": len(runs), "succeeded": succeeded}


def median_903(manifest: dict) -> dict:
    """The 903 authority of median size: the one-authority load."""
    returns = sorted((a for a in manifest["authorities"] if a["system"] == "ssda903"),
                     key=lambda a: a["children"])
    return returns[len(returns) // 2]


def sample_config(folder: Path, manifest: dict, every: int) -> tuple[Path, list[dict]]:
    """authorities.yaml for every ``every``-th authority (all of them when ``every`` is 1)."""
    chosen = manifest["authorities"][::every]
    if every == 1:
        return folder / "authorities.yaml", chosen
    configured = load_authorities(folder / "authorities.yaml")
    path = folder / f"authorities-every-{every}.yaml"
    write_authorities(path, [configured[a["code"]] for a in chosen])
    return path, chosen


def run_row(label: str, steps: dict[str, float], wall: float, peak: float | None,
            published: str) -> list[str]:
    return [label, *(f"{steps[s]:.1f}" if s in steps else "" for s in COLUMNS), f"{wall:.1f}",
            f"{peak:,.0f}" if peak else "-", published]


def run_national(folder: Path, manifest: dict, db: str, cli_every: int | None,
                 batch: int = BATCH) -> tuple[str, bool]:
    """Time the nightly run three ways (only through the core library when ``cli_every`` is
    None); the markdown and whether every authority published."""
    codes = {a["code"] for a in manifest["authorities"]}
    work = folder / "work"
    with fresh_database(db, "core") as url:
        core = in_fresh_process(core_run, folder / "authorities.yaml", url, batch)
        missing = codes - covered(url)
    print(f"core library: {core['wall']:.1f} s, peak {core['rss_peak']:,.0f} MiB", flush=True)
    stages = {"read": core["read"], "validate": core["validate"], "rules": core["marts"],
              "publish": core["publish"], "expect": core["expect"]}
    rows = [run_row(f"core library, {len(codes)} authorities, {batch} at a time", stages,
                    core["wall"], core["rss_peak"], f"{len(codes) - len(missing)}/{len(codes)}")]
    totals = pd.DataFrame(manifest["authorities"])[["looked_after", "reviews"]].sum()
    text = (f"{len(codes)} authorities, {totals['looked_after']:,} children looked after on "
            f"31 March, {totals['reviews']:,} reviews ({core['rows_in']:,.0f} rows in), "
            f"published to {sa.make_url(db).get_backend_name()}. Seconds per step summed over "
            f"the authorities, wall seconds for the whole run, peak resident memory of the "
            f"process.")
    columns = ["run", *COLUMNS, "wall", "peak MiB", "published"]
    by_system = ("\nThe core library's reading by system (seconds):\n\n"
                 f"{system_table(core['by_system'])}")
    if cli_every is None:
        return f"{text}\n\n{markdown(columns, rows)}{by_system}", not missing
    config, chosen = sample_config(folder, manifest, cli_every)
    sampled = {a["code"] for a in chosen}
    # A first night: nothing kept from an earlier benchmark (the expectation results of the
    # same marts would spare it Great Expectations).
    for kept in ("dagster_home", "state"):
        shutil.rmtree(work / kept, ignore_errors=True)
    with fresh_database(db, "cli") as url:
        cli = iro_etl(["run", "--config", str(config), "--db", url, "--as-of", AS_OF,
                       "--batch", str(batch)], work)
        missing_cli = sampled - covered(url)
    print(f"iro-etl run: {cli['wall']:.1f} s, exit {cli['code']}", *cli["errors"], sep="\n",
          flush=True)
    rows.append(run_row(f"`iro-etl run` (Dagster), {len(sampled)} authorities", cli["steps"],
                        cli["wall"], cli["rss_peak"],
                        f"{len(sampled) - len(missing_cli)}/{len(sampled)}"))
    if cli_every > 1:
        ratio = len(codes) / len(sampled)
        rows.append(run_row(f"`iro-etl run`, {len(codes)} authorities: **extrapolated** "
                            f"x{ratio:.1f}, not measured",
                            {k: v * ratio for k, v in cli["steps"].items()}, cli["wall"] * ratio,
                            None, ""))
    with fresh_database(db, "daemon") as url:
        nights = daemon_run(config, sorted(sampled), url, work, batch)
        missing_daemon = sampled - covered(url)
    first, later = nights[AS_OF], nights[LATER_NIGHTS[-1]]
    for night, daemon in nights.items():
        print(f"dagster-daemon, {night}: {daemon['wall']:.1f} s, "
              f"{daemon['succeeded']}/{daemon['runs']} runs succeeded", flush=True)
    rows.append(run_row(f"`dagster-daemon`, {len(sampled)} authorities in {first['runs']} "
                        f"runs, two at a time, Dagster's storage in {first['storage']}", {},
                        first["wall"], first["rss_peak"],
                        f"{len(sampled) - len(missing_daemon)}/{len(sampled)}"))
    rows.append(run_row(f"`dagster-daemon`, the same on a later night ({LATER_NIGHTS[-1]})", {},
                        later["wall"], later["rss_peak"],
                        f"{len(sampled) - len(missing_daemon)}/{len(sampled)}"))
    one = median_903(manifest)
    with fresh_database(db, "one") as url:
        single = iro_etl(["load", "--authority", one["code"], "--system", "ssda903", "--input",
                          str(folder / "exports" / one["code"]), "--db", url, "--as-of", AS_OF],
                         work)
        published_one = covered(url) == {one["code"]}
        # What a schedule runs on most nights, once the authority is loaded: the first
        # night of a new year adds its rows to every yearly mart (and a failure seen twice
        # is no longer new), so the night after it is the one timed.
        for as_of in LATER_NIGHTS:
            night = iro_etl(["load", "--authority", one["code"], "--system", "ssda903",
                             "--input", str(folder / "exports" / one["code"]), "--db", url,
                             "--as-of", as_of], work)
        published_night = night["code"] == 0 and covered(url) == {one["code"]}
    rows.append(run_row(f"`iro-etl load`, one authority ({one['looked_after']:,} looked after)",
                        single["steps"], single["wall"], single["rss_peak"],
                        "1/1" if published_one else "0/1"))
    rows.append(run_row(f"`iro-etl load`, the same authority on a later night "
                        f"({LATER_NIGHTS[-1]})", night["steps"], night["wall"],
                        night["rss_peak"], "1/1" if published_night else "0/1"))
    complete = (not missing and not missing_cli and cli["code"] == 0 and single["code"] == 0
                and published_one and published_night and not missing_daemon
                and all(n["succeeded"] == n["runs"] for n in nights.values()))
    sample = (f" `iro-etl run` loads every {cli_every}th authority ({len(sampled)}), extrapolated "
              f"by the number of authorities." if cli_every > 1 else "")
    return f"{text}{sample}\n\n{markdown(columns, rows)}{by_system}", complete


# --- dfe ------------------------------------------------------------------------------------

def dfe_return(cache: Path, children: int, seed: int) -> tuple[Path, dict]:
    """One 903 year (2013/14) with the errors both sides should find injected: its folder
    and manifest, written unless cached."""
    folder = cache / f"dfe-{children}-seed{seed}"
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        return folder / "return", json.loads(manifest_path.read_text())
    truth = generate(children, as_of=AS_OF, years=1, seed=seed)
    write_export("ssda903", truth, folder / "return")
    inject(folder / "return", np.random.default_rng(seed))
    manifest = {"children": children, "looked_after": looked_after(truth),
                "episodes": len(truth.episodes), "reviews": len(truth.reviews)}
    manifest_path.write_text(json.dumps(manifest))
    return folder / "return", manifest


def our_dfe_load(folder: Path, url: str) -> tuple[dict[str, float], pd.DataFrame]:
    """Our load of the return (its read and validate stages are the shared rules end to end)
    and the failures that carry a DfE code."""
    engine = make_engine(url)
    figures, failures = timed_load(Authority.ad_hoc("DFE", "ssda903", folder), engine, AS_OF,
                                   folder.with_name("data_docs"))
    engine.dispose()
    return {**figures, "rss_peak": peak_rss_mib()}, failures[failures["dfe_rule"].notna()]


def run_dfe(cache: Path, folder: Path, manifest: dict, db: str, every: bool
            ) -> tuple[str, bool]:
    """Both sides on the same return; the markdown and whether their findings are identical."""
    python = validator_python(cache / "dfe-venv")
    validator = run_validator(python, folder, every)
    with fresh_database(db, "dfe") as url:
        figures, failures = in_fresh_process(our_dfe_load, folder, url)
    found, expected = ours(failures), theirs(validator["flagged"])
    identical = found == expected
    seconds = validator["seconds"]
    theirs_shared = seconds["read"] + seconds["datastore"] + seconds["shared"]
    ours_shared = figures["read"] + figures["validate"]
    rows = [["DfE validator: the shared rules", f"{theirs_shared:.2f}",
             f"read {seconds['read']:.2f}, data store {seconds['datastore']:.2f}, "
             f"{len(SHARED)} rules {seconds['shared']:.2f}"],
            ["iro-etl: the shared rules (read and validate)", f"{ours_shared:.2f}",
             f"read {figures['read']:.2f}, validate {figures['validate']:.2f} "
             f"(every check of the load, not only the shared rules)"],
            ["iro-etl: the whole load", f"{figures['total']:.2f}",
             f"marts {figures['marts']:.2f}, publish {figures['publish']:.2f}; "
             f"peak {figures['rss_peak']:,.0f} MiB"]]
    theirs_all = theirs_shared - seconds["shared"] + seconds.get("all", 0.0)
    if every:
        rules = validator["rules"]
        rows.insert(1, ["DfE validator: all its rules", f"{theirs_all:.2f}",
                        f"{rules['all']} rules {seconds['all']:.2f} ({len(rules['failed_all'])} "
                        f"raised on this return)"])
    counts = markdown(["DfE code", "validator", "iro-etl", "same rows"],
                      [[code, f"{len(expected[code]):,}", f"{len(found[code]):,}",
                        "yes" if expected[code] == found[code] else "**no**"] for code in SHARED])
    text = (f"One 903 year (2013/14): {manifest['children']:,} children looked after during "
            f"it, {manifest['looked_after']:,} on 31 March, {manifest['episodes']:,} episodes "
            f"and {manifest['reviews']:,} reviews, with injected errors. Seconds, each side in "
            f"its own process, imports and interpreter start not counted:\n\n"
            + markdown(["work", "seconds", "of which"], rows)
            + "\nRatio of the validator's time to ours (read and validate): "
            + (f"all its rules {theirs_all / ours_shared:.1f}x (issue 14's target: 10x), "
               if every else "")
            + f"the shared rules {theirs_shared / ours_shared:.1f}x. "
            f"Findings (rows flagged per rule) identical: {'yes' if identical else '**no**'}.\n\n"
            + counts)
    return text, identical


# --- output ---------------------------------------------------------------------------------

def markdown(columns: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(columns) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|"]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)]) + "\n"


def machine(db: str) -> str:
    """This machine, its load and the versions measured, in one paragraph."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    versions = ", ".join(f"{name} {metadata.version(name)}"
                         for name in ("pandas", "numpy", "SQLAlchemy", "dagster"))
    server = ""
    if sa.make_url(db).get_backend_name() == "postgresql":
        engine = sa.create_engine(db)
        with engine.connect() as conn:
            server = ", PostgreSQL " + conn.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"Machine: {os.cpu_count()} cores (`nproc`), {cpu}, {memory / 2**20:.1f} GiB RAM; "
            f"Python {platform.python_version()}, {versions}{server}. Load average before the "
            f"run {load} (the cores are shared with other work).")


def write_docs(part: str, heading: str, body: str) -> None:
    """Replace this mode's part of the "National run" section of docs/benchmarks.md (made at
    the end of the file if missing); the rest of the file is left as it is."""
    doc = DOCS.read_text(encoding="utf-8")
    if "\n# National run\n" not in doc:
        doc = doc.rstrip("\n") + "\n\n" + INTRO
    begin, end = f"<!-- national:{part} -->", f"<!-- /national:{part} -->"
    block = f"{begin}\n## {heading}\n\n{body.strip()}\n{end}"
    if begin in doc:
        doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(doc, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["generate", "run", "dfe"])
    parser.add_argument("--authorities", type=int, default=AUTHORITIES)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of England's 85,000 looked-after children (e.g. 0.02)")
    parser.add_argument("--children", type=int,
                        help="children per authority (or in the 903 year), instead of --scale")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", default=DEFAULT_DB,
                        help="PostgreSQL URL (a schema is made per run and dropped), or a SQLite "
                             "file's URL (files are made beside it)")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help="where generated data is kept and reused (default .bench_cache)")
    parser.add_argument("--core-only", action="store_true",
                        help="run: only the core library's run, not the iro-etl commands")
    parser.add_argument("--batch", type=int, default=BATCH,
                        help="run: authorities in one pass of the core library and in one "
                             "Dagster run")
    parser.add_argument("--cli-every", type=int, default=1,
                        help="run: `iro-etl run` loads only every n-th authority (extrapolated)")
    parser.add_argument("--validator-shared-only", action="store_true",
                        help="dfe: run only the shared rules on the validator's side")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    dated = f"Measured {date.today().isoformat()}"
    where = machine(args.db)
    if args.mode == "dfe":
        children = args.children or round(LOOKED_AFTER * args.scale / SHARE_ONE_YEAR)
        folder, manifest = dfe_return(args.cache, children, args.seed)
        text, ok = run_dfe(args.cache, folder, manifest, args.db, not args.validator_shared_only)
        heading = "Against the DfE's 903 validator"
    else:
        folder, manifest = generate_national(args.cache, args.authorities, args.scale,
                                             args.children, args.seed)
        if args.mode == "generate":
            text, ok, heading = generate_table(manifest), True, "The national dataset"
        else:
            text, ok = run_national(folder, manifest, args.db,
                                    None if args.core_only else args.cli_every, args.batch)
            heading = "The nightly run"
    scale = "" if args.children or args.scale == 1 else f" at scale {args.scale:g}"
    text = f"{dated}{scale}. {where}\n\n{text}"
    print(text)
    if args.write_docs:
        write_docs(args.mode, heading, text)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
