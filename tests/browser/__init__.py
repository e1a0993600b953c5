"""Browser tests (a package so that pytest imports this folder's conftest as ``browser.conftest``).

Without it, this conftest would be imported under the bare name ``conftest`` and take
that name over from ``tests/conftest.py``, whose ``AS_OF`` other test modules import.
"""
