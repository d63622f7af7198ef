"""Every code a person may see, in words: one table per kind of code, code -> message id.

The database and the API keep stable codes (`health_code_red`, `close`, `done`); pages
show words in the reader's language. Templates use the `words` filter,
`{{ tier|words("tier") }}`, and Python the `words()` function (the API adds the words
beside the codes, `reason_names` beside `reasons`). The message ids are marked with
`N_()`, so `scripts/i18n` extracts them and the zh catalogue translates them.

A code missing from its table is shown as it is rather than failing the page; the
catalogue tests (tests/unit/foundation/test_i18n.py) check that every code the domain
defines has its words here, and the page walk (tests/integration/foundation/test_i18n_pages.py)
that no page shows a code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from venuecode.audit.words import ACTION_WORDS, OPERATOR_WORDS, ROLE_WORDS
from venuecode.msgid import N_
from venuecode.web.i18n import translations

log = logging.getLogger("venuecode.web")

# Why the door said no (policy/reasons.py): short names, for lists such as a citizen's
# history, where the stored attempt keeps only the codes. The full sentences with their
# details are the reasons' own texts (`Reason.message`).
REASONS: Mapping[str, str] = {
    "tracing_case": N_("Infected (case)"),
    "test_positive": N_("Positive test"),
    "health_code_red": N_("Red health code"),
    "tracing_close": N_("Close contact"),
    "tracing_secondary": N_("Secondary contact"),
    "risk_area_high": N_("Was in a high-risk area"),
    "health_code_yellow": N_("Yellow health code"),
    "tracing_tertiary": N_("Tertiary contact"),
    "risk_area_medium": N_("Was in a medium-risk area"),
    "tracing_general": N_("General contact"),
    "no_health_code": N_("No health code"),
    "test_pending": N_("Test result not out yet"),
    "test_expired": N_("Test too old for this venue"),
    "test_missing": N_("No negative test"),
    "vaccination_incomplete": N_("Not fully vaccinated"),
    "test_expires_soon": N_("Test expires soon"),
    "test_sampled_in_future": N_("Test record with a wrong time"),
}

# Tracing tiers (tracing/types.py); deeper chain levels are `tier4`, `tier5`… (`tier_words`).
TIERS: Mapping[str, str] = {
    "case": N_("Case"),
    "close": N_("Close contact"),
    "secondary": N_("Secondary contact"),
    "tertiary": N_("Tertiary contact"),
    "general": N_("General contact"),
}

# Health-code colours.
COLORS: Mapping[str, str] = {"green": N_("Green"), "yellow": N_("Yellow"), "red": N_("Red")}

# The case registry (facts/models.py CaseRecord.kind).
CASE_KINDS: Mapping[str, str] = {
    "confirmed": N_("Confirmed case"),
    "asymptomatic": N_("Asymptomatic infection"),
}

# The data interfaces' kinds (ingest/kinds.py).
DATA_KINDS: Mapping[str, str] = {
    "persons": N_("Population registry"),
    "venues": N_("Venues"),
    "checkins": N_("Check-ins"),
    "health_codes": N_("Health codes"),
    "nucleic_acid_tests": N_("Nucleic-acid tests"),
    "vaccinations": N_("Vaccinations"),
    "itineraries": N_("Itineraries"),
    "risk_areas": N_("Risk areas"),
    "citizen_cards": N_("Citizen cards"),
    "cases": N_("Case registry"),
}

# Import batches (ingest/models.py): their state and how they came.
BATCH_STATUSES: Mapping[str, str] = {
    "running": N_("Running"),
    "done": N_("Finished"),
    "failed": N_("Failed"),
    "interrupted": N_("Interrupted"),
}
INGEST_CHANNELS: Mapping[str, str] = {"file": N_("File upload"), "push": N_("Pushed by API")}

# How a check-in or denied attempt came (scans/models.py `channel`).
SCAN_CHANNELS: Mapping[str, str] = {
    "scan": N_("Self-scan"),
    "help": N_("Help-scan"),
    "sentinel": N_("Gate scanner"),
    "import": N_("Imported"),
}

# A venue's application (venues/models.py).
VENUE_STATUSES: Mapping[str, str] = {
    "applied": N_("Waiting for review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "revoked": N_("Code revoked"),
}

# A trace's health-code push (tracing/models.py TraceAction.status).
PUSH_STATUSES: Mapping[str, str] = {
    "requested": N_("Waiting for approval"),
    "applied": N_("Applied"),
    "failed": N_("Push failed"),
    "rejected": N_("Rejected"),
}

DECISIONS: Mapping[str, str] = {"pass": N_("Pass"), "deny": N_("No entry")}
TEST_RESULTS: Mapping[str, str] = {
    "negative": N_("Negative"), "positive": N_("Positive"), "pending": N_("Pending")}
RISK_LEVELS: Mapping[str, str] = {
    "high": N_("High risk"), "medium": N_("Medium risk"), "low": N_("Low risk")}

# Every audit action in words for staff reading the audit log (the operator console's
# table, audit/words.py; a citizen's own access log says more, ACTION_WORDS).
AUDIT_ACTIONS: Mapping[str, str] = {a.value: text for a, text in OPERATOR_WORDS.items()}

# What a citizen's access log says (audit/words.py, marked there) and who did it.
ACCESS_LOG: Mapping[str, str] = {a.value: text for a, text in ACTION_WORDS.items()}
ROLES: Mapping[str, str] = {**ROLE_WORDS, "data_source": ROLE_WORDS["source"]}

TABLES: Mapping[str, Mapping[str, str]] = {
    "reason": REASONS,
    "tier": TIERS,
    "color": COLORS,
    "case_kind": CASE_KINDS,
    "data_kind": DATA_KINDS,
    "batch_status": BATCH_STATUSES,
    "ingest_channel": INGEST_CHANNELS,
    "scan_channel": SCAN_CHANNELS,
    "venue_status": VENUE_STATUSES,
    "push_status": PUSH_STATUSES,
    "decision": DECISIONS,
    "test_result": TEST_RESULTS,
    "risk_level": RISK_LEVELS,
    "audit_action": AUDIT_ACTIONS,
    "access_log": ACCESS_LOG,
    "role": ROLES,
}


def msgid(kind: str, code: str) -> str | None:
    """The message id for `code` of `kind`, or None when there is none."""
    found = TABLES[kind].get(code)
    if found is None and kind == "tier" and code.startswith("tier") and code[4:].isdigit():
        return None  # `tier_words` says these
    return found


def words(kind: str, code: str | None, locale: str) -> str:
    """`code` of `kind` in words of `locale`; an unknown code as it is (and logged)."""
    if code is None or code == "":
        return ""
    tr = translations(locale)
    if kind == "tier" and code.startswith("tier") and code[4:].isdigit():
        return tr.gettext(N_("Contact of chain level %(n)s")) % {"n": int(code[4:])}
    found = TABLES[kind].get(code)
    if found is None:
        log.warning("no words for %s code %r", kind, code)
        return code
    return tr.gettext(found)


def words_list(kind: str, codes: Iterable[str], locale: str) -> list[str]:
    return [words(kind, code, locale) for code in codes]
