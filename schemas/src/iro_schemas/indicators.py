"""The yearly indicator marts (year ending 31 March): one pandera schema per table.

These are the tables an IRO annual report is written from, beyond review
timeliness and the 31 March population grid (``iro_schemas.marts``):
children's participation (former PAF C63), parents' participation, the IRO's
review checklist and RAG rating, further breakdowns of the 31 March
population, the IRO workforce and caseloads, disputes by stage, and a long
table of headline measures over the years for multi-year charts.

Most are tidy long tables (a year, what is measured, numerator, denominator,
percent) so Excel pivots and Power BI visuals read them without reshaping.
Every table starts with ``authority``, inserted by the caller; the functions of
``iro_etl.rules.indicators`` build the rest. The labels the rows carry (measures,
breakdowns, categories) are declared here, so the contract names every value a
report may filter on. ``iro_schemas.marts`` registers these schemas in MART_MODELS.
"""

import pandera.pandas as pa

from iro_schemas import codes
from iro_schemas.columns import AUTHORITY, YEAR_ENDING
from iro_schemas.columns import mart_column as _col


def _count(description: str) -> pa.Column:
    return _col(int, description, checks=[pa.Check.ge(0)])


def _percent(description: str) -> pa.Column:
    return _col(float, description, nullable=True, checks=[pa.Check.in_range(0, 100)])


def _label(description: str, values: tuple[str, ...]) -> pa.Column:
    return _col(str, description, checks=[pa.Check.isin(list(values))])


PERCENT = _percent("numerator / denominator x 100, one decimal; blank when the denominator is 0.")

# --- Labels the rows carry -----------------------------------------------------------------

#: Participation measures (former PAF C63 and the monthly attendance figures).
VIEWS_EVERY_REVIEW = "communicated views at every review"
ATTENDED_LATEST = "attended most recent review"
NOT_REPRESENTED = "neither attended nor represented"
PARTICIPATION_MEASURES = (VIEWS_EVERY_REVIEW, ATTENDED_LATEST, NOT_REPRESENTED)

#: Parents' and connected persons' roles reported (the child's own is the PN code).
PARENT_ROLES = tuple(r for r in codes.PARTICIPANT_ROLES if r != "child")

#: Which reviews a checklist rate or RAG distribution is taken over.
BASIS_YEAR = "reviews in the year"
BASIS_LATEST = "latest review of children looked after at 31 March"
QUALITY_BASES = (BASIS_YEAR, BASIS_LATEST)
#: Checklist measure labels, by the review_records column they read.
QUALITY_CHECKLIST = {
    "child_informed": "child informed about being looked after",
    "sw_report_on_time": "social worker's report 3+ working days before (checklist)",
    "child_prepared": "young person (4+) prepared for the review",
    "child_views_available": "young person (4+) contributed, views available",
    "key_people_present": "all key people present or reported",
}
#: The same report deadline, worked out from the date the report was received.
SW_REPORT_BY_DATES = "social worker's report 3+ working days before (dates)"
QUALITY_MEASURES = (*QUALITY_CHECKLIST.values(), SW_REPORT_BY_DATES)

#: Population breakdowns at 31 March, in report order (categories: see the column).
BREAKDOWNS = (
    "ethnicity group",
    "placement location",
    # Every placement group split by location: the Central Bedfordshire placement table.
    "placement group and location",
    # The raw PLACE code, for tables grouped more finely than placement_group.
    "placement code",
    "placement distance",
    "placement stability",
    "placements in the year",
)

CASELOAD_BANDS = ("below", "within", "above")

#: Stable codes of the trends table's measures, for BI tools to filter on (labels may be
#: reworded; codes are not).
TREND_CODES = {
    "looked after at 31 March": "lac_31_march",
    "reviews held in the year": "reviews_held",
    "children reviewed in the year": "children_reviewed",
    "reviewed within timescales cohort": "ni66_cohort",
    "reviewed within timescales": "ni66_on_time",
    "reviewed within timescales %": "ni66_percent",
    "communicated views at every review %": "c63_views_percent",
    "attended most recent review %": "attended_latest_percent",
}
#: Headline measures of the trends table, with the unit of their value.
TREND_MEASURES = {
    "looked after at 31 March": "children",
    "reviews held in the year": "reviews",
    "children reviewed in the year": "children",
    "reviewed within timescales cohort": "children",
    "reviewed within timescales": "children",
    "reviewed within timescales %": "percent",
    "communicated views at every review %": "percent",
    "attended most recent review %": "percent",
}

