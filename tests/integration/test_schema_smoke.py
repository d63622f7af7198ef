from sqlalchemy import inspect
from sqlalchemy.orm import Session


def test_schema_has_the_checkins_table_with_its_natural_key(db: Session) -> None:
    inspector = inspect(db.get_bind())
    uniques = inspector.get_unique_constraints("checkins")
    assert any(u["column_names"] == ["id_number", "scanned_at", "venue_pk"] for u in uniques)


def test_the_migrations_create_exactly_the_models_schema(engine) -> None:  # type: ignore[no-untyped-def]
    """`make migration` must be run after a model change; this fails until it is."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from venuecode.models import Base

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; run `make migration m=...`: {diff}"
