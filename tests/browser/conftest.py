"""Fixtures for the browser tests: Debian's Chromium, one loaded authority, and Dagster's webserver.

Playwright drives the Chromium that Debian packages, never a browser of its own:
``playwright install`` downloads from a CDN, and CI machines reach nothing but
package registries. When no Debian Chromium is on the machine, the ``chromium_path``
fixture installs it with apt-get (the project's own setup step; CI runs as root
on a fresh machine). If it still has none, the browser tests fail in CI and are
skipped elsewhere.

The data are one synthetic SSDA903 authority with a few defects, loaded by the
same in-process job the CLI runs, into a Dagster instance in a temporary
DAGSTER_HOME: so the UI has a materialised run with passing and failing asset
checks, and ``published_marts`` has run the suites and written the offline Data Docs.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from debian import apt_binary, unavailable
from iro_cli.runner import INSTANCE_SETTINGS, dagster_instance, environment, run_authority
from iro_etl.config import Authority, write_authorities
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
#: The full browser first (what apt-get installs), else the headless shell some images carry.
CHROMIUM_BINARIES = (Path("/usr/bin/chromium"), Path("/usr/bin/chromium-headless-shell"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox",  # as root, Chromium refuses to start with its sandbox
    "--disable-gpu", "--no-first-run",
    # Chromium otherwise phones home (updates, sync, QUIC probes) into a network that drops it all.
    "--disable-quic", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
    # A container's /dev/shm is often 64 MB, too little for Chromium's shared memory: use /tmp.
    "--disable-dev-shm-usage",
    # Pages come from 127.0.0.1 and file://: an http_proxy in the environment must not apply.
    "--no-proxy-server",
]
STARTUP_TIMEOUT = 90  # dagster-webserver, including loading the code location
STOP_TIMEOUT = 20
UI_TIMEOUT_MS = 20_000  # any one wait in a page: generous, and still bounded

AUTHORITY = "BROWSER"
AS_OF = "2014-03-31"


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium, installed with apt-get if it is missing."""
    return apt_binary("chromium", CHROMIUM_BINARIES)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_path: Path) -> Iterator[Browser]:
    """One headless Chromium for the session; Playwright gives it a fresh, temporary profile."""
    try:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), headless=True,
                                             args=CHROMIUM_ARGS, timeout=30_000)
    except Exception as exc:  # Playwright raises its own Error; any reason means no browser
        unavailable(f"{chromium_path} would not start under Playwright: {exc}")
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new page in its own context, so no test sees another's storage or state."""
    # Light scheme pinned: the tests read one of Dagster's colours (see test_dagster_ui).
    context = browser.new_context(viewport={"width": 1600, "height": 1200}, locale="en-GB",
                                  timezone_id="Europe/London", color_scheme="light")
    context.set_default_timeout(UI_TIMEOUT_MS)
    context.set_default_navigation_timeout(UI_TIMEOUT_MS)
    expect.set_options(timeout=UI_TIMEOUT_MS)  # assertions wait as long as actions, not 5 s
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def shoot(tmp_path_factory) -> Callable[..., Path]:
    """Save a screenshot under the session's tmp folder, and to $IRO_ETL_SCREENSHOTS if it is set."""
    folder = tmp_path_factory.mktemp("screenshots")
    extra = os.environ.get("IRO_ETL_SCREENSHOTS")

    def take(page: Page, name: str, *, full_page: bool = False) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=full_page)
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, Path(extra) / path.name)
        return path

    return take


# --- the data ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Deployment:
    """A deployment in a tmp folder: one authority's export and config, and a Dagster instance."""

    root: Path
    env: dict[str, str]  # what the load and dagster-webserver need to share instance and settings


@dataclass(frozen=True)
class Loaded:
    """One authority loaded into the instance, and what the UI and Data Docs should show."""

    authority: str  # the code loaded, and so the partition and the Data Docs' run name
    run_id: str
    validated_checks: dict[str, bool]  # validated_tables' check -> passed
    check_counts: dict[str, dict[str, int]]  # validated_tables' check -> its whole-number metadata
    suites: dict[str, dict]  # mart -> {"passed": bool, "evaluated": int}, from published_marts
    data_docs: Path  # the site's index.html


