"""Operations: metrics, structured logs, the request middleware, readiness and draining.

Neutral: any capability may call the metric functions; nothing here imports a capability.
"""
