"""Which venue ids the web can carry: one URL path segment, the same on every page and API.

A venue id is the issuing system's own identifier (data-interfaces spec), and pages and
API routes name a venue by it (`/manage/venues/{venue_id}/entries`). A `/` cannot travel
inside one path segment: the server decodes `%2F` before routing, and a `{venue_id:path}`
route would make `a/entries` both a venue and a venue's page. So such ids are refused
where venues are created (the application's pattern in `venues.schemas`, the service
for any caller, the `venues` import), and `venuecode venues check-ids` reports any
stored before this rule. The other refused characters break a link the same way: `\\`
(browsers read it as `/`), `?` and `#` (they end the path), `%` (an escape), spaces and
control characters, and the ids `.` and `..` (browsers resolve them away).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[/\\?#%\s\x00-\x1f\x7f]")
_NAMES = {"/": "“/”", "\\": "“\\”", "?": "“?”", "#": "“#”", "%": "“%”"}


def venue_id_problem(venue_id: str) -> tuple[str, str] | None:
    """(English, Chinese) of why `venue_id` cannot stand in a web address, or None."""
    if venue_id in (".", ".."):
        return (f"the venue id {venue_id!r} cannot be used in a web address",
                f"场所编号 {venue_id!r} 不能用于网址")
    found = _UNSAFE.search(venue_id)
    if found is None:
        return None
    char = found.group()
    shown = _NAMES.get(char, "空格或控制字符" if not char.isprintable() or char.isspace() else char)
    shown_en = _NAMES.get(char, "a space or control character")
    return (f"the venue id {venue_id!r} contains {shown_en}, which cannot stand in a web "
            "address (use letters, digits, '-', '_' or '.')",
            f"场所编号 {venue_id!r} 含有{shown}，无法用于网址（请只用字母、数字、“-”、“_”或“.”）")
