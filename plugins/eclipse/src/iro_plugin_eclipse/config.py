"""An authority's Eclipse forms, from its ``options`` block: designs, controls, states.

Eclipse forms are designed by each authority: which design (``designguid``) records a
review and which control (``controlname``) holds each answer differ between them, so they
are configuration, never code. The defaults are the designs and controls the public SSD
extract SQL names (its GUIDs carry a note that each authority checks them), plus control
names for the IRO's review record that an authority sets to its own form's. Options are
checked when the plugin is made, so a mistyped name fails the load at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from iro_etl.sources.plugin import name_list
from iro_etl.sources.readers import normalise_header
from iro_schemas.codes import PARTICIPANT_ROLES

#: Internal column of a review record form holding one participant's status (by role).
PARTICIPANT = "participant:"


@dataclass(frozen=True)
class Form:
    """One kind of form: its designs, and the controls answering each canonical column."""

    #: The canonical table its instances feed.
    table: str
    designs: tuple[str, ...]
    #: Canonical column -> control names, the preferred one first.
    controls: dict[str, tuple[str, ...]]
    #: designsubname values the form must have (none: any), for designs shared by forms.
    subnames: tuple[str, ...] = ()


#: The forms the plugin reads, by option key.
FORMS: dict[str, Form] = {
    # "Child in Care: IRO decisions": one per review held.
    "reviews": Form("reviews", ("b5c5c8d8-5ba7-4919-a3cd-9722e8e90aaf",),
                    {"review_date": ("dateOfReview",)}),
    # "Independent Reviewing Officer: Quality assurance", the review's sub-form: how the
    # child took part, joined onto the review by child and date.
    "review_participation": Form(
        "reviews", ("79f3495c-134f-4e69-b00f-7621925419f7",),
        {"review_date": ("dateOfMeeting",),
         "review_code": ("howWasTheChildAbleToContributeTheirViewsToTheReview",)},
        subnames=("Child/young person in care review",)),
    # "Child: IRO Review Record": the IRO's record of each review chaired or planned, and
    # who took part (one control per participant role).
    "review_records": Form("review_records", ("2d9d174f-77ed-40bd-ac2b-cae8015ad799",), {
        "review_date": ("dateOfMeeting",), "status": ("reviewStatus",),
        "sw_report_received": ("dateSocialWorkerReportReceived",),
        "recommendations_issued": ("dateRecommendationsIssued",),
        "record_issued": ("dateRecordIssued",),
        "child_informed": ("childInformedWhyLookedAfter",),
        "sw_report_on_time": ("socialWorkerReportOnTime",),
        "child_prepared": ("childPreparedForReview",),
        "child_views_available": ("childViewsAvailable",),
        "key_people_present": ("keyPeoplePresentOrReported",), "rag": ("ragRating",),
        **{f"{PARTICIPANT}{role}": ("participation" + role.title().replace(" ", ""),)
           for role in PARTICIPANT_ROLES}}),
    # No design in the extract SQL: an authority with an IRO notification form names it.
    "notifications": Form("notifications", (), {
        "period_start": ("dateBecameLookedAfter",), "notified_date": ("dateIroManagerNotified",),
        "iro_allocated_date": ("dateIroAllocated",)}),
}

#: formanswerpersonview.instancestate of a form that is the record (drafts are not).
COMPLETED_STATES = ("COMPLETE",)

#: relationshipprofessionalview.relationshipclasscode of the child's IRO.
IRO_RELATIONSHIPS = ("IRO", "INDEPENDENT_REVIEWING_OFFICER")


def names(value: Any, option: str) -> tuple[str, ...]:
    """One name or a list of names, as a tuple of non-blank text."""
    values = name_list(value)
    if not values or not all(v.strip() for v in values):
        raise ValueError(f"eclipse option {option}: needs a name or a list of names")
    return values


@dataclass(frozen=True)
class FormConfig:
    """The forms, states and IRO relationship codes of one authority."""

    forms: dict[str, Form]
    completed_states: tuple[str, ...]
    iro_relationships: tuple[str, ...]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> FormConfig:
        forms = dict(FORMS)
        for key, designs in (options.get("forms") or {}).items():
            if key not in FORMS:
                raise ValueError(f"eclipse option forms: {key!r} is not a form the plugin reads "
                                 f"({', '.join(FORMS)})")
            forms[key] = replace(forms[key], designs=names(designs, f"forms.{key}"))
        for key, columns in (options.get("controls") or {}).items():
            if key not in FORMS:
                raise ValueError(f"eclipse option controls: {key!r} is not a form the plugin "
                                 f"reads ({', '.join(FORMS)})")
            unknown = set(columns) - set(FORMS[key].controls)
            if unknown:
                raise ValueError(f"eclipse option controls.{key}: no such columns "
                                 f"{sorted(unknown)}; known: {', '.join(FORMS[key].controls)}")
            controls = {**forms[key].controls, **{
                column: names(value, f"controls.{key}.{column}")
                for column, value in columns.items()}}
            forms[key] = replace(forms[key], controls=controls)
        for key, subnames in (options.get("subnames") or {}).items():
            if key not in FORMS:
                raise ValueError(f"eclipse option subnames: {key!r} is not a form the plugin "
                                 f"reads ({', '.join(FORMS)})")
            forms[key] = replace(forms[key], subnames=tuple(str(s) for s in subnames or ()))
        states = options.get("completed_states")
        roles = options.get("iro_relationships")
        return cls(forms, names(states, "completed_states") if states else COMPLETED_STATES,
                   names(roles, "iro_relationships") if roles else IRO_RELATIONSHIPS)

    def form_of_design(self) -> dict[str, str]:
        """Normalised design GUID -> the key of the form it is."""
        return {normalise_header(design): key for key, form in self.forms.items()
                for design in form.designs}

    def control_lookup(self) -> dict[tuple[str, str], tuple[str, int]]:
        """(form key, normalised control) -> (canonical column, preference: 0 is the first)."""
        return {(key, normalise_header(control)): (column, rank)
                for key, form in self.forms.items()
                for column, controls in form.controls.items()
                for rank, control in enumerate(controls)}
