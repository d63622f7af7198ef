"""`N_()`: marks an English message id where it is defined, for `scripts/i18n` to extract.

Domain code names things in English message ids (a form field's label, the words for an
audit action) but never translates: it cannot know the reader's language and may not
import `web`. `N_("Tracer")` is just `"Tracer"`; the page or API translates it with the
request's catalogue (`web.i18n`, `web.words`).
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message
