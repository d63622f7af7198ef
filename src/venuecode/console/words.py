"""Labels the console shows for codes (message ids of the catalogue)."""

from __future__ import annotations

# Data kinds of the data interfaces, for the API-key pages.
KIND_WORDS: dict[str, str] = {
    "persons": "Population registry",
    "venues": "Venues",
    "checkins": "Check-ins",
    "health_codes": "Health codes",
    "nucleic_acid_tests": "Nucleic acid tests",
    "vaccinations": "Vaccinations",
    "itineraries": "Itineraries",
    "risk_areas": "Risk areas",
    "citizen_cards": "Citizen cards",
    "cases": "Cases",
}

# Form fields by name -> the label the page shows (named in every refusal).
FIELD_LABELS: dict[str, str] = {
    "phone": "Mobile number",
    "role": "Role",
    "name": "Name",
    "district": "District",
    "password": "Password",
    "kinds": "Data kinds",
    "source_name": "Source name",
    "id_number": "ID number",
    "actor": "Actor",
    "action": "Action",
    "since": "From",
    "until": "To",
    "page": "Page",
}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)


# What an audit event is about (`audit_events.subject_type`).
SUBJECT_WORDS: dict[str, str] = {
    "person": "Person",
    "user": "Account",
    "trace": "Trace",
    "venue": "Venue",
    "api_key": "API key",
    "ingest": "Data push",
    "ingest_batch": "Import batch",
    "help_alert": "Help-scan alert",
    "help_alerts": "Help-scan alerts",
    "retention": "Retention",
    "audit_log": "Audit log",
}
UNKNOWN_SUBJECT = "Record"

# Who did it, when not an account (`audit_events.actor`).
ACTOR_WORDS: dict[str, str] = {
    "cli": "Command line",
    "system": "The system",
    "anonymous": "Anonymous",
}


def subject_words(subject_type: str) -> str:
    return SUBJECT_WORDS.get(subject_type, UNKNOWN_SUBJECT)


def actor_words(label: str) -> tuple[str, str]:
    """(message id, number): `user:12` -> ("Account #%(n)s", "12"), `cli` -> words."""
    kind, _, number = label.partition(":")
    if kind == "user" and number:
        return "Account #%(n)s", number
    if kind == "apikey" and number:
        return "API key #%(n)s", number
    return ACTOR_WORDS.get(label, label), ""
