"""What a citizen's access log says for each audit action and staff role, in words.

English message ids; the zh catalogue (`scripts/zh_messages.py`) translates them, and
the access log (`people/api.py`, the history page) shows only these words, never the
raw action codes. An action without an entry here is not shown to citizens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
    A.TRACE_EXPORTED_WITH_PHONES:
        "A trace result that lists your name and phone number was exported to a file",
    A.TRACE_ACTION_APPROVED: "A health-code push after a trace changed your health code",
    A.TRACE_MARK_LIFTED: "Your tracing control was lifted",
    A.HELP_SCAN_RECORDED: "You were checked in by help-scan",
    A.PAPER_CODE_ISSUED: "A paper health code was issued for you",
    A.PAPER_CODE_REVOKED: "Your paper health code was revoked",
    A.ID_CARD_READ: "Your ID card was read for a help-scan",
    A.INGEST_REJECTS_DOWNLOADED: "A file of rejected import records that includes you was downloaded",
    A.IDENTITY_DESK_BOUND: "A service desk checked your ID card and bound your identity to an account",
    A.IDENTITY_RELEASED: "Your identity was moved to the account whose phone the population registry holds",
    # Gate devices: the words name the venue and the device (ACTION_PARAMS).
    A.GATE_SCANNED: "The gate device “%(device)s” of venue “%(venue)s” scanned you at its gate",
    A.GATE_UPLOADED: "The gate device “%(device)s” of venue “%(venue)s” uploaded your check-in record",
    # Operator console: only when the search named this person (subject "person").
    A.AUDIT_VIEWED: "An operator searched the audit log for the records about you",
    A.AUDIT_EXPORTED: "An operator exported the audit log's records about you to a file",
    A.VENUE_ENTRIES_EXPORTED: "A list of a venue's entries that includes you was exported to a file",
}
# Words with blanks: each blank is filled from the event's details of that name.
ACTION_PARAMS: dict[A, tuple[str, ...]] = {
    A.GATE_SCANNED: ("venue", "device"),
    A.GATE_UPLOADED: ("venue", "device"),
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
    "gate_device": "Venue gate device",
}
UNKNOWN_ROLE = "Staff"

VISIBLE_ACTIONS: tuple[str, ...] = tuple(a.value for a in ACTION_WORDS)
# Events about the account rather than the person (subject "user"), shown to its holder.
ACCOUNT_ACTIONS: tuple[str, ...] = (A.IDENTITY_RELEASED.value,)


def action_words(action: str) -> str:
    return ACTION_WORDS[A(action)]


def described(gettext: Callable[[str], str], action: str, params: Mapping[str, str]) -> str:
    """The action in the reader's words, its blanks filled (a missing detail: "?")."""
    words = gettext(action_words(action))
    names = ACTION_PARAMS.get(A(action))
    return words % {n: params.get(n) or "?" for n in names} if names else words


def role_words(role: str) -> str:
    return ROLE_WORDS.get(role, UNKNOWN_ROLE)


# The operator console's audit viewer: every action in words, for operators (third
# person; ACTION_WORDS above address the citizen). A test checks every action has one.
OPERATOR_WORDS: dict[A, str] = {
    A.VENUE_APPLIED: "Applied for a venue code",
    A.VENUE_APPROVED: "Approved a venue code",
    A.VENUE_REJECTED: "Rejected a venue application",
    A.VENUE_REVOKED: "Revoked a venue code",
    A.VENUE_REISSUED: "Re-issued a venue code",
    A.VENUE_VIEWED_ENTRIES: "Viewed a venue's entries",
    A.USER_CREATED: "Created an account",
    A.USER_SIGNED_IN: "Signed in",
    A.USER_SIGNED_OUT: "Signed out",
    A.USER_SIGNED_OUT_EVERYWHERE: "Signed an account out everywhere",
    A.USER_DEACTIVATED: "Deactivated an account",
    A.USER_ACTIVATED: "Reactivated an account",
    A.USER_PASSWORD_SET: "Set an account's password",
    A.USER_PASSWORD_WRONG: "Entered a wrong password",
    A.USER_PASSWORD_LOCKED: "Account locked after wrong passwords",
    A.IDENTITY_BOUND: "Bound an identity to an account",
    A.IDENTITY_DESK_BOUND: "Bound an identity at a service desk",
    A.IDENTITY_RELEASED: "Released an identity from an account",
    A.IDENTITY_REFUSED: "Identity check refused",
    A.PERSON_VIEWED: "Looked up a person's health status",
    A.SCANS_VIEWED: "Viewed a person's check-ins",
    A.SCAN_RECORDED: "Checked in",
    A.HELP_SCAN_RECORDED: "Checked a person in by help-scan",
    A.INGEST_FILE: "Imported a data file",
    A.INGEST_PUSH: "Pushed data records",
    A.INGEST_REFUSED: "Data push refused",
    A.INGEST_REJECTS_DOWNLOADED: "Downloaded an import's rejected records",
    A.API_KEY_CREATED: "Created a data-source API key",
    A.API_KEY_REVOKED: "Revoked a data-source API key",
    A.TRACE_RUN: "Ran a contact trace",
    A.TRACE_LISTED: "Viewed the list of cases and traces",
    A.TRACE_VIEWED: "Viewed a trace result",
    A.TRACE_GRAPH_VIEWED: "Viewed a trace's chain graph",
    A.TRACE_EXPORTED: "Exported a trace result",
    A.PHONE_REVEALED: "Displayed a person's name and phone",
    A.TRACE_ACTION_REQUESTED: "Requested a health-code push",
    A.TRACE_ACTION_APPROVED: "Approved a health-code push",
    A.TRACE_ACTION_REJECTED: "Rejected a health-code push",
    A.TRACE_MARK_LIFTED: "Lifted a tracing control",
    A.PAPER_CODE_ISSUED: "Issued a paper health code",
    A.PAPER_CODE_REVOKED: "Revoked a paper health code",
    A.PAPER_CODE_REFUSED: "Paper health code change refused",
    A.ID_CARD_READ: "Read an ID card for a help-scan",
    A.HELP_ALERT_RAISED: "Help-scan alert raised",
    A.HELP_ALERTS_VIEWED: "Viewed help-scan alerts",
    A.RETENTION_PURGED: "Purged data past its retention period",
    A.AUDIT_VIEWED: "Viewed the audit log",
    A.AUDIT_EXPORTED: "Exported the audit log",
    A.TRACE_EXPORTED_WITH_PHONES: "Exported a trace result with full phone numbers",
    A.TRACE_ACTION_REVIEWED: "Gave the first of two approvals of a health-code push",
    A.TRACE_ACTION_WITHDRAWN: "Withdrew a health-code push request",
    A.GATE_DEVICE_ISSUED: "Issued a gate device key",
    A.GATE_DEVICE_REVOKED: "Revoked a gate device key",
    A.GATE_SCANNED: "A gate device scanned a person",
    A.GATE_UPLOADED: "A gate device uploaded offline check-ins",
    A.GATE_REFUSED: "A gate device's upload was refused",
    A.VENUE_RESUBMITTED: "Resubmitted a corrected venue application",
    A.VENUE_ENTRIES_EXPORTED: "Exported a venue's entries",
}


def operator_words(action: str) -> str:
    """An action in words for operators; an unknown code (an older release's) as it is."""
    try:
        return OPERATOR_WORDS[A(action)]
    except ValueError:
        return action
