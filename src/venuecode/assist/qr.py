"""Decode the QR code in a photo (a paper health code held up to a camera), server-side.

zxing-cpp reads the photo as it is; a second pass on a grey, contrast-stretched copy
helps with the glare and dim light of a gate at night. zxing-cpp is a declared
dependency, imported on the first photo: a broken install answers a clear 503 on that
request instead of keeping the whole server from starting.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from PIL import Image, ImageOps

from venuecode.assist.idcard import load_image
from venuecode.errors import DomainError, InvalidInput


class NoQrCode(InvalidInput):
    def __init__(self) -> None:
        super().__init__("qr_not_found", "照片中没有识别到二维码，请对准健康码（代办卡）重新拍照。",
                         "No QR code found in the photo; photograph the paper code again, "
                         "sharp and whole.")


class QrUnavailable(DomainError):
    def __init__(self) -> None:
        super().__init__("qr_unavailable",
                         "本服务器未安装二维码识别组件（pip install zxing-cpp），请输入代办卡号或身份证号。",
                         "QR reading is not installed on this server (pip install zxing-cpp); "
                         "type the card or ID number instead.", {}, 503)


@cache
def _zxing() -> tuple[Any, Any]:
    try:
        import zxingcpp
    except ImportError as exc:
        raise QrUnavailable() from exc
    return zxingcpp, zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _texts(image: Image.Image) -> list[str]:
    zxingcpp, qr_only = _zxing()
    return [r.text for r in zxingcpp.read_barcodes(image, formats=qr_only) if r.text]


def decode_qr(image_bytes: bytes) -> str:
    """The text of the first QR code in the photo; `NoQrCode` when there is none."""
    image = load_image(image_bytes)  # same size limits and EXIF handling as card photos
    texts = _texts(image) or _texts(ImageOps.autocontrast(image.convert("L"), cutoff=2))
    if not texts:
        raise NoQrCode()
    return texts[0]
