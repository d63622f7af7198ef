#!/usr/bin/env python3
"""N `venuecode serve` processes behind nginx, on one database (and one Redis).

    cluster.py start   --run-dir DIR --servers 2 --listen 127.0.0.1:8080 [--workers 1]
    cluster.py status  --run-dir DIR
    cluster.py restart --run-dir DIR      # rolling: one server at a time, no failed request
    cluster.py stop    --run-dir DIR
    cluster.py render  --server 127.0.0.1:8001 --server 127.0.0.1:8002 --listen 80

The servers inherit this environment (VENUECODE_DATABASE_URL, VENUECODE_REDIS_URL, the
secrets, ...); VENUECODE_FORWARDED_ALLOW_IPS defaults to 127.0.0.1 so they believe the
nginx started here. `start` runs a private nginx (`nginx -p DIR -c DIR/nginx.conf`) as
the invoking user; `render` prints the site file for Debian's own nginx instead
(/etc/nginx/sites-available/venuecode). Standard library only. See docs/operations.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "venuecode.nginx"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
READY_SECONDS = 60

PRIVATE_CONF = """\
# Private nginx for `cluster.py start`; the site itself is venuecode.conf.
{user}worker_processes 2;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    default_type application/octet-stream;
    client_body_temp_path {run}/nginx-tmp/body;
    proxy_temp_path {run}/nginx-tmp/proxy;
    fastcgi_temp_path {run}/nginx-tmp/fastcgi;
    uwsgi_temp_path {run}/nginx-tmp/uwsgi;
    scgi_temp_path {run}/nginx-tmp/scgi;
    log_format upstream '$remote_addr [$time_iso8601] "$request" $status $request_time '
                        'upstream=$upstream_addr id=$request_id';
    access_log {run}/nginx-access.log upstream;
    include {run}/venuecode.conf;
}}
"""


def render(servers: list[tuple[str, bool]], listen: str, upload_max_mb: int) -> str:
    """The site file: `servers` are (host:port, down) pairs."""
    lines = [f"    server {addr} max_fails=2 fail_timeout=5s{' down' if down else ''};"
             for addr, down in servers]
    return (TEMPLATE.read_text("utf-8").replace("@SERVERS@", "\n".join(lines))
            .replace("@LISTEN@", listen).replace("@UPLOAD_MAX_MB@", str(upload_max_mb)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def probe(url: str, timeout: float = 2) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError as exc:
        return 0, str(exc)


class Cluster:
    def __init__(self, run_dir: Path) -> None:
        self.run = run_dir.resolve()
        self.state_file = self.run / "cluster.json"
        self.state: dict = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def save(self) -> None:
        self.state_file.write_text(json.dumps(self.state, indent=2))

    # -- servers --------------------------------------------------------------------
    def command(self) -> list[str]:
        return self.state.get("command") or [sys.executable, "-m", "venuecode.cli.main"]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("VENUECODE_FORWARDED_ALLOW_IPS", "127.0.0.1")
        # Each server keeps its own metrics folder (serve makes one when it has workers).
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        return env

    def spawn(self, port: int) -> int:
        log = (self.run / f"server-{port}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [*self.command(), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(self.state["workers"])],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)  # outlives this script, like a service
        return process.pid

    def wait_ready(self, port: int, pid: int) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if probe(f"http://127.0.0.1:{port}/readyz")[0] == 200:
                return
            if not alive(pid):
                break
            time.sleep(0.2)
        tail = (self.run / f"server-{port}.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"server on port {port} did not become ready:\n{tail}")

    def terminate(self, server: dict, timeout: float) -> None:
        """SIGTERM: the server stops accepting, finishes requests in flight, exits."""
        pid = server["pid"]
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            print(f"server {server['port']} still running after {timeout:g} s: SIGKILL")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    # -- nginx ----------------------------------------------------------------------
    def write_nginx(self) -> None:
        servers = [(f"127.0.0.1:{s['port']}", s.get("down", False)) for s in self.state["servers"]]
        (self.run / "venuecode.conf").write_text(
            render(servers, self.state["listen"], self.state["upload_max_mb"]))
        user = "user root root;\n" if os.geteuid() == 0 else ""  # workers may read DIR
        (self.run / "nginx.conf").write_text(PRIVATE_CONF.format(run=self.run, user=user))
        (self.run / "nginx-tmp").mkdir(exist_ok=True)

    def nginx(self, *args: str) -> None:
        subprocess.run([NGINX, "-p", str(self.run), "-c", str(self.run / "nginx.conf"),  # noqa: S603
                        "-e", str(self.run / "nginx-error.log"), *args], check=True)

    def nginx_pid(self) -> int | None:
        path = self.run / "nginx.pid"
        return int(path.read_text()) if path.exists() else None

    def reload(self) -> None:
        """New nginx workers use the new upstream list; old ones finish their requests."""
        if not self.state.get("nginx"):
            return
        self.write_nginx()
        self.nginx("-s", "reload")
        time.sleep(0.5)  # the reload is asynchronous: let the new workers take over

    # -- commands -------------------------------------------------------------------
    def start(self, servers: int, workers: int, listen: str, use_nginx: bool,
              ports: list[int], command: list[str] | None) -> None:
        if self.state.get("servers") and any(alive(s["pid"]) for s in self.state["servers"]):
            raise SystemExit(f"already running (see {self.state_file}); stop it first")
        self.run.mkdir(parents=True, exist_ok=True)
        self.state = {"workers": workers, "listen": listen, "nginx": use_nginx,
                      "upload_max_mb": int(os.environ.get("VENUECODE_UPLOAD_MAX_MB", "512")),
                      "command": command, "servers": []}
        # One migration before any server starts (two servers would race to create it).
        subprocess.run([*self.command(), "db", "upgrade"], env=self.env(), check=True)  # noqa: S603
        ports = ports or [free_port() for _ in range(servers)]
        for port in ports[:servers]:
            self.state["servers"].append({"port": port, "pid": self.spawn(port)})
            self.save()
        for server in self.state["servers"]:
            self.wait_ready(server["port"], server["pid"])
        if use_nginx:
            self.write_nginx()
            self.nginx("-t", "-q")
            self.nginx()
        self.save()
        self.status()

    def restart(self, timeout: float) -> None:
        """Rolling restart: take one server out of nginx, drain it, start it, wait for
        /readyz, put it back; then the next one."""
        for server in self.state["servers"]:
            server["down"] = True
            self.reload()
            self.terminate(server, timeout)
            server["pid"] = self.spawn(server["port"])
            self.save()
            self.wait_ready(server["port"], server["pid"])
            server["down"] = False
            self.reload()
            self.save()
            print(f"restarted server {server['port']} (pid {server['pid']})")

    def stop(self, timeout: float) -> None:
        pid = self.nginx_pid() if self.state.get("nginx") else None
        if pid and alive(pid):
            self.nginx("-s", "quit")  # graceful: requests in flight are answered first
            deadline = time.monotonic() + timeout
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        for server in self.state.get("servers", []):
            with contextlib.suppress(ProcessLookupError):
                os.kill(server["pid"], signal.SIGTERM)
        for server in self.state.get("servers", []):
            self.terminate(server, timeout)
        print("stopped")

    def status(self) -> None:
        for server in self.state.get("servers", []):
            code, body = probe(f"http://127.0.0.1:{server['port']}/readyz")
            print(f"server 127.0.0.1:{server['port']} pid {server['pid']} "
                  f"{'alive' if alive(server['pid']) else 'dead'} readyz {code} {body.strip()}")
        if self.state.get("nginx"):
            listen = self.state["listen"]
            base = listen if ":" in listen else f"127.0.0.1:{listen}"
            code, body = probe(f"http://{base}/readyz")
            print(f"nginx {listen} pid {self.nginx_pid()} readyz {code} {body.strip()}")


def alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)  # reap our own children (restart)
        if done:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    for name in ("start", "status", "restart", "stop"):
        p = sub.add_parser(name)
        p.add_argument("--run-dir", type=Path, required=True,
                       help="pid/state/log/nginx files of this cluster")
        p.add_argument("--timeout", type=float, default=45,
                       help="seconds a server may take to stop after SIGTERM")
    start = sub.choices["start"]
    start.add_argument("--servers", type=int, default=2)
    start.add_argument("--ports", default="", help="comma-separated; default: free ports")
    start.add_argument("--workers", type=int, default=1, help="uvicorn workers per server")
    start.add_argument("--listen", default="127.0.0.1:8080", help="nginx's address")
    start.add_argument("--no-nginx", action="store_true", help="servers only")
    start.add_argument("--command", default="",
                       help="how to run venuecode (default: this Python -m venuecode.cli.main)")
    rend = sub.add_parser("render")
    rend.add_argument("--server", action="append", required=True, help="HOST:PORT, repeatable")
    rend.add_argument("--listen", default="80")
    rend.add_argument("--upload-max-mb", type=int,
                      default=int(os.environ.get("VENUECODE_UPLOAD_MAX_MB", "512")))
    args = parser.parse_args(argv)
    if args.action == "render":
        print(render([(s, False) for s in args.server], args.listen, args.upload_max_mb), end="")
        return
    cluster = Cluster(args.run_dir)
    if args.action == "start":
        ports = [int(p) for p in args.ports.split(",") if p]
        cluster.start(args.servers, args.workers, args.listen, not args.no_nginx, ports,
                      args.command.split() or None)
    elif args.action == "status":
        cluster.status()
    elif args.action == "restart":
        cluster.restart(args.timeout)
    else:
        cluster.stop(args.timeout)


if __name__ == "__main__":
    main()
