"""What is wrong with a catalogue: untranslated or fuzzy messages, and translations whose
placeholders differ from their message id's (`%(n)s`, `%s`, `{days}`). Run by
`scripts/i18n` after it updates the catalogue, and by the tests.

    python scripts/i18n_check.py PO                 list the problems; exit 1 if any
    python scripts/i18n_check.py --take PO A.po …   fill PO's empty translations from A.po …
                                                    (or from an old zh_messages.py's table)
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

# %(name)s / %s / %d …, and %% (a literal percent sign, which must stay doubled).
_PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*\d*(?:\.\d+)?(?P<kind>[diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"\{(\w*)\}")


def catalogue_path() -> Path:
    return Path(str(resources.files("venuecode.web"))) / "locale/zh/LC_MESSAGES/messages.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def placeholders(text: str, python_format: bool) -> Counter[str]:
    """The placeholders a message uses, as a multiset (order may change in translation)."""
    found: Counter[str] = Counter()
    if python_format:
        for m in _PERCENT.finditer(text):
            found[f"%({m['name']})" if m["name"] is not None else f"%{m['kind']}"] += 1
    found.update("{" + name + "}" for name in _BRACE.findall(text))
    return found


def _ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def problems(catalog: Catalog) -> list[str]:
    """One line per message that would show English or break when formatted."""
    out = []
    for message in catalog:
        if not message.id:
            continue  # the header
        first = _ids(message)[0]
        strings = _strings(message)
        if not all(strings):
            out.append(f"untranslated: {first!r}")
            continue
        if message.fuzzy:
            out.append(f"fuzzy (check the translation, then remove the flag): {first!r}")
        python_format = "python-format" in message.flags
        # A plural's forms each use the plural id's placeholders (zh has one form).
        wanted = placeholders(_ids(message)[-1], python_format)
        for text in strings:
            got = placeholders(text, python_format)
            if got != wanted:
                out.append(f"placeholders differ: {first!r} has {sorted(wanted.elements())}, "
                           f"the translation {sorted(got.elements())}")
    return out


def missing() -> list[str]:
    """Message ids of the zh catalogue without a translation."""
    return sorted(_ids(m)[0] for m in read(catalogue_path()) if m.id and not all(_strings(m)))


def _source(path: Path) -> Catalog:
    """A catalogue, or the `ZH` table of the retired `scripts/zh_messages.py` (a branch
    made before `scripts/i18n` may have added its translations there)."""
    if path.suffix != ".py":
        return read(path)
    import runpy

    catalog = Catalog(locale="zh")
    for msgid, text in runpy.run_path(str(path), run_name="zh_messages")["ZH"].items():
        catalog.add(msgid, text)
    return catalog


def take(target: Path, sources: Iterable[Path]) -> int:
    """Fill `target`'s empty translations from `sources` (first found wins); how many."""
    catalog = read(target)
    filled = 0
    for source in sources:
        other = _source(source)
        for message in catalog:
            if not message.id or all(_strings(message)):
                continue
            found = other.get(message.id, message.context)
            if found is not None and all(_strings(found)) and not found.fuzzy:
                message.string = found.string
                filled += 1
    with target.open("wb") as fh:
        write_po(fh, catalog, width=0, sort_output=True)
    return filled


def main(argv: list[str]) -> int:
    if argv[:1] == ["--take"] and len(argv) >= 3:
        n = take(Path(argv[1]), [Path(a) for a in argv[2:]])
        print(f"{n} translations taken from {', '.join(argv[2:])}")
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    found = problems(read(Path(argv[0])))
    print("\n".join(found) or "all messages translated")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
