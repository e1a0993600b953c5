"""Seed scenario: Central Bedfordshire's looked-after children and reviews, 2011/12.

:func:`central_bedfordshire_2011_12` places (does not sample) children, periods of care,
reviews and the IRO service's own records so that, read through a real plugin (the
CareFirst workbook) and run through the rules, the marts give back the figures of the
Central Bedfordshire IRO annual report 2011/12 (``PUBLISHED``): the 208 children looked
after at 31 March 2012 by age band and gender, legal status, placement and ethnicity; 176
looked after at 31 March 2011; 590 reviews of 266 children in the year; 194 of the 199
children in the timeliness cohort reviewed on time (the 5 late reviews being first reviews
after late notifications); 143 of 157 children taking part in every review, 160 of 164
attending their most recent review, 13 neither attending nor represented; parents'
participation at the 181 reviews of the monitoring form; and the Review Managers' 4.8 FTE
with 48% of their time on the IRO role.

"Attended most recent review" comes from the report's "monthly reporting data for March
2012", read as the children looked after at any time in March (the authority's policy
``latest_review_base: March``; see ``seed_scenarios``). At 31 March it cannot reach 164:
199 = 208 - 3 placed for adoption - 6 recent starters leaves only those 6 to add to the
157, so one child who left in March makes the 164th; at 31 March the seed gives 159/163.

Every child has one period of care and one episode (RNE S), placed with the pre-2013
F/H codes the report's placement table is split by. Reviews follow the statutory
cycle (20 working days, 3 months, then 6 months from the actual date), held on or a
few days before the due date, plus extra reviews to reach the year's total.

The report's percentages are not its ratios: 143/157 is 91.1% (printed 91.7%) and 160/164
is 97.6% (printed 98.2%); both printed percentages fit a denominator one smaller (143/156,
160/163). The seed keeps the counts as printed. Its disputes are described
but not counted: the seed's few informal and stage 1 disputes are illustrative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_etl.marts.publish import read_mart
from iro_etl.rules.calendar import WorkingCalendar
from iro_schemas.indicators import ATTENDED_LATEST, NOT_REPRESENTED, VIEWS_EVERY_REVIEW

from iro_testdata.seed_builders import (
    Post,
    RecordPlan,
    allocations_table,
    comparison_table,
    disputes_table,
    exact_share,
    interleave,
    notifications_table,
    participants_table,
    periods_of,
    review_chain,
    review_records_table,
    staff_table,
    truth_from_people,
)
from iro_testdata.synthetic import GroundTruth

AS_OF = pd.Timestamp("2012-03-31")
YEAR_START = pd.Timestamp("2011-04-01")
PREVIOUS_YEAR_END = pd.Timestamp("2011-03-31")

#: The report's figures this seed reproduces, keyed by mart and category.
PUBLISHED: dict[str, object] = {
    "population_2012": 208,
    "population_2011": 176,
    # Age at 31 March 2012 x gender (no one 18 or over).
    "age_gender": {
        ("under 1", "male"): 8, ("under 1", "female"): 6,
        ("1-4", "male"): 22, ("1-4", "female"): 23,
        ("5-9", "male"): 15, ("5-9", "female"): 17,
        ("10-15", "male"): 45, ("10-15", "female"): 27,
        ("16-17", "male"): 30, ("16-17", "female"): 15,
    },
    "gender": {"male": 120, "female": 88},
    # Legal status groups (LS C1, C2, V2, E1).
    "legal_status": {"interim care order": 67, "full care order": 51, "section 20": 84,
                     "placement order": 6},
    # Placement codes: F1/F2 relative or friend in/out, F3/F4 other foster carer in/out,
    # H1 secure unit, H3/H4 homes and hostels, S1 residential school, R1 other residential,
    # A6 placed for adoption, P1 with own parents, P2 lodgings or living independently.
    "placement_code": {"F1": 22, "F2": 7, "F3": 50, "F4": 72, "H1": 1, "H3": 13, "H4": 12,
                       "S1": 3, "R1": 2, "A6": 3, "P1": 3, "P2": 20},
    "placement_group": {"foster with relative or friend": 29, "foster with other carer": 122,
                        "residential": 31, "placed for adoption": 3, "with parents": 3,
                        "independent living": 20},
    "ethnicity_group": {"White": 177, "Mixed": 10, "Asian": 6, "Black": 6, "Other": 9},
    "reviews_in_year": 590,
    "children_reviewed_in_year": 266,
    "timeliness_cohort": 199,
    "reviewed_on_time": 194,
    "timeliness_percent": 97.5,
    "late_first_reviews": 5,
    "participation_cohort": 157,
    "participated_every_review": 143,
    # 143/157 is 91.1%: the report prints 91.7%.
    "participation_percent": 91.1,
    "not_represented": 13,
    # Children looked after at any time in March 2012 (printed as 98.2%).
    "attended_latest": (160, 164),
    "attended_latest_percent": 97.6,
    # Every late first review followed a late notification from the operational teams.
    "late_notifications": 5,
    # Parents at the 181 reviews of the monitoring form: role -> status -> reviews.
    "reviews_with_parents_recorded": 181,
    "parents": {
        "mother": {"attended": 71, "consulted": 52, "not applicable": 22, "no consultation": 20,
                   "not recorded": 16},
        "father": {"attended": 33, "consulted": 34, "not applicable": 41, "no consultation": 24,
                   "not recorded": 49},
        "step parent": {"attended": 2, "consulted": 4, "not applicable": 5, "no consultation": 1},
        "connected person": {"attended": 25, "consulted": 6},
    },
    # Attended or consulted, % of the 181 reviews.
    "parents_involved_percent": {"mother": 68, "father": 37,
                                 "step parent or connected person": 20},
    # Six Review Managers on 4.3 FTE (2 x 1.0, 3 x 0.6, 1 x 0.5) and an agency 0.5, 48% of
    # their time on the IRO role.
    "iros_in_post": 7,
    "fte": 4.8,
    "iro_share_percent": 48,
}

_BANDS = (("under 1", 8, 6), ("1-4", 22, 23), ("5-9", 15, 17), ("10-15", 45, 27),
          ("16-17", 30, 15))
_ETHNIC = (("WBRI", 177), ("MWBC", 10), ("AIND", 6), ("BAFR", 6), ("OOTH", 9))
_LEGAL = (("C1", 67), ("C2", 51), ("V2", 64))
_FOSTER = (("F1", 22), ("F2", 7), ("F3", 50), ("F4", 72), ("P1", 3))
_RESIDENTIAL = ["H1", *(["H3", "H4"] * 12), "H3", "S1", "S1", "S1", "R1", "R1"]
_LEAVER_REC = ("E4A", "E13", "E41", "E45", "E4B", "E8", "E11")
#: Children whose care ended in the year after a review in it (266 reviewed - 208).
_LEAVERS = 58
_RECENT = 6
_LATE = 5
_DAY = pd.Timedelta(days=1)
#: Leavers leave by the end of February but one, who leaves in March after a review at 4+.
_LAST_FEBRUARY = pd.Timestamp("2012-02-29")
_MARCH_LEAVER_END = pd.Timestamp("2012-03-16")
#: Review Managers: (id, FTE), 48% of each post on the IRO role; RM7 is the agency worker.
_POSTS = (("RM1", 1.0), ("RM2", 1.0), ("RM3", 0.6), ("RM4", 0.6), ("RM5", 0.6), ("RM6", 0.5),
          ("RM7", 0.5))
_IRO_SHARE = 0.48
#: The parents' monitoring form ran for the year's last four months.
_FORM_START = pd.Timestamp("2011-12-01")


def _ages(band: str, n: int) -> list[int]:
    """Ages in a band: 14 of the 1-4s are 4 (so they take part), the rest 1 to 3."""
    if band == "under 1":
        return [0] * n
    if band == "1-4":
        return ([4] * 14 + [1, 2, 3] * n)[:n]
    lo, hi = {"5-9": (5, 9), "10-15": (10, 15), "16-17": (16, 17)}[band]
    return [lo + k % (hi - lo + 1) for k in range(n)]


def _stayers() -> pd.DataFrame:
    """The 208 children looked after at 31 March 2012: sex, age, dob, placement, legal status."""
    rows = []
    for band, boys, girls in _BANDS:
        sexes = interleave((("1", boys), ("2", girls)))
        for k, (sex, age) in enumerate(zip(sexes, _ages(band, len(sexes)), strict=True)):
            # Birthdays: under-1s born 45-305 days before 31 March, the rest 20-340 days
            # past their birthday, and the 4-year-olds ~10 months past theirs.
            if band == "under 1":
                dob = AS_OF - pd.Timedelta(days=45 + 20 * k)
            else:
                offset = 300 if age == 4 else 20 + (37 * k) % 320
                dob = AS_OF - pd.DateOffset(years=age) - pd.Timedelta(days=offset)
            rows.append({"sex": sex, "age": age, "dob": dob})
    kids = pd.DataFrame(rows).sort_values(["age", "dob"], ascending=[False, True],
                                          kind="stable", ignore_index=True)
    n = len(kids)
    place = np.empty(n, dtype=object)
    ls = np.empty(n, dtype=object)
    place[:20], ls[:20] = "P2", "V2"
    place[20:51] = _RESIDENTIAL
    # The three youngest aged 1+ are placed for adoption under placement orders.
    ones = np.flatnonzero(kids["age"].to_numpy() >= 1)[-3:]
    place[ones], ls[ones] = "A6", "E1"
    rest = np.setdiff1d(np.arange(51, n), ones)
    place[rest] = interleave(_FOSTER)
    # Three more placement orders: the youngest 1-3-year-olds in other foster care.
    young = [i for i in rest[::-1] if place[i] == "F3" and kids.at[i, "age"] >= 1][:3]
    ls[young] = "E1"
    free = np.flatnonzero(ls == None)  # noqa: E711 (object array)
    ls[free] = interleave(_LEGAL)
    kids["place"], kids["ls"] = place, ls
    kids["ethnic"] = interleave(_ETHNIC)
    return kids


def _starts(kids: pd.DataFrame) -> pd.DataFrame:
    """Period starts: 6 recent (March 2012), under-1s and 40 others in the year, the rest before."""
    n = len(kids)
    kind = np.full(n, "before", dtype=object)
    kind[kids["age"].to_numpy() == 0] = "new"
    eligible = [i for i in range(n) if kids.at[i, "age"] >= 5 and kids.at[i, "place"] in
                ("F3", "F4") and kids.at[i, "ls"] in ("C1", "V2")]
    recent = eligible[1::9][:_RECENT]
    kind[recent] = "recent"
    others = [i for i in range(n) if kind[i] == "before" and kids.at[i, "place"] not in
              ("A6", "P2") and kids.at[i, "age"] >= 1 and kids.at[i, "age"] != 4]
    kind[others[::4][:40]] = "new"
    start = pd.Series(pd.NaT, index=kids.index, dtype="datetime64[us]")
    dob = kids["dob"]
    for j, i in enumerate(recent):
        start[i] = pd.Timestamp("2012-03-05") + 2 * j * _DAY
    new = [i for i in range(n) if kind[i] == "new" and kids.at[i, "age"] > 0]
    for j, i in enumerate(new):
        start[i] = YEAR_START + pd.Timedelta(days=4 + (j * 300) // len(new))
    infants = kind == "new"
    infants &= kids["age"].to_numpy() == 0
    start[infants] = dob[infants] + 7 * _DAY
    before = np.flatnonzero(kind == "before")
    for j, i in enumerate(before):
        want = PREVIOUS_YEAR_END - pd.Timedelta(days=40 + (j * 53) % 2400)
        start[i] = min(max(dob[i] + _DAY, want), PREVIOUS_YEAR_END)
    return kids.assign(kind=kind, period_start=start)


def _leavers(first_id: int, n_before: int) -> pd.DataFrame:
    """58 children whose care ended in the year, ``n_before`` of them in care on 31 March 2011."""
    rows = []
    for j in range(_LEAVERS):
        started_before = j < n_before
        age = 2 + (j * 5) % 12
        if started_before:
            start = PREVIOUS_YEAR_END - pd.Timedelta(days=30 + (j * 41) % 900)
        else:
            start = YEAR_START + pd.Timedelta(days=3 + (j * 5) % 200)
        rows.append({"child_id": str(first_id + j), "sex": "12"[j % 3 == 0],
                     "dob": start - pd.DateOffset(years=age) - pd.Timedelta(days=60 + j),
                     "ethnic": ("WBRI", "WBRI", "WOTH", "MWBA", "WBRI")[j % 5],
                     "place": ("F3", "F4", "F1", "H3", "F3", "P1")[j % 6],
                     "ls": ("V2", "C1", "C2", "V2")[j % 4], "period_start": start,
                     "rec": _LEAVER_REC[j % len(_LEAVER_REC)], "kind": "leaver"})
    return pd.DataFrame(rows)


def central_bedfordshire_2011_12(calendar: WorkingCalendar | None = None) -> GroundTruth:
    """Central Bedfordshire's looked-after children and reviews, 2011/12 (see ``PUBLISHED``)."""
    calendar = calendar or WorkingCalendar()
    stayers = _starts(_stayers())
    stayers["child_id"] = [str(1_000_001 + i) for i in range(len(stayers))]
    stayers["rec"] = None
    # Leavers looked after at 31 March 2011 make that day's population 176.
    at_2011 = int((stayers["period_start"] <= PREVIOUS_YEAR_END).sum())
    leavers = _leavers(2_000_001, PUBLISHED["population_2011"] - at_2011)
    people = pd.concat([stayers, leavers], ignore_index=True)

    # The five late first reviews: children starting in the year, between May and December.
    new = people.index[(people["kind"] == "new") & (people["age"] > 0)
                       & (people["period_start"] < pd.Timestamp("2012-01-01"))]
    late = set(new[2::7][:_LATE])
    # The one leaver in March: in care since before the year, aged 4+ all year.
    march = people.index[(people["kind"] == "leaver") & (people["period_start"] < YEAR_START)
                         & (people["dob"] < YEAR_START - pd.DateOffset(years=4))][0]
    reviews, ends = [], []
    for i, row in people.iterrows():
        start = row["period_start"]
        early = int(i) % 6
        if row["kind"] == "leaver":
            first_year = review_chain(start, AS_OF, calendar, early=early)
            in_year = [d for d in first_year if d >= YEAR_START]
            end = (_MARCH_LEAVER_END if i == march else
                   min(in_year[0] + pd.Timedelta(days=20 + (int(i) * 13) % 200), _LAST_FEBRUARY))
            dates = [d for d in first_year if d <= end]
            ends.append(end)
        else:
            dates = review_chain(start, AS_OF, calendar, early=early,
                                 late_first=4 if i in late else 0,
                                 first_after=9 if row["kind"] == "recent" else None)
            ends.append(pd.NaT)
        reviews += [(row["child_id"], d) for d in dates]
    people["period_end"] = pd.to_datetime(pd.Series(ends, index=people.index))
    frame = pd.DataFrame(reviews, columns=["child_id", "review_date"])
    frame = _top_up(frame, people, late)
    frame = frame.assign(review_code=_codes(frame, people))
    late_children = people.loc[sorted(late), "child_id"]
    iro = _iro_service(people, frame, set(late_children), calendar)
    return truth_from_people(people, people["period_start"], people["period_end"], frame, iro,
                             AS_OF, upn_first=800000000000)


