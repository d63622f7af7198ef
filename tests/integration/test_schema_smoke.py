from sqlalchemy import inspect
from sqlalchemy.orm import Session


def test_schema_has_the_checkins_table_with_its_natural_key(db: Session) -> None:
    inspector = inspect(db.get_bind())
    uniques = inspector.get_unique_constraints("checkins")
    assert any(u["column_names"] == ["id_number", "scanned_at", "venue_pk"] for u in uniques)
