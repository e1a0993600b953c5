"""Great Expectations suites for the published marts, generated from the pandera contract.

The pandera schemas in ``iro_schemas.marts`` stay the one description of the
marts: each suite here is derived from a schema when it is asked for, never
kept by hand. pandera already checks every mart as it is built
(``iro_etl.marts.build.check_marts``): its columns, their types and their nulls.
A suite does not say those again (GX's cost is per expectation, and a page of
not-null lines hides what matters); it states what a reader of Data Docs wants
to see, with the values that break it:

* ``Check.isin``      -> the column's values are in that code list (``notin``
  and ``equal_to`` likewise);
* ``Check.ge/gt/le/lt/in_range`` -> the column's values are between the bounds,
  strict where the check is;
* the mart's grain (``MART_KEYS``) -> no two rows share it; a mart whose grain
  is the authority itself has at most one row.

Checks GX cannot express (a pandera lambda over several columns, such as
``load_summary``'s ``rows_conserved``) are listed in the suite's ``meta`` under
``untranslated_checks``, so nothing is dropped silently; pandera still enforces
them when the marts are built.

``validate_frames`` runs the suites on the frames a load already holds, one
whole-dataframe batch per mart: nothing is read back from the database;
``validate_loads`` does so for several authorities' loads with one batch per mart. GX takes
seconds to import, so only the code that validates imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
import pandera.pandas as pa
from great_expectations.core import ExpectationSuiteValidationResult, RunIdentifier
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from iro_schemas.marts import MART_KEYS, MART_MODELS

from iro_etl.reports.expectation_runs import RUN_SEPARATOR, MartExpectations

#: Name of the pandas datasource the marts are validated through.
DATASOURCE = "iro_marts"
#: SUMMARY keeps a short sample of unexpected values. The suites only test codes, numbers
#: and grain keys (pseudonyms, dates, record keys), so the sample never holds the
#: restricted marts' free text or a child's own id.
RESULT_FORMAT = "SUMMARY"

#: How the suite of several authorities' frames of a mart is named after the mart's own.
STACKED = "__authorities"

Builder = Callable[[str, dict[str, Any]], gxe.Expectation]


def _between(column: str, **bounds: Any) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, **bounds)


#: pandera's built-in checks, by name, to the GX expectation saying the same thing.
_CHECKS: dict[str, Builder] = {
    "isin": lambda col, s: gxe.ExpectColumnValuesToBeInSet(column=col,
                                                           value_set=list(s["allowed_values"])),
    "notin": lambda col, s: gxe.ExpectColumnValuesToNotBeInSet(column=col,
                                                              value_set=list(s["forbidden_values"])),
    "equal_to": lambda col, s: gxe.ExpectColumnValuesToBeInSet(column=col, value_set=[s["value"]]),
    "greater_than_or_equal_to": lambda col, s: _between(col, min_value=s["min_value"]),
    "greater_than": lambda col, s: _between(col, min_value=s["min_value"], strict_min=True),
    "less_than_or_equal_to": lambda col, s: _between(col, max_value=s["max_value"]),
    "less_than": lambda col, s: _between(col, max_value=s["max_value"], strict_max=True),
    "in_range": lambda col, s: _between(col, min_value=s["min_value"], max_value=s["max_value"],
                                        strict_min=not s.get("include_min", True),
                                        strict_max=not s.get("include_max", True)),
}


def _column_expectations(column: str, spec: pa.Column) -> tuple[list[gxe.Expectation], list[str]]:
    """The expectations of one column's checks, and the names of those GX cannot express."""
    expectations: list[gxe.Expectation] = []
    untranslated = []
    for check in spec.checks:
        builder = _CHECKS.get(check.name)
        if builder is None:
            untranslated.append(f"{column}.{check.name}")
        else:
            expectations.append(builder(column, check.statistics))
    return expectations, untranslated


def _grain_expectation(name: str, stacked: bool = False) -> gxe.Expectation | None:
    """No two rows of one authority share the mart's grain (None: the mart has no grain);
    ``stacked``: in a frame of several authorities, each keeps its own grain."""
    keys = MART_KEYS.get(name)
    if keys is None:
        return None
    keys = ("authority", *keys) if stacked else keys
    if not keys:
        return gxe.ExpectTableRowCountToBeBetween(max_value=1)
    if len(keys) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=keys[0])
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(keys))


def suite_for(name: str, stacked: bool = False) -> gx.ExpectationSuite:
    """The GX suite of mart ``name``, translated from its pandera schema and grain (the
    grain by authority when ``stacked``: the suite of several authorities' frames at once)."""
    schema = MART_MODELS[name]
    expectations: list[gxe.Expectation] = []
    untranslated = [check.name or "unnamed" for check in schema.checks]
    for column, spec in schema.columns.items():
        column_expectations, skipped = _column_expectations(column, spec)
        expectations += column_expectations
        untranslated += skipped
    grain = _grain_expectation(name, stacked)
    if grain is not None:
        expectations.append(grain)
    # Built whole rather than with add_expectation, which needs an active GX context.
    return gx.ExpectationSuite(name=_suite_name(name, stacked), expectations=expectations, meta={
        "source": f"iro_schemas.marts.MART_MODELS[{name!r}]",
        "description": schema.description,
        # Said once here rather than as one expectation per column: pandera checks these.
        "checked_by_pandera": "columns, types and nulls, on every load before publishing",
        # Recorded, not dropped: pandera still applies these when the marts are built.
        "untranslated_checks": untranslated,
    })


