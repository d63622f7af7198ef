"""Dependencies of the help-scan routes: the paper-code key and the OCR engine.

The OCR engine is a dependency so tests can swap in `StaticRecognizer` with
`app.dependency_overrides[get_id_reader]` instead of patching.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from venuecode.assist.ocr import TextRecognizer, get_recognizer
from venuecode.assist.paper_codes import PaperKey
from venuecode.web.state import AppState


def paper_key(state: AppState) -> PaperKey:
    return PaperKey(state.signer.key, state.signer.key_id, state.settings.public_url)


def get_id_reader() -> TextRecognizer:
    return get_recognizer()


IdReaderDep = Annotated[TextRecognizer, Depends(get_id_reader)]
