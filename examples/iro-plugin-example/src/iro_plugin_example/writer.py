"""A synthetic export for the example plugin's tests, registered under ``iro_testdata.writers``.

Kept apart from the plugin so that installing the plugin installs no test-data code path
that production would run; the test-data distribution finds it through its entry point.
"""

from pathlib import Path

import pandas as pd

from iro_plugin_example.plugin import FILE


def write(truth, dest: Path, options=None) -> list[Path]:
    """One row per child with its latest review, as the example system's export holds it."""
    last = truth.reviews.sort_values("review_date").groupby("child_id").tail(1)
    frame = truth.children.merge(last, on="child_id")
    out = pd.DataFrame({"Child": frame["child_id"], "Sex": frame["sex"],
                        "Born": frame["dob"].dt.strftime("%d/%m/%Y"),
                        "Last review": frame["review_date"].dt.strftime("%d/%m/%Y")})
    dest.mkdir(parents=True, exist_ok=True)
    out.to_csv(dest / FILE, index=False)
    return [dest / FILE]