def _suite_name(name: str, stacked: bool) -> str:
    return f"{name}{STACKED}" if stacked else name


@cache
def _ephemeral() -> AbstractDataContext:
    """The process's in-memory context: made once, as its definitions are (see _definition)."""
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(),
                               progress_bars=ProgressBarsConfig(globally=False,
                                                                metric_calculations=False),
                               analytics_enabled=False)
    return gx.get_context(project_config=config, mode="ephemeral")


def quiet_context(context: AbstractDataContext | None = None) -> AbstractDataContext:
    """The process's ephemeral context (or the one given) with progress bars and analytics off.

    GX draws tqdm "Calculating Metrics" bars unless the project config says
    ``progress_bars: {globally: false, metric_calculations: false}``; that is GX's
    supported switch (its Validator reads it from the context). tqdm's own
    ``TQDM_DISABLE`` does not help, as GX passes ``disable=`` explicitly.
    """
    if context is None:
        context = _ephemeral()
    else:
        context.variables.progress_bars = ProgressBarsConfig(globally=False,
                                                             metric_calculations=False)
    # GX validates through the context set most recently, so make this one current.
    gx.data_context.set_context(context)
    return context


def _label(result: Any) -> str:
    config = result.expectation_config
    column = config.kwargs.get("column")
    return f"{config.type}({column})" if column else config.type


def summarise(name: str, result: ExpectationSuiteValidationResult, rows: int) -> MartExpectations:
    """Counts and failed expectations of one suite's result."""
    failed = [_label(r) for r in result.results if not r.success]
    return MartExpectations(name=name, success=bool(result.success), evaluated=len(result.results),
                            failed=len(failed), failed_expectations=failed, rows=rows,
                            result=result)


#: Each context's validation definitions, by mart: saving one to the context's stores costs
#: more than most validations, and every authority's frames run through the same.
_DEFINITIONS: WeakKeyDictionary[AbstractDataContext, dict[str, gx.ValidationDefinition]] = (
    WeakKeyDictionary())


def _definition(context: AbstractDataContext, name: str, stacked: bool = False
                ) -> gx.ValidationDefinition:
    if context not in _DEFINITIONS:
        # Once per context: adding the data source again would drop the marts' assets.
        context.data_sources.add_or_update_pandas(DATASOURCE)
        _DEFINITIONS[context] = {}
    made = _DEFINITIONS[context]
    suite_name = _suite_name(name, stacked)
    if suite_name not in made:
        source = context.data_sources.get(DATASOURCE)
        # One asset per mart, as Data Docs name a result's batch after it.
        asset = (source.get_asset(name) if name in source.get_asset_names()
                 else source.add_dataframe_asset(name))
        batch = asset.add_batch_definition_whole_dataframe(f"{suite_name}_whole")
        suite = context.suites.add_or_update(suite_for(name, stacked))
        made[suite_name] = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=f"{suite_name}_published", data=batch, suite=suite))
    return made[suite_name]


def validate_frame(context: AbstractDataContext, name: str, frame: pd.DataFrame,
                   run_id: RunIdentifier | None = None) -> MartExpectations:
    """Run mart ``name``'s suite on ``frame`` (a whole-dataframe batch, in memory)."""
    result = _definition(context, name).run(batch_parameters={"dataframe": frame},
                                            result_format=RESULT_FORMAT, run_id=run_id)
    return summarise(name, result, len(frame))


def validate_frames(authority: str, frames: Mapping[str, pd.DataFrame],
                    context: AbstractDataContext | None = None) -> dict[str, MartExpectations]:
    """Run each mart's suite on ``authority``'s frame of it, as the load holds it."""
    return validate_loads({authority: frames}, context)[authority]


def validate_loads(loads: Mapping[str, Mapping[str, pd.DataFrame]],
                   context: AbstractDataContext | None = None
                   ) -> dict[str, dict[str, MartExpectations]]:
    """Each authority's marts (``loads``: frames by mart, by authority) validated as
    :func:`validate_frames` validates them alone, with each mart's suite run once over
    every authority that has a frame of it.

    A suite's expectations hold row by row (code lists, ranges) or within an authority's
    grain, so several authorities' frames meet it together exactly when each meets it
    alone. When they do, each authority is given the shared result (its run is named
    after all of them); when not, each frame is validated alone, so every failure is its
    own authority's, with its own values in Data Docs.
    """
    context = quiet_context(context)
    now = datetime.now(UTC)
    out: dict[str, dict[str, MartExpectations]] = {code: {} for code in loads}
    for name in dict.fromkeys(name for frames in loads.values() for name in frames):
        given = {code: frames[name] for code, frames in loads.items() if name in frames}
        if len(given) > 1:
            run_id = RunIdentifier(run_name=RUN_SEPARATOR.join(sorted(given)), run_time=now)
            result = _definition(context, name, stacked=True).run(
                batch_parameters={"dataframe": pd.concat(given.values(), ignore_index=True)},
                result_format=RESULT_FORMAT, run_id=run_id)
            if result.success:
                for code, frame in given.items():
                    out[code][name] = summarise(name, result, len(frame))
                continue
        for code, frame in given.items():
            # One run id per authority for all its marts: Data Docs group results by it.
            out[code][name] = validate_frame(context, name, frame,
                                             RunIdentifier(run_name=code, run_time=now))
    return out
