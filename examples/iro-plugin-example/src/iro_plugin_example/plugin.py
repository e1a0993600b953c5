"""A made-up system that exports one file, ``looked_after.csv``: a child per row with one review.

Small on purpose: it shows the whole contract (recognise, read with lineage,
column names) and is picked up through its entry point; its synthetic export for tests
lives in writer.py, under the test data's own entry-point group. No change to iro-etl.
"""

from pathlib import Path

from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.readers import TableSpec, csv_header, find_header, read_csv_table

FILE = "looked_after.csv"
CHILDREN = TableSpec("children", {"child_id": ("Child",), "sex": ("Sex",), "dob": ("Born",)},
                     required=("child_id", "sex", "dob"))
REVIEWS = TableSpec("reviews", {"child_id": ("Child",), "review_date": ("Last review",)},
                    required=("child_id", "review_date"))


class ExamplePlugin(SourcePlugin):
    name = "example"
    description = "Example system: one looked_after.csv (children and their last review)"
    # No episodes in this system: a load is complete with these two.
    required_tables = ("children", "reviews")

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
