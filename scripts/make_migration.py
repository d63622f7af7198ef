"""Autogenerate an Alembic revision against a scratch SQLite database at head.

Usage: python scripts/make_migration.py "message"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from venuecode.db import make_engine
from venuecode.migrate import alembic_config, has_migrations, upgrade_engine


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        if has_migrations():
            upgrade_engine(engine)
        command.revision(alembic_config(engine), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main()
