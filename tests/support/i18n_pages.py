"""What a page says in words, and what in it is not in the page's language.

`visible()` takes what a person reads: text, the attributes a person sees (placeholders,
tooltips, alt texts, confirmations) and the words a page hands its script
(`<script type="application/json">`). Left out: scripts, styles, `<code>` (a literal the
person must type, e.g. a file's column name) and the language switch, which names each
language in itself.

`untranslated()` finds, on a Chinese page, Latin words other than the few that are the
same in Chinese (PDF, CSV…) and codes (`health_code_red`, `person.viewed`); on an English
page, Chinese characters and full-width punctuation. Data the test seeded (names,
addresses, departments) is removed first: it is shown as it was given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import ClassVar

SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-confirm")
# Latin words a Chinese page uses as they are.
SAME_IN_CHINESE = {"PDF", "PNG", "SVG", "CSV", "XLSX", "A4", "HTTP", "API", "UTF-8", "GBK",
                   "JSON", "Lines", "OCR", "ID", "QR", "English", "Excel", "KTV", "min",
                   "OpenAPI", "Go.Data", "SORMAS",
                   "vcg"}  # the prefix of a gate device key, as the person sees it
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.\-][A-Za-z0-9]+)*")


class _Reader(HTMLParser):
    SKIP: ClassVar[set[str]] = {"script", "style", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.json_script = False

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipped = tag in self.SKIP or "lang" in (a.get("class") or "").split()
        self.json_script = tag == "script" and a.get("type") == "application/json"
        if not self._skipping() and not skipped:
            self.parts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skipping():
            self.parts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        self.json_script = False

    def handle_data(self, data: str) -> None:
        if self.json_script:
            self.parts += [str(v) for v in json.loads(data).values()]
        elif not self._skipping():
            self.parts.append(data)


def visible(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    return "\n".join(p.strip() for p in reader.parts if p.strip())


def without(text: str, data: Iterable[str]) -> str:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


PLACEHOLDER = re.compile(r"%\([^)]*\)[sd]|\{\w+\}")


def untranslated(text: str, locale: str) -> list[str]:
    text = PLACEHOLDER.sub(" ", text)  # the words a page's script fills in
    if locale == "en":
        return sorted({line.strip() for line in text.splitlines() if CHINESE.search(line)})
    # One letter is an abbreviation or part of data (`24h`, an ID number's check `X`).
    return sorted({w for w in LATIN_WORD.findall(text) if w not in SAME_IN_CHINESE and len(w) > 1})
