"""The Eclipse (OLM) warehouse views this plugin reads, with the views' own column names.

Names are those the public SSD extract SQL for Eclipse reads (data-to-insight/
ssd-data-model, deployment_extracts/eclipse). That SQL writes them unquoted in upper case,
which PostgreSQL (Eclipse's warehouse) folds to lower case, so they are declared in lower
case here: matching is case-insensitive for extract files, headers and database tables.

Eclipse keeps what the contract needs in a few views: people (personview,
persondemographicsview, referencenumberpersonview for the UPN), care
(claperiodofcareview; claepisodeofcareview holds each episode with its legal status and
placement), professionals' relationships with a child (relationshipprofessionalview) and
people's team memberships (personorgrelationshipview). Reviews and the IRO's records are
forms, whose answers are long rows of formanswerpersonview (one per form control).
"""

from __future__ import annotations

from iro_etl.sources.warehouse import WarehouseTable, column_names

PERSON = WarehouseTable(
    "personview", "children",
    {"personid": "child_id", "duplicated": "duplicated"},
    required=("personid",), order_by=("personid",))

DEMOGRAPHICS = WarehouseTable(
    "persondemographicsview", "children",
    {"personid": "child_id", "sex": "sex", "dateofbirth": "dob", "ethnicitycode": "ethnic"},
    required=("personid",), order_by=("personid",))

REFERENCE_NUMBERS = WarehouseTable(
    "referencenumberpersonview", "children",
    {"personid": "child_id", "referencetypecode": "type", "referencenumber": "upn",
     "startdate": "start", "enddate": "end"},
    required=("personid", "referencetypecode", "referencenumber"),
    order_by=("personid", "startdate"))

PERIODS = WarehouseTable(
    "claperiodofcareview", "episodes",
    {"personid": "child_id", "periodofcareid": "period_id"},
    required=("personid", "periodofcareid"), order_by=("periodofcareid",))

EPISODES = WarehouseTable(
    "claepisodeofcareview", "episodes",
    {"personid": "child_id", "eocstartdate": "decom", "eocstartreasoncode": "rne",
     "legalstatus": "ls", "categoryofneed": "cin", "placementtypecode": "place",
     "placementprovisioncode": "place_provider", "eocenddate": "dec",
     "eocendreasoncode": "rec", "placementchangereasoncode": "reason_place_change",
     "placementpostcode": "pl_post"},
    required=("personid", "eocstartdate"), order_by=("episodeofcareid",))

ANSWERS = WarehouseTable(
    "formanswerpersonview", "reviews",
    {"instanceid": "instance_id", "designguid": "design", "designsubname": "subname",
     "instancestate": "state", "answerforsubjectid": "child_id", "controlname": "control",
     "answervalue": "answer", "shortanswervalue": "short", "dateanswervalue": "date_answer"},
    required=("instanceid", "designguid", "answerforsubjectid", "controlname"),
    order_by=("instanceid", "controlname"))

RELATIONSHIPS = WarehouseTable(
    "relationshipprofessionalview", "iro_allocations",
    {"personrelationshiprecordid": "involvement_id",
     "professionalrelationshippersonid": "iro_id", "relationshipclasscode": "role",
     "personid": "child_id", "startdate": "from_date", "closedate": "to_date"},
    required=("personid", "professionalrelationshippersonid", "relationshipclasscode"),
    order_by=("personrelationshiprecordid",))

TEAMS = WarehouseTable(
    "personorgrelationshipview", "iro_staff",
    {"personid": "iro_id", "organisationid": "team", "datestarted": "from_date",
     "dateended": "to_date"},
    required=("personid", "organisationid"), order_by=("relationshipid",))

TABLES = (PERSON, DEMOGRAPHICS, REFERENCE_NUMBERS, PERIODS, EPISODES, ANSWERS, RELATIONSHIPS,
          TEAMS)

#: Tables whose presence says a location is an Eclipse warehouse (by their own headers).
SIGNATURE = (EPISODES, ANSWERS)

#: personview.duplicated for a record the authority marked as another's duplicate: left
#: out everywhere, as the extract SQL does.
DUPLICATE = "DUPLICATE"

#: referencenumberpersonview.referencetypecode of a unique pupil number.
UPN_TYPE = "UPN"

COLUMN_NAMES = column_names(TABLES)
