"""The validation rules of the data contract: an id, a severity and a plain-English message.

Every pandera check in the contract is named by a rule id from here, so a
failure found by pandera, by the readers or by the cross-table checks becomes
the same kind of record a quality officer can act on. ``error`` rows are
quarantined; ``warning`` rows stay in the clean tables with the failure noted.
:data:`HOLDING_RULES` are about the export as a whole: any of them holds the load back.
"""

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


#: What a failure costs. quarantine: the row is set aside whole (error). blank: the field is
#: left blank and the row kept, because the rules can still use it (warning). keep: the row
#: is kept as it is, the failure noted (warning). hold: the export as a whole is broken, so
#: the load is held back (see HOLDING_RULES).
Consequence = Literal["quarantine", "blank", "keep", "hold"]


@dataclass(frozen=True)
class Rule:
    """One validation rule; ``message`` may use ``{column}`` and ``{value}``."""

    id: str
    severity: Severity
    message: str
    #: Left out: an error quarantines the row, a warning keeps it.
    blanks_field: bool = False

    @property
    def consequence(self) -> Consequence:
        if self.id in HOLDING_RULES:
            return "hold"
        if self.blanks_field:
            return "blank"
        return "quarantine" if self.severity == "error" else "keep"


_RULES = [
    Rule("required", "error", "{column} is blank but every row needs one."),
    Rule("date_format", "error",
         "{column} '{value}' is not a date (expected dd/mm/yyyy, yyyy-mm-dd or an Excel date)."),
    Rule("number_format", "warning", "{column} '{value}' is not a number; it was left blank.",
         blanks_field=True),
    Rule("expected_blank", "warning",
         "{column} is blank: the row is kept, but figures that need it (such as caseload per "
         "FTE) leave it out until it is given."),
    Rule("code_list", "error",
         "{column} '{value}' is not a valid code for this field (an SSDA903 code, or one of the "
         "contract's values for the IRO service's records)."),
    Rule("code_list_warning", "warning",
         "{column} '{value}' is not a valid SSDA903 code for this field; it is reported as unknown."),
    Rule("date_range", "error", "{column} '{value}' is outside the plausible range 1990-2100."),
    Rule("episode_ends_before_start", "error",
         "The episode ends (DEC {value}) before it starts (DECOM)."),
    Rule("reason_without_end", "warning",
         "REC '{value}' is given but the episode has no end date (DEC): the episode is kept as "
         "open and the REC left blank.", blanks_field=True),
    Rule("end_without_reason", "error", "The episode ends on {value} (DEC) but has no reason (REC)."),
    Rule("earlier_episode_open", "warning",
         "The episode starting {value} is followed by a later one but has no end date or no "
         "reason it ended (DEC, REC): an episode must end before the next one starts."),
    # Kept: a period of care still starts at the overlapping episode, and the authority
    # corrects the dates; the DfE rejects the return until it does.
    Rule("overlapping_episode", "warning",
         "The episode starting {value} (DECOM) starts before the child's previous episode "
         "ended (its DEC): episodes must not overlap."),
    Rule("source_conflict", "warning",
         "An earlier source of this load holds this record with a different {column} (here "
         "'{value}'); the earlier source's row is the one used."),
    Rule("duplicate_child", "error",
         "This child already has a header row earlier in the file; only the first is used."),
    Rule("duplicate_episode", "error",
         "An episode for this child starting on {value} is already recorded; only the first is used."),
    Rule("duplicate_review", "error",
         "A review for this child on {value} is already recorded; it is counted once."),
    Rule("unknown_child", "error",
         "No valid header record exists for child '{value}', so this row cannot be used."),
    Rule("unknown_iro", "error",
         "No valid IRO staff record exists for IRO '{value}', so this row cannot be used."),
    Rule("unknown_review", "error",
         "No valid review of this child on {value} exists, so this row cannot be used."),
    Rule("flag_format", "warning", "{column} '{value}' is not a yes/no answer; it was left blank.",
         blanks_field=True),
    Rule("duplicate_notification", "error",
         "A notification for this child's period starting {value} is already recorded; "
         "only the first is used."),
    Rule("duplicate_iro_staff", "error",
         "This IRO already has a row starting {value}; only the first is used."),
    Rule("duplicate_iro_allocation", "error",
         "An allocation for this child starting {value} is already recorded; only the first is used."),
    Rule("duplicate_review_record", "error",
         "A review record for this child on {value} is already recorded; only the first is used."),
    Rule("duplicate_review_participant", "error",
         "This participant role is already recorded for the review; only the first is used."),
    Rule("duplicate_dispute", "error",
         "This dispute step is already recorded; only the first is used."),
    Rule("ends_before_start", "error", "The end date {value} is before the start date."),
    Rule("issued_before_review", "warning",
         "{column} {value} is before the review it records: check the date (the record "
         "timeliness flags count from it as given)."),
    Rule("rating_on_cancelled_review", "warning",
         "A RAG rating '{value}' is recorded for a cancelled review; it is left out of the RAG "
         "figures."),
    Rule("review_before_birth", "error", "The review date {value} is before the child's birth."),
    Rule("pn0_aged_four", "warning",
         "REVIEW_CODE PN0 says the child was under 4 at the review on {value}, but the date of "
         "birth makes them 4 or over: record how the child took part (PN1-PN7)."),
    Rule("pn_under_four", "warning",
         "REVIEW_CODE says how a child of 4 or over took part in the review on {value}, but "
         "the date of birth makes them under 4: PN0."),
    Rule("review_short_breaks_only", "warning",
         "This child's care is only agreed short breaks (LS V3/V4), which have no statutory "
         "reviews in the 903; the review on {value} is left out of timeliness."),
    Rule("review_outside_care", "warning",
         "The review on {value} falls outside every period of care of this child; "
         "it is left out of timeliness."),
    Rule("schema", "error", "{column} '{value}' does not fit the data contract."),
    Rule("answers_not_json", "error",
         "The form's {column} '{value}' is not a JSON object, so the form could not be read; "
         "fix or re-save the form."),
    Rule("line_not_json", "error",
         "The line is not a form record: {value}. The form on it could not be read."),
    Rule("participant_not_record", "error",
         "{column} lists '{value}', which is not a participant (a role and a status); it was "
         "not read."),
    Rule("blank_row", "warning", "The row is empty; it was ignored."),
    Rule("bad_row_shape", "error",
         "The row has {value} cells where the header has a different number; check for "
         "stray delimiters or a truncated line."),
    Rule("ragged_answer", "warning",
         "The answer row has {value} cells where the header has a different number (an unquoted "
         "comma?); if the mapping reads this answer, its step's row was held back too."),
    Rule("missing_column", "error",
         "Column {column} was not found in the file's header row; every row lacks it."),
    Rule("unreadable_file", "error", "The file could not be read: {value}."),
    Rule("parse_stopped", "error",
         "Reading stopped early ({value}): the rows after it were not read, so this load is "
         "held back and the previous marts stay published. Fix the file and load again."),
    Rule("missing_table", "error",
         "No rows of the {column} table were read: its file is missing, empty or not "
         "recognised. The load is held back and the previous marts stay published."),
    Rule("rows_dropped", "error",
         "{value}. The load is held back and the previous marts stay published; if the drop "
         "is real, load again with --accept-drop."),
    Rule("empty_file", "warning", "The file is empty; no rows were read from it."),
    Rule("unrecognised_file", "warning",
         "The file is not part of an export this system produces; it was skipped."),
    Rule("not_utf8", "warning", "The file is not UTF-8; it was read as Windows-1252 text."),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}

