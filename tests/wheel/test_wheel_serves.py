"""The built wheel, installed with no extras in a fresh virtualenv outside the checkout, serves.

This is what a deployer does: build (`pip wheel`, whose hook fetches the browser
libraries from npm), `pip install venuecode-*.whl` (dependencies from PyPI), then run
`venuecode` from some other folder with no PYTHONPATH. Any import that is not declared,
any file that is only in the checkout, any CDN URL fails here.

Marker `wheel`: left out of the default run (it needs npm and the package index, and
takes a minute); `scripts/test` runs it as its own step: `pytest -m wheel tests/wheel`.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[2]
# Copied with the source when git is not there to list it; never the checkout's own builds.
_NOT_SOURCE = (".git", ".venv", "node_modules", "test-artifacts", "data", "dist", "build", "vendor",
               "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "out")
_KEEP = ("HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


@dataclass
class Installed:
    venv: Path
    run_dir: Path
    env: dict[str, str]

    def venuecode(self, *args: str, timeout: float = 120, check: bool = True
                  ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(self.venv / "bin" / "venuecode"), *args], cwd=self.run_dir,
                                env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"venuecode {' '.join(args)} exited {result.returncode}:\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result


def _clean_env(**extra: str) -> dict[str, str]:
    """The caller's locale and pip settings, nothing of the checkout: no PYTHONPATH, no VENUECODE_*."""
    env = {k: v for k, v in os.environ.items() if k in _KEEP or k.startswith("PIP_")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return {**env, **extra}


def _copy_source(into: Path) -> None:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=False)
    if listed.returncode != 0:  # not a git checkout (an unpacked sdist, say)
        shutil.copytree(ROOT, into, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
        return
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file() and not name.startswith("node_modules"):
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def _run(args: list[str], timeout: float, **kwargs: object) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    if shutil.which("npm") is None:
        pytest.skip("npm is absent: the wheel's browser libraries are built from npm (apt-get install npm)")
    tmp = tmp_path_factory.mktemp("wheel")
    source, dist, venv, run_dir = tmp / "source", tmp / "dist", tmp / "venv", tmp / "run"
    run_dir.mkdir()
    # A copy, so the checkout stays as it is and only what git would ship is built.
    _copy_source(source)
    pip_env = _clean_env()
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
         timeout=300, env=pip_env, cwd=tmp)
    wheels = list(dist.glob("venuecode-*.whl"))
    assert len(wheels) == 1, wheels
    _run([sys.executable, "-m", "venv", str(venv)], timeout=120, env=pip_env, cwd=tmp)
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheels[0])], timeout=600, env=pip_env, cwd=tmp)
    env = _clean_env(
        VENUECODE_DATABASE_URL=f"sqlite:///{tmp / 'city.db'}",
        VENUECODE_DATA_DIR=str(tmp / "data"),
        VENUECODE_SMS_BACKEND="file",
        VENUECODE_SMS_FILE=str(tmp / "sms.jsonl"),
    )
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    return Installed(venv, run_dir, env)


def test_the_package_comes_from_the_venv_not_the_checkout(installed: Installed) -> None:
    probe = subprocess.run([str(installed.venv / "bin" / "python"), "-c",
                            "import venuecode; print(venuecode.__file__)"],
                           cwd=installed.run_dir, env=installed.env, capture_output=True, text=True, check=True)
    location = Path(probe.stdout.strip()).resolve()
    assert location.is_relative_to(installed.venv.resolve()), location
    assert "PYTHONPATH" not in installed.env


def test_version_and_help(installed: Installed) -> None:
    assert installed.venuecode("version").stdout.strip() == "0.1.0"
    assert "serve" in installed.venuecode("--help").stdout


def test_read_id_without_the_ocr_extra_says_how_to_install_it(installed: Installed) -> None:
    photo = installed.run_dir / "card.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), "white").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    result = installed.venuecode("assist", "read-id", str(photo), check=False)
    assert result.returncode == 3, result.stderr
    assert "pip install 'venuecode[ocr]'" in result.stderr and "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read()


def _post_json(url: str, body: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def server(installed: Installed) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    installed.env.update(VENUECODE_PORT=str(port), VENUECODE_PUBLIC_URL=url)
    installed.venuecode("demo", "--no-serve")
    log = installed.run_dir / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(installed.venv / "bin" / "venuecode"), "serve"], cwd=installed.run_dir,
                                   env=installed.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _ready(url) is False:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"venuecode serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "Traceback" not in log.read_text(), log.read_text()


def _ready(url: str) -> bool:
    try:
        return _get(f"{url}/healthz")[0] == 200
    except OSError:
        return False


def test_pages_and_health(server: str) -> None:
    status, kind, body = _get(f"{server}/")
    assert status == 200 and kind.startswith("text/html") and "场所码" in body.decode()
    status, _, body = _get(f"{server}/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, _, body = _get(f"{server}/login")
    assert status == 200 and "手机号" in body.decode()


def test_the_graph_library_is_in_the_wheel(server: str) -> None:
    status, kind, body = _get(f"{server}/static/vendor/cytoscape.min.js")
    assert status == 200 and kind.startswith("text/javascript") and b"cytoscape" in body[:2000].lower()
    assert _get(f"{server}/static/vendor/cytoscape-svg.js")[0] == 200


def test_api_docs_load_everything_from_the_server_itself(server: str) -> None:
    status, _, body = _get(f"{server}/api/docs")
    page = body.decode()
    assert status == 200 and re.findall(r"https?://", page) == []
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/swagger-ui-bundle.js" in assets and "/static/vendor/swagger-ui.css" in assets
    for asset in assets:
        assert _get(server + asset)[0] == 200, asset
    status, _, spec = _get(f"{server}/openapi.json")
    assert status == 200 and "/api/v1/venues" in json.loads(spec)["paths"]


def _sign_in(server: str, installed: Installed, phone: str) -> dict[str, str]:
    _post_json(f"{server}/api/v1/auth/sms-code", {"phone": phone})
    sms = Path(installed.env["VENUECODE_SMS_FILE"]).read_text("utf-8").splitlines()
    code = [json.loads(line)["code"] for line in sms if json.loads(line)["phone"] == phone][-1]
    token = _post_json(f"{server}/api/v1/auth/login", {"phone": phone, "code": str(code)})["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_venue_manager_prints_a_poster(server: str, installed: Installed) -> None:
    auth = _sign_in(server, installed, "13800000002")  # the demo's venue manager
    status, kind, pdf = _get(f"{server}/api/v1/venues/HZ-XH-0001/poster.pdf", auth)
    assert status == 200 and kind == "application/pdf" and pdf.startswith(b"%PDF"), pdf[:300]
    status, kind, png = _get(f"{server}/api/v1/venues/HZ-XH-0001/poster.png", auth)
    assert status == 200 and kind == "image/png"
    assert Image.open(io.BytesIO(png)).size[0] > 500


def test_a_helper_photographs_a_paper_code(server: str, installed: Installed) -> None:
    # zxing-cpp, imported on the first photo, must have come with the wheel's dependencies.
    import segno

    auth = _sign_in(server, installed, "13800000001")  # the demo's citizen helps someone
    picture = io.BytesIO()
    segno.make_qr("VC1:paper-code-sample").save(picture, kind="png", scale=8, border=4)
    boundary = "venuecode-wheel-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"code.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + picture.getvalue() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{server}/api/v1/assist/decode-qr", data=body, method="POST",
                                     headers={**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read()) == {"text": "VC1:paper-code-sample"}
