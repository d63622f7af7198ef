"""Operations: metrics, structured logs, the request middleware, readiness and draining.

Neutral: any capability may call the metric functions; nothing here imports a capability.
"""

# The environment variable prometheus_client's multiprocess mode reads (set by `serve`).
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