def _top_up(reviews: pd.DataFrame, people: pd.DataFrame, late: set) -> pd.DataFrame:
    """Extra reviews (a change of plan) between the latest review and 31 March, to reach 590."""
    in_year = reviews["review_date"] >= YEAR_START
    missing = PUBLISHED["reviews_in_year"] - int(in_year.sum())
    if missing < 0:
        raise ValueError(f"the statutory cycle alone gives {-missing} reviews too many")
    candidates = people[(people["kind"] == "before") & ~people.index.isin(late)]
    extra = []
    latest = reviews.groupby("child_id")["review_date"].max()
    for child in candidates["child_id"]:
        if len(extra) == missing:
            break
        last = latest[child]
        gap = (AS_OF - last).days
        if gap >= 10:
            extra.append((child, last + pd.Timedelta(days=gap // 2)))
    if len(extra) < missing:
        raise ValueError(f"only {len(extra)} of {missing} extra reviews could be placed")
    out = pd.concat([reviews, pd.DataFrame(extra, columns=["child_id", "review_date"])],
                    ignore_index=True)
    return out.sort_values(["child_id", "review_date"], ignore_index=True)


def _codes(reviews: pd.DataFrame, people: pd.DataFrame) -> pd.Series:
    """PN codes: PN0 under 4; PN1 otherwise but for 15 cohort children.

    Views missing at a review in the year (14, so 143/157): 10 with PN7 at their first review
    of the year and PN1 at their latest, one with PN7 at both (the refuser "at two reviews"),
    2 with PN7 at their latest, and one whose first review has no code recorded. PN7 at some
    review (13, "neither attended nor represented"): the 10, the refuser and the 2. Latest
    review not attended (4, so 159/163 at 31 March): the refuser, the 2 and one PN6.
    """
    by_child = people.set_index("child_id")
    dob = reviews["child_id"].map(by_child["dob"])
    aged = (reviews["review_date"] >= dob + pd.DateOffset(years=4)).to_numpy()
    codes = pd.Series(np.where(aged, "PN1", "PN0"), index=reviews.index, dtype=object)
    in_year = (reviews["review_date"] >= YEAR_START).to_numpy() & aged
    cohort = people[(people["kind"] == "before") & (people["age"] >= 5)
                    & ~people["place"].isin(["A6"])]["child_id"]
    counts = reviews[in_year].groupby("child_id").size()
    twice = [c for c in cohort if counts.get(c, 0) >= 2]
    picks = twice[::7]
    year_rows = reviews[in_year]
    first = year_rows.drop_duplicates("child_id", keep="first")
    last = year_rows.drop_duplicates("child_id", keep="last")
    row_first = pd.Series(first.index, index=first["child_id"])
    row_last = pd.Series(last.index, index=last["child_id"])
    for child in picks[:10]:
        codes[row_first[child]] = "PN7"
    codes[row_first[picks[10]]] = "PN7"
    codes[row_last[picks[10]]] = "PN7"
    for child in picks[11:13]:
        codes[row_last[child]] = "PN7"
    codes[row_first[picks[13]]] = None
    codes[row_last[picks[14]]] = "PN6"
    return codes


def _iro_service(people: pd.DataFrame, reviews: pd.DataFrame, late: set[str],
                 calendar: WorkingCalendar) -> dict[str, pd.DataFrame]:
    """The Review Managers, their notifications and allocations, records and parents' forms.

    The report's system kept no checklist or RAG, so the records carry dates only (reports
    5 working days before, recommendations and record on time). Parents were recorded on a
    monitoring form at 181 of the reviews of the year's last four months; no review has both
    a step parent and a connected person, so their shares add up to the report's 20%.
    """
    periods = periods_of(people, people["period_start"], people["period_end"])
    staff = staff_table([Post(iro, fte, _IRO_SHARE, "Conference and Review",
                              "2010-05-01" if iro == "RM7" else "2004-04-01")
                         for iro, fte in _POSTS])
    # The late children's notices came 1-3 working days past the 2-day deadline.
    notices = notifications_table(periods, calendar,
                                  {child: 1 + k % 3 for k, child in enumerate(sorted(late))})
    ordered = reviews.sort_values(["review_date", "child_id"], kind="stable")
    months = ordered[(ordered["review_date"] >= _FORM_START) & (ordered["review_date"] <= AS_OF)]
    form = months[exact_share(len(months), PUBLISHED["reviews_with_parents_recorded"]
                              / len(months))]
    parents: dict[str, dict[str, int]] = PUBLISHED["parents"]  # type: ignore[assignment]
    roles = {role: tuple(statuses.items()) for role, statuses in parents.items()}
    step, connected = (sum(parents[role].values()) for role in ("step parent",
                                                                 "connected person"))
    others = interleave((("step parent", step), ("connected person", connected),
                         (None, len(form) - step - connected)))
    slots = {role: np.array([o == role for o in others]) for role in ("step parent",
                                                                    "connected person")}
    stayers = people.loc[people["kind"] == "before", "child_id"].to_numpy()
    disputes = disputes_table([
        *((stayers[5 + 23 * k], f"2011-{5 + k:02d}-1{k}", "informal", f"2011-{6 + k:02d}-0{k + 1}")
          for k in range(5)),
        (stayers[31], "2011-09-14", "stage 1", "2011-10-20"),
        (stayers[77], "2012-01-18", "stage 1", None),
    ])
    return {
        "notifications": notices, "iro_staff": staff,
        "iro_allocations": allocations_table(notices, periods, staff),
        "review_records": review_records_table(reviews, calendar, RecordPlan(checklist={})),
        "review_participants": participants_table(form, roles, slots),
        "disputes": disputes,
    }


def compare_with_published(engine: sa.Engine, authority: str) -> pd.DataFrame:
    """The seed's headline figures beside what the published marts of ``authority`` give."""
    population = read_mart(engine, "lac_population", authority)
    reviews = read_mart(engine, "review_timeliness", authority)
    in_year = reviews[(reviews["review_date"] >= YEAR_START) & (reviews["review_date"] <= AS_OF)]
    timeliness = read_mart(engine, "review_timeliness_indicator", authority).set_index(
        "year_ending")
    participation = read_mart(engine, "participation_indicator", authority)
    participation = participation[participation["year_ending"] == AS_OF.year].set_index("measure")

    def ratio(measure: str) -> str:
        row = participation.loc[measure]
        return f"{int(row['numerator'])}/{int(row['denominator'])}"

    rows = [
        ("looked after at 31 March 2012", PUBLISHED["population_2012"],
         int(population.loc[population["year_ending"] == 2012, "children"].sum())),
        ("looked after at 31 March 2011", PUBLISHED["population_2011"],
         int(population.loc[population["year_ending"] == 2011, "children"].sum())),
        ("reviews held in 2011/12", PUBLISHED["reviews_in_year"], len(in_year)),
        ("children reviewed in 2011/12", PUBLISHED["children_reviewed_in_year"],
         in_year["child_id"].nunique()),
        ("reviewed within timescales",
         f"{PUBLISHED['reviewed_on_time']}/{PUBLISHED['timeliness_cohort']}",
         f"{int(timeliness.loc[2012, 'reviewed_on_time'])}/{int(timeliness.loc[2012, 'cohort'])}"),
        ("communicated views at every review",
         f"{PUBLISHED['participated_every_review']}/{PUBLISHED['participation_cohort']}",
         ratio(VIEWS_EVERY_REVIEW)),
        ("attended most recent review", "{}/{}".format(*PUBLISHED["attended_latest"]),
         ratio(ATTENDED_LATEST)),
        ("neither attended nor represented", PUBLISHED["not_represented"],
         int(participation.loc[NOT_REPRESENTED, "numerator"])),
        *_service_rows(engine, authority),
    ]
    return comparison_table(rows)


def _service_rows(engine: sa.Engine, authority: str) -> list[tuple[str, object, object]]:
    """The figures from the IRO service's own records: notifications, parents, staffing."""
    late = read_mart(engine, "late_notifications", authority)
    late = late[late["period_start"] >= YEAR_START]
    parents = read_mart(engine, "parental_participation", authority)
    parents = parents[parents["year_ending"] == AS_OF.year].set_index(["role", "status"])
    workforce = read_mart(engine, "iro_workforce", authority).set_index("year_ending").loc[
        AS_OF.year]
    published: dict[str, dict[str, int]] = PUBLISHED["parents"]  # type: ignore[assignment]
    involved: dict[str, int] = PUBLISHED["parents_involved_percent"]  # type: ignore[assignment]

    def share(*roles: str) -> int:
        rows = parents.loc[[(role, status) for role in roles
                            for status in ("attended", "consulted")]]
        return round(100 * rows["reviews"].sum() / rows["reviews_recorded"].iloc[0])

    rows: list[tuple[str, object, object]] = [
        ("late notifications, first review then late", PUBLISHED["late_notifications"],
         int((late["first_review_on_time"] == False).sum())),  # noqa: E712 (nullable)
        ("reviews with parents recorded", PUBLISHED["reviews_with_parents_recorded"],
         int(parents["reviews_recorded"].iloc[0])),
    ]
    for role, statuses in published.items():
        rows.append((f"{role}: " + ", ".join(statuses),
                     "/".join(str(n) for n in statuses.values()),
                     "/".join(str(int(parents.loc[(role, status), "reviews"]))
                              for status in statuses)))
    rows += [
        ("mothers attended or consulted %", involved["mother"], share("mother")),
        ("fathers attended or consulted %", involved["father"], share("father")),
        ("step parent or connected person attended or consulted %",
         involved["step parent or connected person"], share("step parent", "connected person")),
        ("Review Managers in post", PUBLISHED["iros_in_post"], int(workforce["iros_in_post"])),
        ("Review Managers' FTE", PUBLISHED["fte"], round(float(workforce["fte"]), 1)),
        ("share of their time on the IRO role %", PUBLISHED["iro_share_percent"],
         round(100 * float(workforce["iro_fte"]) / float(workforce["fte"]))),
    ]
    return rows
