"""The authority's form configuration: which form types count, and where each answer sits.

Options (the ``options`` block of authorities.yaml), all optional:

- ``form_types``: {canonical table: form type name or list of names}. Replaces the
  default form type of that table (e.g. ``reviews: LAC_REVIEW_V2``); names are compared
  case-, space- and punctuation-insensitively.
- ``fields``: extra JSON keys per canonical column, tried before the defaults. Either
  {table: {column: key or [keys]}} or, for columns whose name is unambiguous enough,
  {column: key or [keys]} applied to every form table having that column. Keys may be
  dotted paths into nested answers. The review-participation table also takes the
  pseudo-column ``participants`` (the key of the list of participants); its ``role``
  and ``status`` keys are read inside each list item.
- ``completed_statuses``: form statuses that count (default ``["completed"]``); any
  other status (drafts, cancelled forms) is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from iro_etl.sources.readers import normalise_header

from iro_plugin_eclipse.tables import COMPLETED_STATUSES, FORM_LAYOUTS, FormLayout


def _names(value: Any) -> tuple[str, ...]:
    """A name or a list of names from the options, as a tuple of text."""
    if value is None:
        return ()
    if isinstance(value, str | int):
        return (str(value),)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class FormConfig:
    """The form layouts of one authority and the statuses that make a form count."""

    layouts: dict[str, FormLayout]
    completed: frozenset[str]

    def table_of_type(self) -> dict[str, str]:
        """Normalised form type -> canonical table."""
        return {normalise_header(t): layout.table for layout in self.layouts.values()
                for t in layout.form_types}


def form_config(options: Mapping[str, Any]) -> FormConfig:
    """The defaults with the authority's ``form_types``, ``fields`` and ``completed_statuses``.

    Raises ValueError for a table or column the plugin does not know, so a typing
    mistake in authorities.yaml is caught when the plugin is set up, not silently ignored.
    """
    layouts = {layout.table: layout for layout in FORM_LAYOUTS}
    for table, names in dict(options.get("form_types") or {}).items():
        if table not in layouts:
            raise ValueError(f"form_types: no form table {table!r} (expected one of {sorted(layouts)})")
        layouts[table] = replace(layouts[table], form_types=_names(names))
    fields = dict(options.get("fields") or {})
    # Per-table entries are mappings; anything else is a column meant for every form table.
    per_table = {t: dict(v) for t, v in fields.items() if isinstance(v, Mapping)}
    shared = {c: v for c, v in fields.items() if not isinstance(v, Mapping)}
    unknown = set(per_table) - set(layouts)
    if unknown:
        raise ValueError(f"fields: no form tables {sorted(unknown)} (expected one of {sorted(layouts)})")
    for table, layout in layouts.items():
        extra = {c: v for c, v in shared.items() if c in layout.fields or c == "child_id"}
        extra.update(per_table.get(table, {}))
        bad = set(extra) - set(layout.fields) - {"child_id"}
        if bad:
            raise ValueError(f"fields: {table} has no columns {sorted(bad)}")
        keys = dict(layout.fields)
        for column, value in extra.items():
            keys[column] = (*_names(value), *keys.get(column, ()))
        layouts[table] = replace(layout, fields=keys)
    used = set().union(*(layout.fields for layout in layouts.values()), {"child_id"})
    stray = set(shared) - used
    if stray:
        raise ValueError(f"fields: no form table has columns {sorted(stray)}")
    completed = _names(options.get("completed_statuses")) or COMPLETED_STATUSES
    return FormConfig(layouts, frozenset(s.strip().lower() for s in completed))
