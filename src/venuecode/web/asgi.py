"""ASGI entry point for uvicorn workers: `venuecode.web.asgi:app`."""

from venuecode.web.app import create_app

app = create_app()
