"""What a citizen's access log says for each audit action and staff role, in words.

English message ids, marked with `N_()` for `scripts/i18n`; the zh catalogue translates
them, and the access log (`people/api.py`, the history page) shows only these words,
never the raw action codes. An action without an entry here is not shown to citizens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
    A.TRACE_EXPORTED_WITH_PHONES:
        N_("A trace result that lists your name and phone number was exported to a file"),
    A.TRACE_ACTION_APPROVED: N_("A health-code push after a trace changed your health code"),
    A.TRACE_MARK_LIFTED: N_("Your tracing control was lifted"),
    A.HELP_SCAN_RECORDED: N_("You were checked in by help-scan"),
    A.PAPER_CODE_ISSUED: N_("A paper health code was issued for you"),
    A.PAPER_CODE_REVOKED: N_("Your paper health code was revoked"),
    A.ID_CARD_READ: N_("Your ID card was read for a help-scan"),
    A.INGEST_REJECTS_DOWNLOADED: N_("A file of rejected import records that includes you was downloaded"),
    A.IDENTITY_DESK_BOUND: N_("A service desk checked your ID card and bound your identity to an account"),
    A.IDENTITY_RELEASED: N_("Your identity was moved to the account whose phone the population registry holds"),
    # Gate devices: the words name the venue and the device (ACTION_PARAMS).
    A.GATE_SCANNED: N_("The gate device “%(device)s” of venue “%(venue)s” scanned you at its gate"),
    A.GATE_UPLOADED: N_("The gate device “%(device)s” of venue “%(venue)s” uploaded your check-in record"),
    # Operator console: only when the search named this person (subject "person").
    A.AUDIT_VIEWED: N_("An operator searched the audit log for the records about you"),
    A.AUDIT_EXPORTED: N_("An operator exported the audit log's records about you to a file"),
    A.VENUE_ENTRIES_EXPORTED: N_("A list of a venue's entries that includes you was exported to a file"),
}
# Words with blanks: each blank is filled from the event's details of that name.
ACTION_PARAMS: dict[A, tuple[str, ...]] = {
    A.GATE_SCANNED: ("venue", "device"),
    A.GATE_UPLOADED: ("venue", "device"),
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
    "gate_device": N_("Venue gate device"),
}
UNKNOWN_ROLE = N_("Staff")

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
    A.VENUE_APPLIED: N_("Applied for a venue code"),
    A.VENUE_APPROVED: N_("Approved a venue code"),
    A.VENUE_REJECTED: N_("Rejected a venue application"),
    A.VENUE_REVOKED: N_("Revoked a venue code"),
    A.VENUE_REISSUED: N_("Re-issued a venue code"),
    A.VENUE_VIEWED_ENTRIES: N_("Viewed a venue's entries"),
    A.USER_CREATED: N_("Created an account"),
    A.USER_SIGNED_IN: N_("Signed in"),
    A.USER_SIGNED_OUT: N_("Signed out"),
    A.USER_SIGNED_OUT_EVERYWHERE: N_("Signed an account out everywhere"),
    A.USER_DEACTIVATED: N_("Deactivated an account"),
    A.USER_ACTIVATED: N_("Reactivated an account"),
    A.USER_PASSWORD_SET: N_("Set an account's password"),
    A.USER_PASSWORD_WRONG: N_("Entered a wrong password"),
    A.USER_PASSWORD_LOCKED: N_("Account locked after wrong passwords"),
    A.IDENTITY_BOUND: N_("Bound an identity to an account"),
    A.IDENTITY_DESK_BOUND: N_("Bound an identity at a service desk"),
    A.IDENTITY_RELEASED: N_("Released an identity from an account"),
    A.IDENTITY_REFUSED: N_("Identity check refused"),
    A.PERSON_VIEWED: N_("Looked up a person's health status"),
    A.SCANS_VIEWED: N_("Viewed a person's check-ins"),
    A.SCAN_RECORDED: N_("Checked in"),
    A.HELP_SCAN_RECORDED: N_("Checked a person in by help-scan"),
    A.INGEST_FILE: N_("Imported a data file"),
    A.INGEST_PUSH: N_("Pushed data records"),
    A.INGEST_REFUSED: N_("Data push refused"),
    A.INGEST_REJECTS_DOWNLOADED: N_("Downloaded an import's rejected records"),
    A.API_KEY_CREATED: N_("Created a data-source API key"),
    A.API_KEY_REVOKED: N_("Revoked a data-source API key"),
    A.TRACE_RUN: N_("Ran a contact trace"),
    A.TRACE_LISTED: N_("Viewed the list of cases and traces"),
    A.TRACE_VIEWED: N_("Viewed a trace result"),
    A.TRACE_GRAPH_VIEWED: N_("Viewed a trace's chain graph"),
    A.TRACE_EXPORTED: N_("Exported a trace result"),
    A.PHONE_REVEALED: N_("Displayed a person's name and phone"),
    A.TRACE_ACTION_REQUESTED: N_("Requested a health-code push"),
    A.TRACE_ACTION_APPROVED: N_("Approved a health-code push"),
    A.TRACE_ACTION_REJECTED: N_("Rejected a health-code push"),
    A.TRACE_MARK_LIFTED: N_("Lifted a tracing control"),
    A.PAPER_CODE_ISSUED: N_("Issued a paper health code"),
    A.PAPER_CODE_REVOKED: N_("Revoked a paper health code"),
    A.PAPER_CODE_REFUSED: N_("Paper health code change refused"),
    A.ID_CARD_READ: N_("Read an ID card for a help-scan"),
    A.HELP_ALERT_RAISED: N_("Help-scan alert raised"),
    A.HELP_ALERTS_VIEWED: N_("Viewed help-scan alerts"),
    A.RETENTION_PURGED: N_("Purged data past its retention period"),
    A.AUDIT_VIEWED: N_("Viewed the audit log"),
    A.AUDIT_EXPORTED: N_("Exported the audit log"),
    A.TRACE_EXPORTED_WITH_PHONES: N_("Exported a trace result with full phone numbers"),
    A.TRACE_ACTION_REVIEWED: N_("Gave the first of two approvals of a health-code push"),
    A.TRACE_ACTION_WITHDRAWN: N_("Withdrew a health-code push request"),
    A.GATE_DEVICE_ISSUED: N_("Issued a gate device key"),
    A.GATE_DEVICE_REVOKED: N_("Revoked a gate device key"),
    A.GATE_SCANNED: N_("A gate device scanned a person"),
    A.GATE_UPLOADED: N_("A gate device uploaded offline check-ins"),
    A.GATE_REFUSED: N_("A gate device's upload was refused"),
    A.VENUE_RESUBMITTED: N_("Resubmitted a corrected venue application"),
    A.VENUE_ENTRIES_EXPORTED: N_("Exported a venue's entries"),
    A.VENUE_DISPLAY_ROTATED: N_("Rotated a venue's display key"),
    A.VENUE_DISPLAY_REQUIRED: N_("Changed whether a venue requires its rotating code"),
}


def operator_words(action: str) -> str:
    """An action in words for operators; an unknown code (an older release's) as it is."""
    try:
        return OPERATOR_WORDS[A(action)]
    except ValueError:
        return action
