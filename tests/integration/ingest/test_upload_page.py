import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.config import Settings
from venuecode.people.models import Person

HTML = {"accept": "text/html"}


def admin_headers(client: TestClient, settings: Settings, db: Session) -> dict[str, str]:
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    return {**sign_in(client, settings, admin.phone, factories.PASSWORD), **HTML}


def test_an_admin_uploads_a_file_and_sees_counts_rejects_and_the_batch(
        client: TestClient, settings: Settings, db: Session) -> None:
    headers = admin_headers(client, settings, db)
    good = factories.id_number(301)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    content = f"id_number,name,phone\n{good},张三,13800000001\n{bad},=HYPERLINK(\"x\"),\n"
    response = client.post("/admin/ingest", headers=headers,
                           data={"kind": "persons", "source": "公安人口库"},
                           files={"file": ("persons.csv", content.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    assert 'data-count="accepted">1<' in response.text
    assert 'data-count="rejected">1<' in response.text
    assert db.get(Person, good) is not None and db.get(Person, bad) is None

    listing = client.get("/admin/ingest/batches?source=公安人口库", headers=headers)
    assert "persons.csv" in listing.text
    batch_link = listing.text.split("/admin/ingest/batches/")[1].split("/")[0]
    rejects = client.get(f"/admin/ingest/batches/{batch_link}/rejects.csv", headers=headers)
    assert rejects.status_code == 200
    # A cell a citizen typed can never run as a formula in the tracer's spreadsheet.
    rows = list(csv.reader(io.StringIO(rejects.text.lstrip("\ufeff"))))
    assert rows[1][0] == "3" and "check character" in rows[1][1]
    assert "HYPERLINK" in rows[1][2]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_an_unusable_file_is_refused_with_a_reason_and_nothing_stored(
        client: TestClient, settings: Settings, db: Session) -> None:
    headers = admin_headers(client, settings, db)
    response = client.post("/admin/ingest", headers=headers, data={"kind": "persons"},
                           files={"file": ("p.csv", b"wrong,header\n1,2\n", "text/csv")})
    assert response.status_code == 422
    assert 'id="upload-error"' in response.text and "id_number" in response.text
    other = client.post("/admin/ingest", headers=headers, data={"kind": "persons"},
                        files={"file": ("p.exe", b"MZ", "application/octet-stream")})
    assert other.status_code == 422


def test_only_admins_may_upload(client: TestClient, settings: Settings) -> None:
    citizen = {**sign_in(client, settings, "13300000001"), **HTML}
    assert client.get("/admin/ingest", headers=citizen).status_code == 403
