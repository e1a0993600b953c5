"""SSDA903 code lists and the groupings the IRO annual report uses.

Current codes and the older ones still found in historic returns are both
valid: historic years must load, and the Central Bedfordshire 2011/12 tables
are split by the pre-2013 F/H placement codes.
"""

SEX = {"1": "male", "2": "female"}

RNE = {
    "S": "started to be looked after",
    "L": "change of legal status only",
    "P": "change of placement and carer(s) only",
    "T": "change of placement, same carer(s)",
    "B": "change of legal status and of placement and carer(s)",
    "U": "change of legal status and of placement, same carer(s)",
}

#: REC X1: the episode ceased and a new one began the same day; care continues.
REC_CONTINUES = "X1"
REC = {
    "X1": "episode ceased, new episode began",
    "E11": "adopted (application unopposed)",
    "E12": "adopted (consent dispensed with)",
    "E13": "left care to live with parents or relatives without parental responsibility",
    "E14": "accommodation on remand ended",
    "E15": "age assessment determined aged 18 or over",
    "E16": "child moved abroad",
    "E17": "aged 18 or over and remained with current carers",
    "E2": "died",
    "E3": "care taken over by another local authority",
    "E4": "returned home to live with parents or relatives",
    "E41": "residence order or child arrangements order granted",
    "E43": "special guardianship order made to former foster carers",
    "E44": "special guardianship order made to carers other than former foster carers",
    "E45": "special guardianship order made to former foster carers",
    "E46": "special guardianship order made to carers other than former foster carers",
    "E47": "special guardianship order made to former foster carers (relative or friend)",
    "E48": "special guardianship order made to other carers (relative or friend)",
    "E4A": "returned home as part of the care plan",
    "E4B": "returned home not as part of the care plan",
    "E5": "moved into independent living with supportive accommodation",
    "E6": "moved into independent living without formalised support",
    "E7": "transferred to residential care funded by adult social care",
    "E8": "period of being looked after ceased for any other reason",
    "E9": "sentenced to custody",
}

LS = {
    "C1": "interim care order",
    "C2": "full care order",
    "D1": "freeing order",
    "E1": "placement order",
    "J1": "remanded to local authority accommodation",
    "J2": "placed in local authority accommodation under PACE",
    "J3": "sentenced to a supervision order with residence requirement",
    "L1": "police protection",
    "L2": "emergency protection order",
    "L3": "child assessment order",
    "V2": "single period of accommodation under section 20",
    "V3": "accommodated under an agreed series of short-term breaks",
    "V4": "accommodated under an agreed series of short-term breaks (other)",
}
#: Children in an agreed series of short breaks follow other review rules.
LS_SHORT_BREAKS = frozenset({"V3", "V4"})

LS_GROUP = {
    "C1": "interim care order",
    "C2": "full care order",
    "D1": "placement order",
    "E1": "placement order",
    "J1": "remand or sentence",
    "J2": "remand or sentence",
    "J3": "remand or sentence",
    "L1": "emergency orders",
    "L2": "emergency orders",
    "L3": "emergency orders",
    "V2": "section 20",
    "V3": "short breaks",
    "V4": "short breaks",
}

CIN = {f"N{i}": f"category of need N{i}" for i in range(1, 9)}

PLACE = {
    "A3": "placed for adoption with consent with current foster carer",
    "A4": "placed for adoption with consent not with current foster carer",
    "A5": "placed for adoption with placement order with current foster carer",
    "A6": "placed for adoption with placement order not with current foster carer",
    "H5": "semi-independent living accommodation",
    "K1": "secure children's home",
    "K2": "children's home",
    "K3": "supported accommodation",
    "P1": "placed with own parents",
    "P2": "independent living",
    "P3": "residential employment",
    "R1": "residential care home",
    "R2": "NHS or health trust",
    "R3": "family centre or mother and baby unit",
    "R5": "young offender institution or prison",
    "S1": "residential school",
    "T0": "temporary placement",
    "T1": "temporary: periods of less than 7 days",
    "T2": "temporary: holiday",
    "T3": "temporary: away from placement",
    "T4": "temporary: other",
    "U1": "foster with relative or friend, long term",
    "U2": "foster with relative or friend who is a prospective adopter",
    "U3": "foster with relative or friend, not long term",
    "U4": "foster with other carer, long term",
    "U5": "foster with other carer who is a prospective adopter",
    "U6": "foster with other carer, not long term",
    "Z1": "other placement",
    # Older codes, still present in historic returns.
    "Q1": "foster with relative or friend",
    "Q2": "foster with other carer",
    "F1": "foster with relative or friend, inside the council",
    "F2": "foster with relative or friend, outside the council",
    "F3": "foster with other carer, inside the council",
    "F4": "foster with other carer, outside the council",
    "F5": "foster with agency carer, inside the council",
    "F6": "foster with agency carer, outside the council",
    "H1": "secure unit, inside the council",
    "H2": "secure unit, outside the council",
    "H3": "children's home, inside the council",
    "H4": "children's home, outside the council",
}
PLACE_ADOPTION = frozenset({"A3", "A4", "A5", "A6"})

