"""A process that loads the code location ends without the last sweep of its objects, and
what it writes at exit is still written."""

import subprocess
import sys

SCRIPT = """
import gc, logging, sys
if sys.argv[1] == "location":
    import iro_assets.definitions

class Cycle:
    def __del__(self):
        print("swept")

cycle = Cycle()
cycle.me = cycle
del cycle
gc.disable()  # only the collections at exit may find it
logging.basicConfig(filename=sys.argv[2], level=logging.INFO)
logging.info("written at exit")
"""


def _run(tmp_path, mode: str) -> tuple[subprocess.CompletedProcess, str]:
    log = tmp_path / f"{mode}.log"
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(log)], capture_output=True,
                          text=True, check=False, timeout=120)
    return done, log.read_text(encoding="utf-8")


def test_the_code_location_ends_its_process_without_sweeping_it(tmp_path):
    # Without the code location, Python's last collections find the cycle as it exits.
    plain, plain_log = _run(tmp_path, "plain")
    assert plain.returncode == 0 and plain.stdout.split() == ["swept"]
    located, log = _run(tmp_path, "location")
    assert located.returncode == 0, located.stderr
    assert located.stdout.split() == []
    assert "written at exit" in log and "written at exit" in plain_log
