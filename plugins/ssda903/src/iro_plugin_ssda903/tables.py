"""The SSDA903 tables as they appear in CSV exports: accepted headers per canonical column."""

from iro_etl.sources.readers import TableSpec

CHILDREN = TableSpec(
    "children",
    {
        "child_id": ("CHILD", "CHILDID", "CHILD ID", "CHILD_REF"),
        "sex": ("SEX", "GENDER"),
        "dob": ("DOB", "DATE OF BIRTH", "BIRTH DATE"),
        "ethnic": ("ETHNIC", "ETHNICITY"),
        "upn": ("UPN",),
    },
    required=("child_id", "sex", "dob"),
)

EPISODES = TableSpec(
    "episodes",
    {
        "child_id": ("CHILD", "CHILDID", "CHILD ID", "CHILD_REF"),
        "decom": ("DECOM", "EPISODE START", "START DATE"),
        "rne": ("RNE",),
        "ls": ("LS", "LEGAL STATUS"),
        "cin": ("CIN",),
        "place": ("PLACE", "PL"),
        "place_provider": ("PLACE_PROVIDER",),
        "dec": ("DEC", "EPISODE END", "END DATE"),
        "rec": ("REC",),
        "reason_place_change": ("REASON_PLACE_CHANGE",),
        "home_post": ("HOME_POST",),
        "pl_post": ("PL_POST",),
        "urn": ("URN",),
        "pl_distance": ("PL_DISTANCE",),
        "pl_la": ("PL_LA",),
        "pl_location": ("PL_LOCATION",),
    },
    required=("child_id", "decom", "rne", "ls", "place"),
)

REVIEWS = TableSpec(
    "reviews",
    {
        "child_id": ("CHILD", "CHILDID", "CHILD ID", "CHILD_REF"),
        "review_date": ("REVIEW", "REVIEW DATE"),
        "review_code": ("REVIEW_CODE", "PARTICIPATION"),
    },
    required=("child_id", "review_date"),
)

SPECS = (CHILDREN, EPISODES, REVIEWS)

#: Columns of the DfE's header of a table the marts read that no mart uses. They are part
#: of the table's full header: they count for recognising it, and against taking its file
#: for another table.
UNUSED_COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("MOTHER", "MC_DOB"),
    "reviews": ("DOB",),
}

#: The return's other tables, by their DfE CSV headers (DfE SSDA903 specification; see
#: FIRST_COLLECTION_YEAR for the newer ones). Recognised by the full header and reported as
#: read but not used, never taken for a table the marts read: several share CHILD, SEX and
#: DOB with the header table.
OTHER_TABLES: dict[str, tuple[str, ...]] = {
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "oc2": ("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
            "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR",
            "SEX_ADOPTR", "LS_ADOPTR"),
    "placed_for_adoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED",
                            "REASON_PLACED_CEASED"),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "dolo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}

#: Tables that joined the return after 2013/14, by the collection year (ending 31 March)
#: of the first return to carry them: social workers' episodes from 2023/24, deprivation of
#: liberty orders from 2026/27. The three tables the marts read kept their CSV headers over
#: these years (docs/plugins.md lists the layouts and where they come from).
FIRST_COLLECTION_YEAR = {"sw_episodes": 2024, "dolo": 2027}


def tables_of(year: int) -> tuple[str, ...]:
    """The return's tables no mart reads, as the return for the year ending 31 March
    ``year`` has them."""
    return tuple(t for t in OTHER_TABLES if FIRST_COLLECTION_YEAR.get(t, 0) <= year)

#: Canonical column -> the DfE's CSV header, for writing exports.
CSV_NAMES = {spec.table: {col: aliases[0] for col, aliases in spec.columns.items()}
             for spec in SPECS}
