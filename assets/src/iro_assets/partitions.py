"""Assets are partitioned by authority; partitions are added as authorities are configured or loaded."""

import dagster as dg

authority_partitions = dg.DynamicPartitionsDefinition(name="authority")


def authority_tags(code: str, trigger: str) -> dict[str, str]:
    """Tags of an authority's run, to filter runs by authority and by what started them in
    Dagster's run list (the partition tag alone is not offered as a filter everywhere)."""
    return {"iro/authority": code, "iro/trigger": trigger.replace(" ", "_")}
