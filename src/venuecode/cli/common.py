"""Kept for branches that still import it: the shared plumbing is `venuecode.cmdline`."""

from venuecode.cmdline import fail, session_scope, settings

__all__ = ["fail", "session_scope", "settings"]
