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


def number(description: str, *, required: bool = False, checks=None) -> pa.Column:
    return pa.Column(float, nullable=not required, checks=checks, description=description)
