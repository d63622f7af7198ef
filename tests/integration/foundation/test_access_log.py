from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.config import Settings


def test_a_citizen_sees_who_looked_at_their_data_and_why(client: TestClient, db: Session,
                                                         settings: Settings) -> None:
    headers = sign_in(client, settings, "13200000001")
    number = factories.id_number(501)
    client.put("/api/v1/me/identity", json={"id_number": number, "name": "钱七"}, headers=headers)
    record(db, Actor("user:99", "tracer"), AuditAction.PERSON_VIEWED, "person", number,
           reason="流调 #7 电话核实")
    record(db, Actor("user:99", "tracer"), AuditAction.PERSON_VIEWED, "person",
           factories.id_number(502), reason="someone else")
    db.commit()
    log = client.get("/api/v1/me/access-log", headers=headers).json()
    assert log == [{"at": log[0]["at"], "role": "tracer", "role_name": "流调人员",
                    "action": "person.viewed", "what": "工作人员查询了您的健康状态",
                    "reason": "流调 #7 电话核实"}]
