"""The retention periods, one per kind of personal data, from the typed settings.

Each period counts from the moment its row stopped being in force: a check-in from its
scan, a test from its sampling, a stay from leaving the city, a vaccination series from
its latest dose, a mark from its lifting, a paper code from its revocation. What is in
force now (a person's current health code, an open mark, a stay still going on, a paper
code in use) is never purged. docs/security.md has the table and the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from venuecode.config import Settings

# A sign-in code lives 5 minutes; a day keeps it for the abuse limits' look-back.
SMS_CODE_RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Periods:
    scans: timedelta  # check-ins, denied attempts, trace evidence, rejects, help alerts
    nucleic_acid_tests: timedelta
    itineraries: timedelta
    vaccinations: timedelta
    contact_marks: timedelta
    paper_codes: timedelta
    audit: timedelta
    sms_codes: timedelta = SMS_CODE_RETENTION

    @classmethod
    def of(cls, settings: Settings) -> Periods:
        return cls(
            scans=timedelta(days=settings.retention_days),
            nucleic_acid_tests=timedelta(days=settings.nucleic_acid_test_retention_days),
            itineraries=timedelta(days=settings.itinerary_retention_days),
            vaccinations=timedelta(days=settings.vaccination_retention_days),
            contact_marks=timedelta(days=settings.contact_mark_retention_days),
            paper_codes=timedelta(days=settings.paper_code_retention_days),
            audit=timedelta(days=settings.audit_retention_days),
        )

    @classmethod
    def defaults(cls, scan_days: int | None = None) -> Periods:
        """The settings' defaults (the scan period overridden when given)."""
        fields = Settings.model_fields
        days = {name: int(fields[name].default) for name in (
            "retention_days", "nucleic_acid_test_retention_days", "itinerary_retention_days",
            "vaccination_retention_days", "contact_mark_retention_days",
            "paper_code_retention_days", "audit_retention_days")}
        if scan_days is not None:
            days["retention_days"] = scan_days
        return cls.of(Settings.model_construct(**days))  # type: ignore[arg-type]
