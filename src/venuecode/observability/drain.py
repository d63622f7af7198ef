"""Draining: on SIGTERM readiness turns 503 at once; uvicorn's graceful shutdown follows.

uvicorn's own SIGTERM handler stops accepting connections, lets requests in flight finish
(up to `--timeout-graceful-shutdown`) and exits. We wrap it: the wrapper marks the process
as draining and, when a drain delay is set, calls uvicorn's handler only after the delay,
so a balancer with active checks sees /readyz fail and stops sending before the port
closes. Installed from the lifespan startup, when uvicorn's handler is already in place
(in every worker process, since each runs its own lifespan).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from types import FrameType

log = logging.getLogger("venuecode.drain")


class Drain:
    def __init__(self, delay_seconds: float = 0) -> None:
        self.delay_seconds = delay_seconds
        self.draining = False

    def install(self) -> bool:
        """Wrap the SIGTERM handler in place; False where there is none to wrap (tests)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        previous = signal.getsignal(signal.SIGTERM)
        if not callable(previous):
            return False
        loop = asyncio.get_running_loop()

        def on_term(sig: int, frame: FrameType | None) -> None:
            if self.draining:
                return
            self.draining = True
            log.info("SIGTERM: draining (readiness 503), stopping in %.1f s", self.delay_seconds)
            if self.delay_seconds > 0:
                loop.call_soon_threadsafe(loop.call_later, self.delay_seconds, previous, sig, None)
            else:
                previous(sig, frame)

        signal.signal(signal.SIGTERM, on_term)
        return True
