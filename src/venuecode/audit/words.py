"""What a citizen's access log says for each audit action and staff role, in words.

English message ids; the zh catalogue (`scripts/zh_messages.py`) translates them, and
the access log (`people/api.py`, the history page) shows only these words, never the
raw action codes. An action without an entry here is not shown to citizens.
"""

from __future__ import annotations

from venuecode.audit.actions import AuditAction as A

# Reads and acts of others on a person's data; a person's own actions are left out.
ACTION_WORDS: dict[A, str] = {
    A.PERSON_VIEWED: "Staff looked up your health status",
    A.PHONE_REVEALED: "A tracer displayed your name and phone number",
    A.TRACE_RUN: "A contact trace was run whose result includes you",
    A.TRACE_LISTED: "Your case record was shown in the tracers' list of cases and traces",
    A.TRACE_VIEWED: "A tracer viewed a trace result that lists you",
    A.TRACE_GRAPH_VIEWED: "A tracer viewed a trace's chain graph that includes you",
    A.TRACE_EXPORTED: "A trace result that lists you was exported to a file",
    A.TRACE_ACTION_APPROVED: "A health-code push after a trace changed your health code",
    A.TRACE_MARK_LIFTED: "Your tracing control was lifted",
    A.HELP_SCAN_RECORDED: "You were checked in by help-scan",
    A.PAPER_CODE_ISSUED: "A paper health code was issued for you",
    A.PAPER_CODE_REVOKED: "Your paper health code was revoked",
    A.ID_CARD_READ: "Your ID card was read for a help-scan",
    A.INGEST_REJECTS_DOWNLOADED: "A file of rejected import records that includes you was downloaded",
    A.IDENTITY_DESK_BOUND: "A service desk checked your ID card and bound your identity to an account",
    A.IDENTITY_RELEASED: "Your identity was moved to the account whose phone the population registry holds",
    A.VENUE_ENTRIES_EXPORTED: "A list of a venue's entries that includes you was exported to a file",
}

ROLE_WORDS: dict[str, str] = {
    "citizen": "Citizen",
    "venue_manager": "Venue manager",
    "district_admin": "District administrator",
    "tracer": "Tracer",
    "tracing_supervisor": "Tracing supervisor",
    "system_admin": "System administrator",
    "operator": "Operator (command line)",
    "system": "The system",
    "source": "Data source",
}
UNKNOWN_ROLE = "Staff"

VISIBLE_ACTIONS: tuple[str, ...] = tuple(a.value for a in ACTION_WORDS)
# Events about the account rather than the person (subject "user"), shown to its holder.
ACCOUNT_ACTIONS: tuple[str, ...] = (A.IDENTITY_RELEASED.value,)


def action_words(action: str) -> str:
    return ACTION_WORDS[A(action)]


def role_words(role: str) -> str:
    return ROLE_WORDS.get(role, UNKNOWN_ROLE)
