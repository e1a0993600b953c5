"""iro-testdata: synthetic ground truth, the systems' synthetic exports and the seed scenarios.

A development-only distribution: the demo, the tests and the benchmarks use it; a
production install of iro-etl, iro-assets and a plugin runs loads without it.

- :mod:`iro_testdata.synthetic` (and :mod:`~iro_testdata.synthetic_iro`): the ground truth
  and its injected defects, with a ledger.
- :mod:`iro_testdata.writers`: each system's export written from a ground truth.
- :mod:`iro_testdata.seed_builders`, :mod:`~iro_testdata.seed_scenarios` and the
  ``scenario_*`` modules: the two seed reports' authorities, placed figure by figure.
"""
