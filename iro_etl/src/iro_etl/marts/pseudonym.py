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
    """The key from $IRO_ETL_PSEUDONYM_KEY, else from (or newly made in) the state folder.

    A new key file is written whole under another name, then linked into place, so it is
    0600 from its first byte and two first runs at once agree on one key.
    """
    if KEY_ENV in os.environ:
        value = os.environ[KEY_ENV].strip()
        if not value:
            raise ValueError(f"{KEY_ENV} is set but empty: give the key, or unset it to use "
                             f"{state_dir / 'pseudonym.key'}")
        return value.encode()
    path = state_dir / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_name(f".pseudonym.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another run made it first: use theirs
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


def pseudonymise(ids: pd.Series, authority: str, key: bytes) -> pd.Series:
    """16 hex characters per id; each distinct id is hashed once."""
    # The HMAC of the authority's prefix is computed once; each id continues a copy of it.
    prefix = hmac.new(key, f"{authority}:".encode(), hashlib.sha256)
    digests = {}
    for child in ids.dropna().unique():
        digest = prefix.copy()
        digest.update(f"{child}".encode())
        digests[child] = digest.hexdigest()[:16]
    return ids.map(digests)
