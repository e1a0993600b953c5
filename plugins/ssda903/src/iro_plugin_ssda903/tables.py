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

#: Canonical column -> the DfE's CSV header, for writing exports.
CSV_NAMES = {spec.table: {col: aliases[0] for col, aliases in spec.columns.items()}
             for spec in SPECS}
