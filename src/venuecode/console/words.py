"""Labels the console shows for codes (message ids of the catalogue)."""

from __future__ import annotations

from venuecode.msgid import N_

# Data kinds of the data interfaces, for the API-key pages.
KIND_WORDS: dict[str, str] = {
    "persons": N_("Population registry"),
    "venues": N_("Venues"),
    "checkins": N_("Check-ins"),
    "health_codes": N_("Health codes"),
    "nucleic_acid_tests": N_("Nucleic acid tests"),
    "vaccinations": N_("Vaccinations"),
    "itineraries": N_("Itineraries"),
    "risk_areas": N_("Risk areas"),
    "citizen_cards": N_("Citizen cards"),
    "cases": N_("Cases"),
}

# Form fields by name -> the label the page shows (named in every refusal).
FIELD_LABELS: dict[str, str] = {
    "phone": N_("Mobile number"),
    "role": N_("Role"),
    "name": N_("Name"),
    "district": N_("District"),
    "password": N_("Password"),
    "kinds": N_("Data kinds"),
    "source_name": N_("Source name"),
    "id_number": N_("ID number"),
    "actor": N_("Actor"),
    "action": N_("Action"),
    "since": N_("From"),
    "until": N_("To"),
    "page": N_("Page"),
}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)


# What an audit event is about (`audit_events.subject_type`).
SUBJECT_WORDS: dict[str, str] = {
    "person": N_("Person"),
    "user": N_("Account"),
    "trace": N_("Trace"),
    "venue": N_("Venue"),
    "api_key": N_("API key"),
    "ingest": N_("Data push"),
    "ingest_batch": N_("Import batch"),
    "help_alert": N_("Help-scan alert"),
    "help_alerts": N_("Help-scan alerts"),
    "retention": N_("Retention"),
    "audit_log": N_("Audit log"),
}
UNKNOWN_SUBJECT = N_("Record")

# Who did it, when not an account (`audit_events.actor`).
ACTOR_WORDS: dict[str, str] = {
    "cli": N_("Command line"),
    "system": N_("The system"),
    "anonymous": N_("Anonymous"),
}


def subject_words(subject_type: str) -> str:
    return SUBJECT_WORDS.get(subject_type, UNKNOWN_SUBJECT)


def actor_words(label: str) -> tuple[str, str]:
    """(message id, number): `user:12` -> ("Account #%(n)s", "12"), `cli` -> words."""
    kind, _, number = label.partition(":")
    if kind == "user" and number:
        return N_("Account #%(n)s"), number
    if kind == "apikey" and number:
        return N_("API key #%(n)s"), number
    return ACTOR_WORDS.get(label, label), ""