PLACE_GROUP = {
    **dict.fromkeys(["U1", "U2", "U3", "Q1", "F1", "F2"], "foster with relative or friend"),
    **dict.fromkeys(["U4", "U5", "U6", "Q2", "F3", "F4", "F5", "F6"], "foster with other carer"),
    **dict.fromkeys(["K1", "K2", "R1", "R2", "R3", "R5", "S1", "H1", "H2", "H3", "H4"],
                    "residential"),
    **dict.fromkeys(sorted(PLACE_ADOPTION), "placed for adoption"),
    "P1": "with parents",
    **dict.fromkeys(["P2", "P3", "H5", "K3"], "independent living"),
    **dict.fromkeys(["T0", "T1", "T2", "T3", "T4", "Z1"], "other"),
}

#: Placements whose code alone says inside or outside the council (pre-2013 codes).
PLACE_LOCATION = {
    "F1": "inside", "F3": "inside", "F5": "inside", "H1": "inside", "H3": "inside",
    "F2": "outside", "F4": "outside", "F6": "outside", "H2": "outside", "H4": "outside",
}

REVIEW_CODE = {
    "PN0": "child under 4 at the review",
    "PN1": "attended and spoke for self",
    "PN2": "attended, an advocate spoke",
    "PN3": "attended, conveyed views symbolically",
    "PN4": "attended but did not convey views",
    "PN5": "did not attend, briefed an advocate",
    "PN6": "did not attend, conveyed views another way",
    "PN7": "did not attend and views not conveyed",
}

ETHNIC = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage",
    "WOTH": "any other White background", "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean", "MWBA": "White and Black African",
    "MWAS": "White and Asian", "MOTH": "any other mixed background",
    "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi", "AOTH": "any other Asian",
    "BCRB": "Caribbean", "BAFR": "African", "BOTH": "any other Black background",
    "CHNE": "Chinese", "OOTH": "any other ethnic group",
    "REFU": "refused", "NOBT": "information not yet obtained",
}
ETHNIC_GROUP_BY_PREFIX = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black"}
ETHNIC_GROUP_OTHER = {"CHNE": "Other", "OOTH": "Other", "REFU": "Not given", "NOBT": "Not given"}


def ethnic_group(code: str) -> str:
    """The report's ethnicity group of one ETHNIC code."""
    return ETHNIC_GROUP_OTHER.get(code) or ETHNIC_GROUP_BY_PREFIX.get(code[:1], "Not given")


#: Age bands of the 31 March population table, as (label, lowest age, highest age).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 1", 0, 0),
    ("1-4", 1, 4),
    ("5-9", 5, 9),
    ("10-15", 10, 15),
    ("16-17", 16, 17),
    ("18+", 18, 200),
)

# --- IRO service codes (not in the 903: they come from the case-recording systems) ---

PARTICIPANT_ROLES = ("mother", "father", "step parent", "connected person", "child")
PARTICIPATION_STATUSES = ("attended", "consulted", "not applicable", "no consultation",
                          "not recorded")
REVIEW_STATUSES = ("held", "rescheduled", "cancelled")
#: A review that took place (a rescheduled one was held later than first planned).
REVIEW_HELD = ("held", "rescheduled")
RAG = ("red", "amber", "green")
DISPUTE_STAGES = ("informal", "stage 1", "stage 2", "stage 3", "cafcass")
