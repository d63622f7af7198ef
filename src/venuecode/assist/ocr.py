"""The OCR engine adapter: text lines with boxes and scores from an image.

`TextRecognizer` is the small interface the ID-card reader depends on. The real
implementation wraps RapidOCR (PP-OCRv4 models run by onnxruntime; the models ship
inside the `rapidocr-onnxruntime` wheel, so nothing is downloaded at run time).
`StaticRecognizer` returns fixed lines, for development without the engine and for
tests of everything above OCR.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from venuecode.errors import DomainError

if TYPE_CHECKING:  # images arrive already decoded; the CLI imports this module at start
    from PIL import Image

Point = tuple[float, float]


@dataclass(frozen=True)
class TextLine:
    """One recognised line: its text, the engine's score (0-1) and its four corners.

    Corners run clockwise from the top-left of the text as written, in image pixels, so
    the direction of the top edge gives the line's slant.
    """

    text: str
    score: float
    box: tuple[Point, Point, Point, Point]


class TextRecognizer(Protocol):
    def recognize(self, image: Image.Image) -> list[TextLine]:
        """All text lines found in an RGB image, in no particular order."""
        ...


INSTALL_OCR = "pip install 'venuecode[ocr]'"


class OcrUnavailable(DomainError):
    """The OCR engine is not installed or could not start (status 503).

    The engine is the optional `ocr` extra: a server without it still serves every other
    way of helping, and says how to add it instead of failing.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__("ocr_unavailable", f"{zh}，请手动输入身份证号码。",
                         f"{en}; type the ID number in by hand.", {}, 503)

    @classmethod
    def not_installed(cls) -> OcrUnavailable:
        return cls(f"本服务器未安装身份证识别组件（{INSTALL_OCR}）",
                   f"ID-card reading is not installed on this server ({INSTALL_OCR})")


class RapidOcrRecognizer:
    """RapidOCR, loaded on first use and then reused (loading the models takes ~1 s).

    `threads` caps onnxruntime's intra-op threads per model (None: the engine's default,
    all cores). Calls are serialised: the engine keeps per-call state on itself, and on
    a small server one recognition at a time with all cores is as fast as two at once.
    """

    def __init__(self, *, threads: int | None = None) -> None:
        self.threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # the `ocr` extra is optional
            raise OcrUnavailable.not_installed() from exc
        options: dict[str, Any] = {}
        if self.threads is not None:
            options = {"intra_op_num_threads": self.threads, "inter_op_num_threads": 1}
        try:
            return RapidOCR(**options)
        except Exception as exc:  # a broken install: say so instead of a traceback
            raise OcrUnavailable(f"身份证识别组件无法启动（{exc}）",
                                 f"the OCR engine failed to start: {exc}") from exc

    def warm_up(self) -> None:
        """Load the models now (e.g. at start-up) rather than on the first photo."""
        with self._lock:
            if self._engine is None:
                self._engine = self._load()

    def recognize(self, image: Image.Image) -> list[TextLine]:
        with self._lock:
            if self._engine is None:
                self._engine = self._load()
            # RapidOCR takes a PIL image and converts RGB to its BGR itself.
            result, _elapsed = self._engine(image.convert("RGB"))
        return [_to_line(item) for item in result or ()]


def _to_line(item: Sequence[Any]) -> TextLine:
    corners, text, score = item[0], item[1], item[2]
    pts = [(float(x), float(y)) for x, y in corners]
    return TextLine(str(text), float(score), (pts[0], pts[1], pts[2], pts[3]))


class StaticRecognizer:
    """Returns the same lines for every image: development without the engine, tests."""

    def __init__(self, lines: Sequence[TextLine] = ()) -> None:
        self.lines = list(lines)
        self.calls = 0

    def recognize(self, image: Image.Image) -> list[TextLine]:
        self.calls += 1
        return list(self.lines)


_shared: dict[int | None, RapidOcrRecognizer] = {}
_shared_lock = threading.Lock()


def get_recognizer(threads: int | None = None) -> RapidOcrRecognizer:
    """The process-wide RapidOCR recognizer (one per thread setting), created lazily."""
    with _shared_lock:
        if threads not in _shared:
            _shared[threads] = RapidOcrRecognizer(threads=threads)
        return _shared[threads]
