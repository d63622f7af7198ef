"""Chinese by default, English on request; Babel message catalogues.

Message ids are English; `locale/zh/LC_MESSAGES/messages.po` translates them. The .po
file is compiled in memory at start-up, so no build step is needed and the catalogue in
the repository is the one that runs.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
COOKIE = "lang"


@cache
def translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    po = resources.files("venuecode.web").joinpath("locale", locale, "LC_MESSAGES",
                                                    "messages.po")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def request_locale(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    if asked in LOCALES:
        return asked
    # Chinese unless the person chose English with the switch: a phone set to English is
    # no sign that its owner reads it better than Chinese.
    return DEFAULT_LOCALE
