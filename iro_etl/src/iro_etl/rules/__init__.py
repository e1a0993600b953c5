"""Rules: the statutory calculations on clean tables, vectorised, with no I/O.

- :mod:`~iro_etl.rules.calendar`: working days and calendar months.
- :mod:`~iro_etl.rules.frames`: shared frame helpers (a table with every contract column, ages).
- :mod:`~iro_etl.rules.periods`: periods of care (episodes chained by REC X1).
- :mod:`~iro_etl.rules.timeliness`: review cycles, due dates, on time, overdue.
- :mod:`~iro_etl.rules.yearly`: the population at 31 March and reviews within timescales.
- :mod:`~iro_etl.rules.flags`: the IRO manager's daily flags.
- :mod:`~iro_etl.rules.indicators`: the yearly indicators of the annual report.
"""
