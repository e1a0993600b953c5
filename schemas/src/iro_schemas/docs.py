"""The contract as Markdown: ``python -m iro_schemas.docs > docs/contract.md`` regenerates it."""

import pandera.pandas as pa

from iro_schemas.canonical import CANONICAL_MODELS, DERIVED_MODELS
from iro_schemas.marts import MART_KEYS, MART_MODELS, RESTRICTED_MARTS, STATE_MODELS
from iro_schemas.rules import DFE_CODES, RULES, how_to_fix

_TYPE_NAMES = {"string[python]": "text", "str": "text", "int64": "integer", "Int64": "integer",
               "float64": "number", "boolean": "true/false", "bool": "true/false"}


def _table(schema: pa.DataFrameSchema) -> list[str]:
    lines = [f"### `{schema.name}`", "", schema.description or "", ""]
    if schema.name in MART_KEYS:
        grain = ", ".join(f"`{c}`" for c in ("authority", *MART_KEYS[schema.name]))
        access = "restricted" if schema.name in RESTRICTED_MARTS else "shared (pseudonymised)"
        lines += [f"Grain (unique, and a unique index): {grain}. Access: {access}.", ""]
    lines += ["| column | type | blank allowed | meaning |", "|---|---|---|---|"]
    for name, column in schema.columns.items():
        dtype = str(column.dtype)
        dtype = "date" if dtype.startswith("datetime") else _TYPE_NAMES.get(dtype, dtype)
        lines.append(f"| `{name}` | {dtype} | {'yes' if column.nullable else 'no'} | "
                     f"{column.description or ''} |")
    return [*lines, ""]


def contract_markdown() -> str:
    lines = ["# The data contract", "",
             "Generated from the pandera schemas in `schemas/` "
             "(`uv run python -m iro_schemas.docs > docs/contract.md`); a test keeps it current.",
             "", "## Published marts", ""]
    for schema in MART_MODELS.values():
        lines += _table(schema)
    lines += ["## Tables kept across loads", "",
              "Not replaced by a load: people write the first, every load appends to the second.",
              ""]
    for schema in STATE_MODELS.values():
        lines += _table(schema)
    lines += ["## Canonical tables (what source plugins fill)", "",
              "Every canonical table also carries lineage: `_source_file`, `_sheet`, `_row` "
              "(the row number as Excel shows it).", ""]
    for schema in CANONICAL_MODELS.values():
        lines += _table(schema)
    lines += ["## Derived tables", ""]
    for schema in DERIVED_MODELS.values():
        lines += _table(schema)
    lines += ["## Validation rules", "",
              "Each rule's consequence is what a failure costs: `quarantine`, the row is set "
              "aside whole; `blank`, the field is left blank and the row kept, because the "
              "rules can still use it; `keep`, the row is kept as it is; `hold`, the export as "
              "a whole is broken: the load publishes its failures and load summary only "
              "(status `held`) and every other mart keeps the last published load. The "
              "consequence is a column of every failure record and of the failures workbook.",
              "",
              "| rule | severity | consequence | message | how to fix |", "|---|---|---|---|---|"]
    lines += [f"| `{r.id}` | {r.severity} | {r.consequence} | {r.message} | {how_to_fix(r.id)} |"
              for r in RULES.values()]
    lines += ["", "## The DfE validator's codes", "",
              "A failure that is the same finding as a rule of the DfE's 903 validator "
              "(csc-validator-be-903) carries its code in `dfe_rule`; `tests/dfe` runs the "
              "validator on the same generated return and finds the same rows.", "",
              "| table | column | rule | DfE code |", "|---|---|---|---|"]
    lines += [f"| {table} | {column} | `{rule}` | {code} |"
              for (table, column, rule), code in DFE_CODES.items()]
    lines += ["", "Intended differences: the age checks (440, 441) read the date of birth "
              "from the header table (the validator reads the reviews table's copy, which "
              "the DfE's own rule INT17 requires to agree); for 399 the validator also marks "
              "the child's episodes and header row, we report each review (the episodes "
              "themselves are right). A review with no participation code is not a failure "
              "here (167 flags it): participation_gaps lists it as not recorded."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(contract_markdown(), end="")
