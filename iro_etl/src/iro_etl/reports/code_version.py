"""What draws a report or judges a mart: its modules' source and its libraries' versions.

A result kept from an earlier night (a mart's expectation result, an annual report on disk)
stands only while the code that made it is the same: these bytes go into its fingerprint.
"""

from functools import cache
from importlib.metadata import version
from importlib.resources import files


@cache
def code_version(modules: tuple[str, ...], distributions: tuple[str, ...]) -> bytes:
    """The source of ``modules`` (files of this package) and the versions of
    ``distributions``, as bytes to hash."""
    package = files("iro_etl.reports")
    sources = b"".join((package / module).read_bytes() for module in modules)
    return sources + " ".join(version(d) for d in distributions).encode()
