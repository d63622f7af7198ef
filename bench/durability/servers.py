"""Real `venuecode serve` processes, each in its own process group so that one `kill -9`
of the group takes the uvicorn master and all its workers at once."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def group_members(pgid: int) -> list[int]:
    """Live pids whose process group is `pgid` (Linux /proc). Zombies are dead: a killed
    worker re-parented to a PID 1 that never reaps would otherwise look alive."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


@dataclass
class ServerGroup:
    """`processes` servers on their own ports, each with `workers` uvicorn workers."""

    env: dict[str, str]
    log_dir: Path
    processes: int = 1
    workers: int = 2
    ports: list[int] = field(default_factory=list)
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.ports:
            self.ports = [free_port() for _ in range(self.processes)]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def start(self, timeout: float = 60) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for i, port in enumerate(self.ports):
            log = (self.log_dir / f"server-{i}.log").open("ab")
            self._procs.append(subprocess.Popen(
                [sys.executable, "-m", "venuecode.cli.main", "serve", "--host", "127.0.0.1",
                 "--port", str(port), "--workers", str(self.workers)],
                env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True))  # its own process group: see kill()
            log.close()
        deadline = time.monotonic() + timeout
        for proc, url in zip(self._procs, self.urls, strict=True):
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"server {url} did not start; see {self.log_dir}")
                time.sleep(0.1)

    def members(self) -> list[int]:
        return [pid for p in self._procs for pid in group_members(p.pid)]

    def kill(self) -> int:
        """SIGKILL every process of every server group at once; returns how many there
        were, after checking that none is left."""
        pids = self.members()
        for proc in self._procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self._procs:
            proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        # Workers are the master's children: once it is reaped they are re-parented to
        # init, which reaps them; wait until the groups are empty.
        while (left := self.members()) and time.monotonic() < deadline:
            time.sleep(0.02)
        if left:
            raise RuntimeError(f"server processes survived kill -9: {left}")
        self._procs.clear()
        return len(pids)

    def stop(self) -> None:
        """Graceful end (SIGTERM to each group), then SIGKILL whatever remains."""
        for proc in self._procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self._procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        self.kill()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False
