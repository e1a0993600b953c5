"""Column builders shared by the contract's schemas."""

import pandera.pandas as pa

from iro_schemas.checks import plausible_date


def text(description: str, *, required: bool = False, checks=None) -> pa.Column:
    return pa.Column(str, nullable=not required, checks=checks, description=description)


def date(description: str, *, required: bool = False) -> pa.Column:
    return pa.Column(
        pa.DateTime, nullable=not required, checks=[plausible_date()], description=description
    )


def flag(description: str) -> pa.Column:
    """Yes/no answers; exports write them as Y/N, Yes/No, True/False or 1/0."""
    return pa.Column("boolean", nullable=True, description=description)


def number(description: str, *, required: bool = False, expected: bool = False,
           checks=None) -> pa.Column:
    """``expected``: not required (the row is kept without it), but a blank is worth a
    warning, since figures that need it leave the row out."""
    return pa.Column(float, nullable=not required, checks=checks, description=description,
                     metadata={"expected": True} if expected else None)


# --- published marts ---------------------------------------------------------------------------

def mart_column(dtype, description: str, *, nullable: bool = False, checks=None) -> pa.Column:
    """A described column of a published mart."""
    return pa.Column(dtype, nullable=nullable, checks=checks, description=description)


def mart_date(description: str, *, nullable: bool = False) -> pa.Column:
    return mart_column(pa.DateTime, description, nullable=nullable)


AUTHORITY = mart_column(str, "Authority code, as configured in authorities.yaml.")
CHILD = mart_column(str, "Pseudonymised child identifier (keyed hash; stable across loads).")
LOAD_ID = mart_column(str, "Identifier of the load that produced the row (hash of its inputs).")
YEAR_ENDING = mart_column(int, "Year of the 31 March the statistic is taken at (2012 = 2011/12).")
COUNT = mart_column(int, "Number of children.", checks=[pa.Check.ge(0)])
