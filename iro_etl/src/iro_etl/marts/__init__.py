"""Marts: the rules' output shaped and checked against the contract, pseudonymised, published.

- :mod:`~iro_etl.marts.build`: every mart of one load, each checked once against its contract
  (a mart that breaks it is held back while the others publish).
- :mod:`~iro_etl.marts.pseudonym`: keyed pseudonyms for children in the shared marts.
- :mod:`~iro_etl.marts.publish`: one transaction per authority through SQLAlchemy.
"""
