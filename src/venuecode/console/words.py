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
