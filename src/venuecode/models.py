"""Import every capability's tables so `Base.metadata` is complete (Alembic, tests)."""

from venuecode.access import models as access_models
from venuecode.assist import models as assist_models
from venuecode.audit import models as audit_models
from venuecode.db import Base
from venuecode.facts import models as facts_models
from venuecode.ingest import models as ingest_models
from venuecode.people import models as people_models
from venuecode.scans import models as scans_models
from venuecode.tracing import models as tracing_models
from venuecode.venues import models as venues_models

__all__ = [
    "Base",
    "access_models",
    "assist_models",
    "audit_models",
    "facts_models",
    "ingest_models",
    "people_models",
    "scans_models",
    "tracing_models",
    "venues_models",
]
