"""Assets are partitioned by authority; partitions are added as authorities are configured or loaded."""

import dagster as dg

authority_partitions = dg.DynamicPartitionsDefinition(name="authority")