#: The DfE's rule codes (the 903 validator's) for the failures that are the same finding:
#: (table, canonical column, our rule) -> DfE code. Differences in meaning are in
#: docs/contract.md.
DFE_CODES: dict[tuple[str, str, str], str] = {
    ("episodes", "decom", "earlier_episode_open"): "142",
    ("episodes", "rec", "reason_without_end"): "148",
    ("episodes", "dec", "end_without_reason"): "148",
    ("episodes", "decom", "overlapping_episode"): "501",
    ("reviews", "review_date", "date_format"): "166",
    ("reviews", "review_date", "required"): "166",
    ("reviews", "review_code", "code_list"): "167",
    ("reviews", "review_date", "review_short_breaks_only"): "399",
    ("reviews", "review_code", "pn0_aged_four"): "440",
    ("reviews", "review_code", "pn_under_four"): "441",
    ("reviews", "child_id", "unknown_child"): "INT08",
}

#: Failures that say the export is structurally broken (a table missing, a file read only
#: in part, a collapse against the last published load): the load publishes its failure
#: records and load summary only, and the previous marts stay.
#: How a person puts each kind of failure right, in the case-recording system (the next
#: load picks the correction up). Rules about the export file itself say what to send again.
FIXES: dict[str, str] = {
    "required": "Fill in the field on the child's record in the case-recording system.",
    "date_format": "Enter the date as a real date (dd/mm/yyyy) in the case-recording system.",
    "number_format": "Enter a number (e.g. 0.8) in the case-recording system.",
    "expected_blank": "Fill in the field (for an IRO, the post's FTE) in the system's staff "
                      "record.",
    "code_list": "Choose one of the valid codes (listed beside the failure) in the "
                 "case-recording system.",
    "code_list_warning": "Choose one of the valid codes (listed beside the failure).",
    "date_range": "Check the year: correct a mistyped date in the case-recording system.",
    "episode_ends_before_start": "Correct the episode's start or end date.",
    "reason_without_end": "Either enter the date the episode ended, or remove the reason.",
    "end_without_reason": "Enter the reason the episode ended (REC).",
    "earlier_episode_open": "Close the earlier episode (end date and reason) where the next "
                            "one starts.",
    "overlapping_episode": "End the earlier episode on or before the next one's start date.",
    "source_conflict": "Make the two systems agree; the first source's value is used until "
                       "they do.",
    "duplicate_child": "Merge or remove the repeated child record.",
    "duplicate_episode": "Remove the repeated episode.",
    "duplicate_review": "Remove the review recorded twice.",
    "unknown_child": "Record the child's details (header record), or correct the child's id.",
    "unknown_iro": "Add the IRO to the staff records, or correct the IRO's id.",
    "unknown_review": "Record the review itself, or correct the review date.",
    "flag_format": "Answer yes or no.",
    "ends_before_start": "Correct the start or end date.",
    "issued_before_review": "Correct the date the document was issued, or the review date.",
    "rating_on_cancelled_review": "Remove the rating, or record the review as held.",
    "review_before_birth": "Correct the review date or the child's date of birth.",
    "pn0_aged_four": "Record how the child took part (PN1-PN7): they were 4 or over.",
    "pn_under_four": "Record PN0: the child was under 4 at the review.",
    "review_short_breaks_only": "Remove the review, or correct the legal status (V3/V4 "
                                "short breaks are not reviewed this way).",
    "review_outside_care": "Correct the review date, or the episode dates that cover it.",
    "bad_row_shape": "Export the file again; a row has more or fewer cells than the header.",
    "missing_column": "Export the report again with the column included.",
    "unreadable_file": "Send the file again (or check the database connection).",
    "parse_stopped": "Send the whole file again: it was cut short.",
    "missing_table": "Send the missing table's file with the rest of the export.",
    "rows_dropped": "Check the export is complete; if the drop is real, load it with "
                    "--accept-drop.",
    "empty_file": "Send the file again with its rows, or leave it out.",
    "unrecognised_file": "Remove the file from the export folder, or tell the plugin about it.",
}
#: For the rules above not listed there.
DEFAULT_FIX = "Correct the record in the case-recording system; the next load picks it up."


def how_to_fix(rule_id: str) -> str:
    return FIXES.get(rule_id, DEFAULT_FIX)


HOLDING_RULES = frozenset({"parse_stopped", "missing_table", "rows_dropped"})


def message(rule_id: str, column: str | None, value: object) -> str:
    """The plain-English message of one failure."""
    return RULES[rule_id].message.format(column=column or "", value="" if value is None else value)
