"""List template/page message ids missing from the zh catalogue (used by a test and by hand)."""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po

_CALL = re.compile(r"""_\(\s*(["'])((?:\\.|(?!\1).)*)\1\s*\)""")
# Labels passed through _() indirectly (e.g. status names, link labels in Python).
EXTRA_IDS = ["applied", "approved", "rejected", "revoked"]


def message_ids(root: Path) -> set[str]:
    ids: set[str] = set(EXTRA_IDS)
    for path in list(root.rglob("*.html")):
        for match in _CALL.finditer(path.read_text("utf-8")):
            ids.add(match.group(2))
    for path in root.parent.parent.rglob("pages.py"):
        for match in re.finditer(r'\("(/[^"]*)",\s*"([^"]+)"\)', path.read_text("utf-8")):
            ids.add(match.group(2))
    return ids


def missing() -> list[str]:
    web = Path(str(resources.files("venuecode.web")))
    with (web / "locale/zh/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string}
    return sorted(message_ids(web / "templates") - translated)


if __name__ == "__main__":
    gaps = missing()
    print("\n".join(gaps) or "all messages translated")
    sys.exit(1 if gaps else 0)
