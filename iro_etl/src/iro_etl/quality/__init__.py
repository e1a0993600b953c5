"""Quality: validation against the contract, failure records, and failures tracked load to load.

- :mod:`~iro_etl.quality.validation`: canonical text -> typed clean tables, quarantine, failures.
- :mod:`~iro_etl.quality.failures`: one failure record per problem, in words a person can act on.
- :mod:`~iro_etl.quality.history`: new, open, resolved and accepted failures between loads.
"""
