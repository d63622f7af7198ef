"""What the app holds for the lifetime of the process."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from venuecode.access.ratelimit import Limiter
from venuecode.config import Settings
from venuecode.people.sms import SmsSender
from venuecode.proofs.keys import ProofKeys
from venuecode.venues.service import CodeSigner


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    signer: CodeSigner
    sms: SmsSender
    secret: str
    limiter: Limiter  # every rate limit; in Redis when VENUECODE_REDIS_URL is set
    proofs: ProofKeys  # signs scan results' proofs, verifies them (venuecode.proofs)
