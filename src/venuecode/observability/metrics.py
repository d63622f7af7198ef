"""Prometheus metrics: the metric objects and the small functions capabilities call.

Labels are closed sets (verdict, channel, route template, status, kind, outcome), so no
personal data and no unbounded label values ever reach a scrape.

With several worker processes `venuecode serve` sets `PROMETHEUS_MULTIPROC_DIR` before
the workers start; prometheus_client then writes each process's values to files there and
`render()` adds them up, so one scrape of any worker shows the whole server.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from venuecode.observability import MULTIPROC_ENV

SCANS = Counter("venuecode_scans", "Scans decided, by verdict and channel.",
                ["verdict", "channel"])
SCAN_SECONDS = Histogram(
    "venuecode_scan_seconds", "Time to decide and store one scan, by channel.", ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
HTTP_REQUESTS = Counter("venuecode_http_requests", "HTTP requests by route template and status.",
                        ["route", "method", "status"])
IMPORTED_ROWS = Counter("venuecode_imported_rows", "Imported records by kind and outcome.",
                        ["kind", "outcome"])
TRACE_SECONDS = Histogram(
    "venuecode_trace_seconds", "Duration of one trace run.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))


def observe_scan(verdict: str, channel: str, seconds: float) -> None:
    """One decided scan: `verdict` is pass or deny; `channel` api, page, help, gate."""
    SCANS.labels(verdict, channel).inc()
    SCAN_SECONDS.labels(channel).observe(seconds)


def count_imported(kind: str, accepted: int, rejected: int) -> None:
    """Where an import batch finishes (file import or push)."""
    if accepted:
        IMPORTED_ROWS.labels(kind, "accepted").inc(accepted)
    if rejected:
        IMPORTED_ROWS.labels(kind, "rejected").inc(rejected)


def observe_trace(seconds: float) -> None:
    TRACE_SECONDS.observe(seconds)


def observe_http(route: str, method: str, status: int) -> None:
    HTTP_REQUESTS.labels(route, method, str(status)).inc()


def render() -> tuple[bytes, str]:
    """The exposition text and its content type; summed over workers in multiprocess mode."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
