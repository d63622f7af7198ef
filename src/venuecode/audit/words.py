"""What a citizen's access log says for each audit action and staff role, in words.

English message ids, marked with `N_()` for `scripts/i18n`; the zh catalogue translates
them, and the access log (`people/api.py`, the history page) shows only these words,
never the raw action codes. An action without an entry here is not shown to citizens.
"""

from __future__ import annotations

from venuecode.audit.actions import AuditAction as A
from venuecode.msgid import N_

# Reads and acts of others on a person's data; a person's own actions are left out.
ACTION_WORDS: dict[A, str] = {
    A.PERSON_VIEWED: N_("Staff looked up your health status"),
    A.PHONE_REVEALED: N_("A tracer displayed your name and phone number"),
    A.TRACE_RUN: N_("A contact trace was run whose result includes you"),
    A.TRACE_LISTED: N_("Your case record was shown in the tracers' list of cases and traces"),
    A.TRACE_VIEWED: N_("A tracer viewed a trace result that lists you"),
    A.TRACE_GRAPH_VIEWED: N_("A tracer viewed a trace's chain graph that includes you"),
    A.TRACE_EXPORTED: N_("A trace result that lists you was exported to a file"),
    A.TRACE_ACTION_APPROVED: N_("A health-code push after a trace changed your health code"),
    A.TRACE_MARK_LIFTED: N_("Your tracing control was lifted"),
    A.HELP_SCAN_RECORDED: N_("You were checked in by help-scan"),
    A.PAPER_CODE_ISSUED: N_("A paper health code was issued for you"),
    A.PAPER_CODE_REVOKED: N_("Your paper health code was revoked"),
    A.ID_CARD_READ: N_("Your ID card was read for a help-scan"),
    A.INGEST_REJECTS_DOWNLOADED: N_("A file of rejected import records that includes you was downloaded"),
    A.IDENTITY_DESK_BOUND: N_("A service desk checked your ID card and bound your identity to an account"),
    A.IDENTITY_RELEASED: N_("Your identity was moved to the account whose phone the population registry holds"),
}

ROLE_WORDS: dict[str, str] = {
    "citizen": N_("Citizen"),
    "venue_manager": N_("Venue manager"),
    "district_admin": N_("District administrator"),
    "tracer": N_("Tracer"),
    "tracing_supervisor": N_("Tracing supervisor"),
    "system_admin": N_("System administrator"),
    "operator": N_("Operator (command line)"),
    "system": N_("The system"),
    "source": N_("Data source"),
}
UNKNOWN_ROLE = N_("Staff")

VISIBLE_ACTIONS: tuple[str, ...] = tuple(a.value for a in ACTION_WORDS)
# Events about the account rather than the person (subject "user"), shown to its holder.
ACCOUNT_ACTIONS: tuple[str, ...] = (A.IDENTITY_RELEASED.value,)


def action_words(action: str) -> str:
    return ACTION_WORDS[A(action)]


def role_words(role: str) -> str:
    return ROLE_WORDS.get(role, UNKNOWN_ROLE)
