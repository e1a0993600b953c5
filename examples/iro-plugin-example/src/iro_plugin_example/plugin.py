"""A made-up system that exports one file, ``looked_after.csv``: a child per row with one review.

Small on purpose: it shows the whole contract (recognise, read with lineage,
column names, a synthetic exporter) and is picked up through its entry point
with no change to iro-etl.
"""

from pathlib import Path

import pandas as pd
from iro_etl.failures import FILE_LEVEL, Failure
from iro_etl.plugin import SourceData, SourcePlugin
from iro_etl.readers import TableSpec, csv_header, find_header, read_csv_table

FILE = "looked_after.csv"
CHILDREN = TableSpec("children", {"child_id": ("Child",), "sex": ("Sex",), "dob": ("Born",)},
                     required=("child_id", "sex", "dob"))
REVIEWS = TableSpec("reviews", {"child_id": ("Child",), "review_date": ("Last review",)},
                    required=("child_id", "review_date"))


class ExamplePlugin(SourcePlugin):
    name = "example"
    description = "Example system: one looked_after.csv (children and their last review)"

    def recognise(self, path: Path | str) -> bool:
        file = Path(path) / FILE if Path(path).is_dir() else Path(path)
        _, mapping = find_header(csv_header(file), CHILDREN)
        return file.name == FILE and set(CHILDREN.required) <= set(mapping.values())

    def read(self, path: Path | str) -> SourceData:
        file = Path(path) / FILE if Path(path).is_dir() else Path(path)
        if not file.is_file():
            return SourceData(self.name, {}, [Failure(FILE_LEVEL, file.name, "unreadable_file",
                                                      value="no such file")])
        # The same rows feed two canonical tables; each keeps the file's row numbers.
        children, failures = read_csv_table(file, CHILDREN)
        reviews, _ = read_csv_table(file, REVIEWS)
        return SourceData(self.name, {"children": children, "reviews": reviews}, failures, [file])

    def column_names(self) -> dict[str, dict[str, str]]:
        return {spec.table: {col: names[0] for col, names in spec.columns.items()}
                for spec in (CHILDREN, REVIEWS)}

    def write_synthetic(self, truth, dest: Path) -> list[Path]:
        last = truth.reviews.sort_values("review_date").groupby("child_id").tail(1)
        frame = truth.children.merge(last, on="child_id")
        out = pd.DataFrame({"Child": frame["child_id"], "Sex": frame["sex"],
                            "Born": frame["dob"].dt.strftime("%d/%m/%Y"),
                            "Last review": frame["review_date"].dt.strftime("%d/%m/%Y")})
        dest.mkdir(parents=True, exist_ok=True)
        out.to_csv(dest / FILE, index=False)
        return [dest / FILE]
