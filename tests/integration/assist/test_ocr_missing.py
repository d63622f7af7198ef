"""A server installed without the `ocr` extra: ID-card reading says how to install it.

Absence is simulated the way Python sees it: `sys.modules["rapidocr_onnxruntime"] = None`
makes the import fail, with the real RapidOCR adapter, pages, API and CLI above it.
"""

from __future__ import annotations

import html
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from tests.integration.assist.conftest import venue_token
from venuecode.assist.deps import get_id_reader
from venuecode.assist.ocr import RapidOcrRecognizer
from venuecode.config import Settings

ADVICE = "本服务器未安装身份证识别组件（pip install 'venuecode[ocr]'）"


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (230, 230, 220)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def without_ocr(app, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    # A fresh adapter: the process-wide one may have loaded the engine in another test.
    app.dependency_overrides[get_id_reader] = RapidOcrRecognizer
    yield
    app.dependency_overrides.clear()


def test_the_api_answers_503_with_the_install_advice(client: TestClient, helper, without_ocr) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    response = client.post("/api/v1/assist/id-card", files={"photo": ("card.png", _photo(), "image/png")},
                           headers=headers)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "ocr_unavailable"
    assert ADVICE in error["message_zh"]
    assert "pip install 'venuecode[ocr]'" in error["message_en"]


def test_the_help_scan_page_shows_the_advice_and_keeps_the_other_methods(
        client: TestClient, db: Session, settings: Settings, helper, without_ocr) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    token = venue_token(db, settings)
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    assert client.get(f"/help/{token}?start=1").status_code == 200
    page = client.post(f"/help/{token}", data={"method": "id_photo"},
                       files={"photo": ("card.png", _photo(), "image/png")})
    assert page.status_code == 503
    assert ADVICE in html.unescape(page.text)
    assert 'name="method"' in page.text  # the helper can go on by card or typed number


def test_the_cli_exits_3_with_the_advice_and_no_traceback(tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(_photo())
    probe = ("import sys; sys.modules['rapidocr_onnxruntime'] = None\n"
             "from venuecode.cli.main import app\n"
             "sys.argv = ['venuecode', 'assist', 'read-id', sys.argv[1]]\n"
             "app()\n")
    result = subprocess.run([sys.executable, "-c", probe, str(image)], capture_output=True, text=True,
                            env=os.environ.copy(), timeout=120, check=False)
    assert result.returncode == 3, result.stderr
    assert "pip install 'venuecode[ocr]'" in result.stderr
    assert ADVICE in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_qr_reader_install_is_a_clear_503_not_a_failed_start(tmp_path: Path) -> None:
    # zxing-cpp is a declared dependency; if it is missing anyway, the server still starts
    # and the photo of a paper code is answered with what to install.
    image = tmp_path / "code.png"
    image.write_bytes(_photo())
    probe = ("import sys; sys.modules['zxingcpp'] = None\n"
             "import venuecode.assist.api, venuecode.assist.pages  # both import qr at the top\n"
             "from venuecode.assist.qr import decode_qr\n"
             "from venuecode.errors import DomainError\n"
             "try:\n"
             "    decode_qr(open(sys.argv[1], 'rb').read())\n"
             "except DomainError as exc:\n"
             "    print(exc.status, exc.code, exc.message_zh)\n")
    result = subprocess.run([sys.executable, "-c", probe, str(image)], capture_output=True, text=True,
                            env=os.environ.copy(), timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("503 qr_unavailable ")
    assert "pip install zxing-cpp" in result.stdout
