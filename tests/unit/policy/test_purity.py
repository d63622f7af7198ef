from __future__ import annotations

import subprocess
import sys


def test_the_policy_imports_no_database_or_web_framework() -> None:
    # A fresh interpreter, so modules other tests imported cannot hide a new dependency.
    code = (
        "import sys, venuecode.policy; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'fastapi', 'starlette', 'pydantic', 'alembic'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
