"""Reports for people, built from the published marts so any can be rebuilt without a load.

- :mod:`~iro_etl.reports.annual_report`: the IRO annual report workbook.
- :mod:`~iro_etl.reports.failures_workbook`: the quality officers' failures workbook.
- :mod:`~iro_etl.reports.expectations` and :mod:`~iro_etl.reports.data_docs`: Great
  Expectations suites from the contract, and Data Docs that open offline.
- :mod:`~iro_etl.reports.latest`: each of them for an authority's latest load.
"""
