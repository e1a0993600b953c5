"""Keyed pseudonyms for children in the shared marts.

An HMAC-SHA256 of the authority code and the child's own identifier under a
deployment secret: stable across loads (so trends join up), not reversible
without the key, and different for the same id in two authorities.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

KEY_ENV = "IRO_ETL_PSEUDONYM_KEY"


def load_key(state_dir: Path) -> bytes:
    """The key from $IRO_ETL_PSEUDONYM_KEY, else from (or newly made in) the state folder."""
    if value := os.environ.get(KEY_ENV):
        return value.encode()
    path = state_dir / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def pseudonymise(ids: pd.Series, authority: str, key: bytes) -> pd.Series:
    """16 hex characters per id; each distinct id is hashed once."""
    unique = ids.dropna().unique()
    digests = {
        child: hmac.new(key, f"{authority}:{child}".encode(), hashlib.sha256).hexdigest()[:16]
        for child in unique
    }
    return ids.map(digests)