@pytest.fixture(scope="session")
def deployment(tmp_path_factory) -> Deployment:
    root = tmp_path_factory.mktemp("iro")
    export = root / "export"
    export.mkdir()
    # Small, and with defects, so the checks page shows both passed and failed checks quickly.
    truth = generate(150, as_of=pd.Timestamp(AS_OF), seed=11, defect_rate=0.03)
    write_export("ssda903", truth, export)
    config = root / "authorities.yaml"
    write_authorities(config, [Authority(AUTHORITY, "Browser test LA", "ssda903", export)])
    home = root / "dagster_home"
    home.mkdir()
    # nux off: otherwise the UI greets 127.0.0.1 with a newsletter dialog over the page.
    (home / "dagster.yaml").write_text(INSTANCE_SETTINGS)
    env = {
        "DAGSTER_HOME": str(home),
        "IRO_ETL_HOME": str(root / "state"),
        "IRO_ETL_CONFIG": str(config),
        "IRO_ETL_DB_URL": f"sqlite:///{root / 'marts.db'}",
        "IRO_ETL_AS_OF": AS_OF,
    }
    # The instance's storage is made here, once, before the webserver and the load both open it.
    with environment(**env):
        dagster_instance().dispose()
    return Deployment(root, env)


def _check_evaluations(instance: dg.DagsterInstance, run_id: str) -> list[dg.AssetCheckEvaluation]:
    logs = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    return [entry.dagster_event.event_specific_data for entry in logs]


@pytest.fixture(scope="session")
def loaded(deployment: Deployment) -> Loaded:
    """Load the authority through the nightly job, in this process, as ``iro-etl run`` does."""
    # environment() restores the variables afterwards, so the rest of the suite is unaffected.
    with environment(**deployment.env):
        instance = dagster_instance()
        try:
            outcome = run_authority(instance, AUTHORITY)
            assert outcome.success, f"the load failed: {outcome.error}"
            evaluations = _check_evaluations(instance, outcome.run_id)
        finally:
            instance.dispose()
    validated = {e.check_name: e.passed for e in evaluations
                 if e.asset_key.to_user_string() == "validated_tables"}
    counts = {e.check_name: {key: value.value for key, value in e.metadata.items()
                             if isinstance(value.value, int)}
              for e in evaluations if e.asset_key.to_user_string() == "validated_tables"}
    suites = {e.check_name.removesuffix("_expectations"):
              {"passed": e.passed, "evaluated": e.metadata["evaluated"].value}
              for e in evaluations if e.check_name.endswith("_expectations")}
    # Each suite is a check on its own mart.
    assert all(e.asset_key.to_user_string() == e.check_name.removesuffix("_expectations")
               for e in evaluations if e.check_name.endswith("_expectations"))
    index = deployment.root / "state" / "data_docs" / "site" / "index.html"
    assert index.is_file(), "published_marts wrote no Data Docs"
    return Loaded(AUTHORITY, outcome.run_id, validated, counts, suites, index)


# --- the webserver ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Webserver:
    process: subprocess.Popen
    url: str
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def _wait_until_up(server: Webserver) -> None:
    # Straight to 127.0.0.1: an http_proxy in the environment would otherwise be asked for it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"dagster-webserver exited ({server.process.returncode}):\n{_tail(server.log)}",
                        pytrace=False)
        try:
            with opener.open(f"{server.url}/server_info", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass  # not listening yet
        time.sleep(0.25)  # polling a socket, not waiting on a page
    pytest.fail(f"dagster-webserver did not answer within {STARTUP_TIMEOUT} s:\n{_tail(server.log)}",
                pytrace=False)


def _stop(process: subprocess.Popen) -> None:
    """Ctrl-C, as a person would stop it; then kill its process group if anything lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT)
    # The group is the webserver's own (start_new_session): its code server must not outlive it.
    with contextlib.suppress(ProcessLookupError):  # nothing left: the usual case
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="session")
def webserver(deployment: Deployment, tmp_path_factory) -> Iterator[Webserver]:
    """dagster-webserver on a free port, started (not yet waited for) over the deployment.

    The webserver alone, not ``dagster dev``: it shows the same runs and checks from the same
    DAGSTER_HOME, and starts sooner without the daemon, which nothing here needs.
    """
    port = _free_port()
    log = tmp_path_factory.mktemp("webserver") / "dagster-webserver.log"
    command = [sys.executable, "-m", "dagster_webserver", "-w", "workspace.yaml",
               "-h", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **deployment.env}, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        yield Webserver(process, f"http://127.0.0.1:{port}", log)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def dagster_url(webserver: Webserver, loaded: Loaded) -> str:
    """The UI's address, once the load is done and the webserver answers.

    ``webserver`` comes first, so it starts up while the load runs here: the two take about
    as long as each other, and neither waits for the other.
    """
    _wait_until_up(webserver)
    return webserver.url
