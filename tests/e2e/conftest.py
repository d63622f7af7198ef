"""A real server (uvicorn, SQLite file) and a real browser (Debian's Chromium via Playwright)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("VENUECODE_TEST_ARTIFACTS", "test-artifacts"))


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    sms_file: Path

    def sms_code(self, phone: str) -> str:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.sms_file.exists():
                for line in reversed(self.sms_file.read_text("utf-8").splitlines()):
                    message = json.loads(line)
                    if message["phone"] == phone:
                        return str(message["code"])
            time.sleep(0.05)
        raise AssertionError(f"no SMS for {phone}")

    def cli(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "venuecode.cli.main", *args],
                                env=self.env, capture_output=True, text=True, check=True)
        return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_server(tmp: Path) -> Iterator[LiveServer]:
    """`venuecode demo --no-serve` on a SQLite file in `tmp`, then `venuecode serve` on a
    free port until the block ends."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "VENUECODE_DATABASE_URL": f"sqlite:///{tmp / 'live.db'}",
        "VENUECODE_PUBLIC_URL": url,
        "VENUECODE_DATA_DIR": str(tmp / "data"),
        "VENUECODE_SMS_BACKEND": "file",
        "VENUECODE_SMS_FILE": str(tmp / "sms.jsonl"),
        # Every browser test signs in from 127.0.0.1: one address for the whole suite.
        "VENUECODE_SMS_PER_ADDRESS_HOUR": "1000",
        "VENUECODE_PORT": str(port),
    }
    server = LiveServer(url, env, tmp / "sms.jsonl")
    server.cli("demo", "--no-serve")
    log = (tmp / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "venuecode.cli.main", "serve"], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((tmp / "server.log").read_text()) from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: scripts/test installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def live_session(server: LiveServer):  # type: ignore[no-untyped-def]
    """A session on the live server's database, for arranging facts before a browser step."""
    from venuecode.db import make_engine, make_sessionmaker

    engine = make_engine(server.env["VENUECODE_DATABASE_URL"])
    return engine, make_sessionmaker(engine)()


def confirm(page, accept: bool = True) -> str:  # type: ignore[no-untyped-def]
    """Answer the page's confirmation dialog (base.html #confirm-dialog, opened by
    data-confirm); returns what it asked."""
    page.wait_for_selector("#confirm-dialog[open]")
    text = str(page.inner_text("#confirm-text"))
    page.click("#confirm-ok" if accept else "#confirm-cancel")
    return text
