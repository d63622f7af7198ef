"""Turn a scan outcome into the API result and the page's context."""

from __future__ import annotations

from datetime import UTC

from venuecode.people.idnumber import mask_id_number, mask_name
from venuecode.policy.panels import panels_to_dict
from venuecode.scans.schemas import ScanResult, ScanVenue
from venuecode.scans.service import ScanOutcome
from venuecode.venues.categories import get_category


def scan_result(outcome: ScanOutcome, locale: str) -> ScanResult:
    category = get_category(outcome.venue.category)
    panels = panels_to_dict(outcome.decision.panels)
    return ScanResult(
        id=outcome.entry_id,
        decision=outcome.decision.verdict,
        reasons=[{"code": r.code, "message": r.message(locale), "severity": r.severity,
                  "panel": r.panel} for r in outcome.decision.reasons],
        venue=ScanVenue(
            venue_id=outcome.venue.venue_id, name=outcome.venue.name,
            category=outcome.venue.category,
            category_name=category.name(locale) if category else outcome.venue.category,
            district=outcome.venue.district,
            sub_area=outcome.sub_area.name if outcome.sub_area else None,
        ),
        scanned_at=outcome.scanned_at.astimezone(UTC).isoformat(),
        repeat=outcome.repeat,
        person={"name": mask_name(outcome.name) if outcome.name else None,
                "id_number": mask_id_number(outcome.id_number)},
        **panels,
    )
