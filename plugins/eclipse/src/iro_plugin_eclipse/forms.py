"""Form answers (long rows of formanswerpersonview) pivoted onto one row per form instance.

Each answer is one row: the form instance, its design and state, the person it is about,
the control and the answer, which Eclipse keeps in up to three columns (a date control's
in ``dateanswervalue``, a coded one's code in ``shortanswervalue`` beside its wording in
``answervalue``): the first of those held is the answer. Only completed instances of the
configured designs are read; answers to other controls are left alone (a form holds far
more than the IRO tables need). Where a control is answered twice in one instance, the
latest row wins. All of it in one vectorised pass.

A form-derived row's lineage is the first row of its instance in formanswerpersonview, as
that is where a person finds the form.
"""

from __future__ import annotations

import pandas as pd
from iro_etl.sources.readers import normalise_header, normalised
from iro_schemas.lineage import LINEAGE_COLUMNS, ROW

from iro_plugin_eclipse.config import FormConfig


def scoped(answers: pd.DataFrame, config: FormConfig) -> tuple[pd.DataFrame, int]:
    """Answers of the configured forms with ``_form`` (the form's key); and how many
    instances of those forms were not completed (drafts, cancelled: not the record)."""
    form = normalised(answers["design"]).map(config.form_of_design())
    subnames = {key: {normalise_header(s) for s in f.subnames}
                for key, f in config.forms.items() if f.subnames}
    sub = normalised(answers["subname"])
    fits = pd.Series(True, index=answers.index)
    for key, wanted in subnames.items():
        fits &= (form != key) | sub.isin(wanted).fillna(False).astype(bool)
    states = {normalise_header(s) for s in config.completed_states}
    done = normalised(answers["state"]).isin(states).fillna(False).astype(bool)
    mine = form.notna() & fits
    open_ones = answers.loc[mine & ~done, "instance_id"].nunique()
    return answers.loc[mine & done].assign(_form=form[mine & done]), int(open_ones)


def instances(answers: pd.DataFrame, config: FormConfig) -> dict[str, pd.DataFrame]:
    """Per form key, one row per instance: ``child_id``, each configured column (text) and
    the lineage of the instance's first answer row."""
    lookup = pd.DataFrame(
        [(key, control, column, rank)
         for (key, control), (column, rank) in config.control_lookup().items()],
        columns=["_form", "_control", "_column", "_rank"])
    value = answers["date_answer"].fillna(answers["short"]).fillna(answers["answer"])
    found = answers[["instance_id", "_form", ROW]].assign(
        _control=normalised(answers["control"]), _value=value).merge(
        lookup, on=["_form", "_control"], how="inner")
    best = (found[found["_value"].notna()]
            .sort_values(["instance_id", "_column", "_rank", ROW],
                         ascending=[True, True, True, False])
            .drop_duplicates(["instance_id", "_column"]))
    wide = best.pivot(index="instance_id", columns="_column", values="_value")
    spine = (answers.sort_values(ROW, kind="stable")
             .drop_duplicates("instance_id")[["instance_id", "_form", "child_id",
                                              *LINEAGE_COLUMNS]])
    out = {}
    for key, form in config.forms.items():
        rows = spine[spine["_form"] == key].reset_index(drop=True)
        values = wide.reindex(index=rows["instance_id"], columns=list(form.controls))
        frame = pd.DataFrame({"child_id": rows["child_id"].astype("string")})
        for column in form.controls:
            frame[column] = pd.Series(values[column].to_numpy(), dtype="string")
        out[key] = pd.concat([frame, rows[list(LINEAGE_COLUMNS)]], axis=1)
    return out
