"""Reports for people: workbooks built from the published marts (so any can be rebuilt
without a load), and the expectations on a load's marts with their Data Docs.

- :mod:`~iro_etl.reports.annual_report`: the IRO annual report workbook.
- :mod:`~iro_etl.reports.failures_workbook`: the quality officers' failures workbook.
- :mod:`~iro_etl.reports.expectations` and :mod:`~iro_etl.reports.data_docs`: Great
  Expectations suites from the contract, run on a load's marts in memory, and Data Docs
  that open offline; :mod:`~iro_etl.reports.expectation_runs` keeps each mart's last result
  so only the marts that changed are validated again.
- :mod:`~iro_etl.reports.latest`: each of them for an authority's latest load.
- :mod:`~iro_etl.reports.code_version`: the code behind a kept result, for its fingerprint.
"""