# --- Schemas -------------------------------------------------------------------------------

ParticipationIndicator = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "measure": _label(
            f"'{VIEWS_EVERY_REVIEW}' (former PAF C63): of children looked after 28+ days at 31 "
            "March, aged 4+ then, with a review at 4+ in the year, those coded PN1-PN6 at every "
            f"such review. '{ATTENDED_LATEST}': of children looked after at 31 March (any "
            "length of time) with a review at 4+ in the year, those whose latest such review "
            "is PN1-PN4; an authority may take it over the children looked after at any time "
            "in March instead (threshold latest_review_base: March). "
            f"'{NOT_REPRESENTED}': of children looked after at 31 March with a review at 4+ "
            "in the year, those with a PN7 review in the year.",
            PARTICIPATION_MEASURES),
        "children_counted": _col(str, "Who the denominator counts, in words, with the "
                                 "authority's own settings (cohort days, age, and the base of "
                                 "the latest-review measure), so a reader need not look them up."),
        "numerator": _count("Children meeting the measure."),
        "denominator": _count("Children the measure is taken over."),
        "percent": PERCENT,
    },
    name="participation_indicator",
    coerce=True,
    description="Children's participation in their reviews, per year ending 31 March; short "
    "breaks left out, reviews before the 4th birthday (PN0) not counted.",
)

ParentalParticipation = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "role": _label("mother, father, step parent or connected person.", PARENT_ROLES),
        "status": _label("attended, consulted, not applicable, no consultation or not recorded.",
                         codes.PARTICIPATION_STATUSES),
        "reviews": _count("Reviews in the year with this role recorded with this status."),
        "reviews_recorded": _count("Reviews in the year with any participant recorded (the "
                                   "seeds' 181 monitored reviews): the denominator."),
        "percent": _percent("reviews / reviews_recorded x 100, one decimal; add statuses (or "
                            "roles) to combine them, e.g. attended or consulted."),
    },
    name="parental_participation",
    coerce=True,
    description="Parents' and connected persons' part in reviews held in the year ending 31 "
    "March, by role and status.",
)

ReviewQuality = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "basis": _label(f"'{BASIS_YEAR}': every review held in the year with a review record; "
                        f"'{BASIS_LATEST}': each such child's latest review held in the year.",
                        QUALITY_BASES),
        "measure": _label("Checklist item (young-person items only over reviews of children "
                          "aged 4+), or the report deadline worked out from the dates.",
                          QUALITY_MEASURES),
        "numerator": _count("Reviews where the item was met."),
        "denominator": _count("Reviews where the item was recorded (yes or no, or a report date)."),
        "not_recorded": _count("Reviews in the basis where the item was left blank."),
        "percent": PERCENT,
    },
    name="review_quality",
    coerce=True,
    description="The IRO's review checklist, per year ending 31 March: share of reviews "
    "meeting each item.",
)

RagDistribution = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "basis": _label("Which reviews: as in review_quality.", QUALITY_BASES),
        "rag": _label("green, amber or red.", codes.RAG),
        "reviews": _count("Reviews rated so."),
        "rated": _count("Reviews in the basis with a RAG rating: the denominator."),
        "percent": _percent("reviews / rated x 100, one decimal; blank when none was rated."),
    },
    name="rag_distribution",
    coerce=True,
    description="The IRO's RAG rating of the case at reviews held in the year ending 31 March.",
)

