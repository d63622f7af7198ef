"""Typed path and query parameters: bad input is a 422 naming the parameter, never a 500.

Ids fit the tables' id columns (INTEGER: 32 bits on PostgreSQL): a larger number fails in
the database ("integer out of range"), and beyond 64 bits already in SQLite's driver.
Days stay within years the service can hold data for, so that the
day after (a range's end) and its local midnight are always representable.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

ObjectId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]
