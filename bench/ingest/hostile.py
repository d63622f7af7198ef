"""Memory peaks for hostile inputs, against a real `venuecode serve` process and the CLI.

- a CSV of N rows that are all rejected, imported with `venuecode import --report`
  (peak RSS from /usr/bin/time -v);
- an anonymous push of 73 MB and an anonymous 1 GiB multipart upload, streamed over a raw
  socket to localhost only, generated on the fly; the client stops sending as soon as the
  server answers (or closes), and reports the bytes it got out, the status, and the
  server's peak RSS (VmHWM) growth.

Run with PYTHONPATH pointing at the checkout to measure (main for "before"):
    PYTHONPATH=src .venv/bin/python bench/ingest/hostile.py --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PY = sys.executable


def env_for(work: Path) -> dict[str, str]:
    return {**os.environ, "VENUECODE_DATABASE_URL": f"sqlite:///{work / 'db.sqlite'}",
            "VENUECODE_DATA_DIR": str(work / "data"), "VENUECODE_ENVIRONMENT": "development",
            "VENUECODE_ACCESS_LOG": "false", "TMPDIR": str(work / "tmp")}


def rejected_csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id_number", "name", "phone"])
        for i in range(rows):
            writer.writerow([f"1101011990{i:07d}Y", f"名字{i}", ""])
    return path


def cli_import(work: Path, path: Path) -> tuple[float, float]:
    started = time.time()
    done = subprocess.run(["/usr/bin/time", "-v", PY, "-m", "venuecode.cli.main", "import",
                           "persons", str(path), "--report", str(work / "rejects.csv"), "--json"],
                          env=env_for(work), capture_output=True, text=True, check=False)
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])  # type: ignore[index]
    return peak / 1024, time.time() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vm(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]


def stream(port: int, head: bytes, chunk: bytes, total: int) -> tuple[int, str]:
    """Send `head` then `total` bytes of `chunk`; stop once an answer can be read."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setblocking(False)
    sent, answer = 0, b""
    data = head
    try:
        while sent < total or data:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable:
                break
            if writable:
                if not data:
                    data = chunk[: total - sent]
                n = sock.send(data)
                sent += n if data is not head else 0
                data = data[n:]
        sock.setblocking(True)
        sock.settimeout(30)
        while b"\r\n" not in answer:
            part = sock.recv(65536)
            if not part:
                break
            answer += part
    except OSError as exc:
        answer = answer or f"closed: {exc}".encode()
    finally:
        sock.close()
    return sent, answer.split(b"\r\n")[0].decode(errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--push-mb", type=int, default=73)
    parser.add_argument("--multipart-mb", type=int, default=1024)
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="venuecode-hostile-"))
    (work / "tmp").mkdir()
    print(os.getloadavg())
    if not args.skip_cli:
        path = rejected_csv(work / "rejected.csv", args.rows)
        peak, seconds = cli_import(work, path)
        print(f"cli import {args.rows} rejected rows: peak RSS {peak:.0f} MB, {seconds:.0f} s, "
              f"load {os.getloadavg()[0]:.1f}")
    port = free_port()
    server = subprocess.Popen([PY, "-m", "venuecode.cli.main", "serve", "--host", "127.0.0.1",
                               "--port", str(port)], env=env_for(work),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        base = vm(server.pid, "VmHWM")
        push_total = args.push_mb << 20
        head = (f"POST /api/v1/ingest/persons HTTP/1.1\r\nHost: localhost\r\n"
                f"Content-Type: application/json\r\nContent-Length: {push_total}\r\n\r\n"
                ).encode()
        record = b'{"id_number": "110101199001011234", "name": "x", "phone": ""},'
        sent, status = stream(port, head + b'{"records": [', record * 1000, push_total)
        print(f"anonymous push {args.push_mb} MB: {status!r}, client sent {sent >> 20} MB, "
              f"server peak RSS +{vm(server.pid, 'VmHWM') - base:.0f} MB, "
              f"load {os.getloadavg()[0]:.1f}")
        total = args.multipart_mb << 20
        form = (b"--b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\npersons\r\n"
                b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n"
                b"Content-Type: text/csv\r\n\r\n")
        head = (f"POST /admin/ingest HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n"
                f"Content-Type: multipart/form-data; boundary=b\r\n"
                f"Content-Length: {total}\r\n\r\n").encode() + form
        tmp_before = sum(f.stat().st_size for f in (work / "tmp").rglob("*") if f.is_file())
        sent, status = stream(port, head, b"110101199001011234,x,\r\n" * 3000, total)
        print(f"anonymous multipart {args.multipart_mb} MB: {status!r}, client sent "
              f"{sent >> 20} MB, server peak RSS +{vm(server.pid, 'VmHWM') - base:.0f} MB, "
              f"temp files +{tmp_before} B before, load {os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