PopulationBreakdowns = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "breakdown": _label(
            "ethnicity group; placement location (inside or outside the authority, from "
            "PL_LOCATION or the pre-2013 codes); placement group and location; placement code; "
            "placement distance; placement stability (under 16, looked after 2.5+ years: same "
            "placement 2+ years or not); placements in the year.", BREAKDOWNS),
        "category": _col(str, "The category within the breakdown: White, Mixed, Asian, Black, "
                         "Other, Not given; inside, outside, not known; '<placement group>, "
                         "<location>'; the PLACE code; over 20 miles, 20 miles or less, not "
                         "known; same placement 2+ years, placement under 2 years; 1, 2, 3 or "
                         "more (thresholds as configured)."),
        "children": _count("Children looked after at 31 March in the category."),
        "denominator": _count("Children the breakdown is taken over: everyone looked after at "
                              "31 March, or the stability cohort."),
        "percent": _percent("children / denominator x 100, one decimal."),
    },
    name="population_breakdowns",
    coerce=True,
    description="Children looked after at 31 March (short breaks left out) by ethnicity, "
    "placement location, distance and stability; age, gender, legal status and placement "
    "group are in lac_population.",
)

IroWorkforce = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "iros_in_post": _count("IROs with a staff record covering 31 March."),
        "fte": _col(float, "Their full-time equivalents, summed.", checks=[pa.Check.ge(0)]),
        "iro_fte": _col(float, "FTE on the IRO role: fte x iro_share summed (a blank share "
                        "counts as the whole post).", checks=[pa.Check.ge(0)]),
        "children_looked_after": _count("Children looked after at 31 March (short breaks out)."),
        "average_caseload": _col(float, "children_looked_after / iro_fte, one decimal; blank "
                                 "without IRO time.", nullable=True, checks=[pa.Check.ge(0)]),
        "recommended_min": _count("Lower end of the recommended caseload per IRO FTE (IRO "
                                  "Handbook 2010: 50)."),
        "recommended_max": _count("Upper end (IRO Handbook 2010: 70)."),
        "caseload_band": _col(str, "The average against the recommended range: below, within "
                              "or above.", nullable=True, checks=[pa.Check.isin(CASELOAD_BANDS)]),
        "peak_caseload": _col(float, "Highest month-end caseload of one IRO in the year: "
                              "children allocated / that IRO's IRO-role FTE, one decimal.",
                              nullable=True, checks=[pa.Check.ge(0)]),
        "peak_month_end": _col(pa.DateTime, "Month end of that peak.", nullable=True),
        "children_allocated": _count("Children with an IRO allocated at some time in the year."),
        "children_one_iro": _count("Of those, children who had one IRO in the year."),
        "children_two_iros": _count("Children who had two IROs in the year."),
        "children_three_plus_iros": _count("Children who had three or more IROs in the year."),
    },
    name="iro_workforce",
    coerce=True,
    description="The IRO service's staffing and caseloads, per year ending 31 March.",
)

DisputesByStage = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "stage": _label("informal, stage 1, stage 2, stage 3 or cafcass.", codes.DISPUTE_STAGES),
        "raised": _count("Dispute steps raised in the year at this stage."),
        "children": _count("Children they concerned."),
        "resolved": _count("Steps at this stage resolved in the year (whenever raised)."),
        "open_at_year_end": _count("Steps at this stage raised by 31 March and not resolved by "
                                   "then."),
    },
    name="disputes_by_stage",
    coerce=True,
    description="The IRO's dispute-resolution steps, per year ending 31 March and stage.",
)

Trends = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "measure": _label("Headline measure (see the other marts for definitions).",
                          tuple(TREND_MEASURES)),
        "measure_code": _label("The measure's stable code (filter on this, not the label).",
                               tuple(TREND_CODES.values())),
        "unit": _label("children, reviews or percent.", tuple(sorted(set(TREND_MEASURES.values())))),
        "value": _col(float, "The measure's value; blank when its denominator is 0.",
                      nullable=True, checks=[pa.Check.ge(0)]),
    },
    name="trends",
    coerce=True,
    description="Headline measures over every year, one row per year and measure, for "
    "multi-year charts.",
)

INDICATOR_MODELS: dict[str, pa.DataFrameSchema] = {
    schema.name: schema
    for schema in (
        ParticipationIndicator,
        ParentalParticipation,
        ReviewQuality,
        RagDistribution,
        PopulationBreakdowns,
        IroWorkforce,
        DisputesByStage,
        Trends,
    )
}
