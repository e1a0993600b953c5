"""Debian packages some tests drive (Chromium, LibreOffice), installed with apt-get when
missing: the project's own setup step, as the machines here have only the package
registries. CI runs as root; elsewhere a missing package is a skip, in CI a failure."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

APT_TIMEOUT = 600  # apt-get update + install on a fresh machine, downloads included


def unavailable(reason: str) -> None:
    """A tool missing: a failure in CI, where the tests must run; a skip on a developer's
    machine."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"needed in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _installed(binaries: tuple[Path, ...]) -> Path | None:
    return next((path for path in binaries if os.access(path, os.X_OK)), None)


def apt_binary(package: str, binaries: tuple[Path, ...]) -> Path:
    """The first of ``binaries`` there is, apt-get installing ``package`` if none is."""
    path = _installed(binaries)
    if path is not None:
        return path
    problem = _apt_install(package)
    path = _installed(binaries)
    if path is None:
        unavailable(problem or f"apt-get installed {package}, yet there is no {binaries[0]}")
    return path


def _apt_install(package: str) -> str | None:
    """Install a Debian package; returns why it could not, or None."""
    if os.geteuid() != 0:
        return f"no {package}, and not root to apt-get install it"
    if shutil.which("apt-get") is None:
        return f"no {package}, and no apt-get to install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", package]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True,
                                  timeout=APT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return f"{' '.join(command)} took more than {APT_TIMEOUT} s"
        if done.returncode != 0:
            return f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-1000:]}"
    return None
