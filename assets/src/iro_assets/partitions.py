"""Assets are partitioned by authority; partitions are added as authorities are configured or loaded.

A run loads one partition, or a range of them: Dagster keeps dynamic partitions in the
order they were added, and a range is every partition from its first to its last in
that order. :func:`batches` cuts the authorities to load into such ranges.
"""

import warnings
from collections.abc import Iterable, Mapping, Sequence

import dagster as dg

# Checks are evaluated per authority (partitioned check specs, in preview in Dagster 1.13)
# and backfills batched (a beta parameter): the warnings would be printed wherever the code
# location loads, to no one who can act on them.
warnings.filterwarnings("ignore", category=dg.PreviewWarning,
                        message="Specifying a partitions_def on an AssetCheckSpec")
warnings.filterwarnings("ignore", category=dg.BetaWarning,
                        message="Parameter `backfill_policy`")

authority_partitions = dg.DynamicPartitionsDefinition(name="authority")

PARTITION_TAG = "dagster/partition"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
#: Authorities per run: at about 50 MB of memory per authority of average size, 25 keep a
#: run near 1.3 GB (all 150 of England's in one run would take 5 GB, see docs/benchmarks.md).
BATCH = 25
#: A backfill started in Dagster's UI runs the same batches: up to BATCH partitions a run.
BACKFILL = dg.BackfillPolicy.multi_run(BATCH)


def _trigger(trigger: str) -> dict[str, str]:
    return {"iro/trigger": trigger.replace(" ", "_")}


def authority_tags(code: str, trigger: str) -> dict[str, str]:
    """Tags of an authority's run, to filter runs by authority and by what started them in
    Dagster's run list (the partition tag alone is not offered as a filter everywhere)."""
    return {"iro/authority": code, **_trigger(trigger)}


def range_tags(codes: Sequence[str], trigger: str) -> dict[str, str]:
    """Tags of a run over ``codes`` (a range of partitions, first to last)."""
    if len(codes) == 1:
        return {PARTITION_TAG: codes[0], **authority_tags(codes[0], trigger)}
    return {RANGE_START: codes[0], RANGE_END: codes[-1], "iro/authorities": str(len(codes)),
            **_trigger(trigger)}


def batches(known: Sequence[str], wanted: Iterable[str], size: int = BATCH) -> list[list[str]]:
    """``wanted`` cut into runs of at most ``size`` authorities, each a range of ``known``
    (the partitions in Dagster's order) that holds no partition that is not wanted."""
    wanted = set(wanted)
    if missing := wanted - set(known):
        raise ValueError(f"not partitions yet: {', '.join(sorted(missing))}")
    runs: list[list[str]] = []
    current: list[str] = []
    for code in known:
        if code not in wanted or len(current) == size:
            if current:
                runs.append(current)
            current = []
        if code in wanted:
            current.append(code)
    if current:
        runs.append(current)
    return runs


def run_partitions(instance: dg.DagsterInstance, tags: Mapping[str, str]) -> list[str]:
    """The authorities a run loads, from its tags."""
    if PARTITION_TAG in tags:
        return [tags[PARTITION_TAG]]
    if RANGE_START not in tags:
        return []
    known = list(instance.get_dynamic_partitions(authority_partitions.name))
    start, end = known.index(tags[RANGE_START]), known.index(tags[RANGE_END])
    return known[start:end + 1]
