"""The pseudonymisation key: made once, 0600 from its first byte, never empty."""

import hashlib
import hmac
import stat
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from iro_etl.marts.pseudonym import KEY_ENV, load_key, pseudonymise


def test_key_is_made_once_private_and_shared_by_concurrent_first_runs(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: load_key(tmp_path / "state"), range(16)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    path = tmp_path / "state" / "pseudonym.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["pseudonym.key"]  # no drafts left


def test_an_empty_key_variable_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "  ")
    with pytest.raises(ValueError, match="set but empty"):
        load_key(tmp_path)


def test_pseudonyms_depend_on_key_and_authority():
    ids = pd.Series(["1", "2", "1", None])
    a = pseudonymise(ids, "LA1", b"k1")
    assert a[0] == a[2] and a[0] != a[1] and pd.isna(a[3])
    assert pseudonymise(ids, "LA2", b"k1")[0] != a[0]
    assert pseudonymise(ids, "LA1", b"k2")[0] != a[0]


def test_a_pseudonym_is_the_keyed_hash_of_authority_and_id():
    """The published pseudonym is HMAC-SHA256 over "<authority>:<id>", its first 16 hex
    characters: computed here with hashlib alone, as an analyst holding the key would."""
    ids = pd.Series(["A123", "7", "A123", "7"])
    by_hand = {i: hmac.new(b"secret", f"LA9:{i}".encode(), hashlib.sha256).hexdigest()[:16]
               for i in ("A123", "7")}
    assert pseudonymise(ids, "LA9", b"secret").tolist() == [by_hand[i] for i in ids]
