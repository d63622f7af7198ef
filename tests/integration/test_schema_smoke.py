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

    from venuecode.migrate import include_name
    from venuecode.models import Base

    # On PostgreSQL checkins and denied_attempts are partitioned with the primary key
    # (id, time), on SQLite plain with `id` (venuecode.scans.models says why). Alembic
    # compares neither primary keys nor partitioning; `include_name` leaves out the day
    # partitions (tables of no model), exactly as `make migration` does. The PostgreSQL
    # layout itself is asserted in tests/integration/scans/test_partitions.py.
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; run `make migration m=...`: {diff}"


def test_the_next_check_in_migration_backfills_existing_rows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A deployment upgrading with check-ins already stored gets them linked (rule 2)."""
    from sqlalchemy import text

    from venuecode.db import make_engine
    from venuecode.migrate import upgrade_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade_engine(engine, "75214965ec5e")  # the schema before next_scanned_at
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO venues (id, venue_id, name, category, district, address, manager_name,"
            " manager_phone, status, code_issue, created_at) VALUES"
            " (1, 'A', 'a', 'market', '', '', '', '', 'approved', 1, 0),"
            " (2, 'B', 'b', 'market', '', '', '', '', 'approved', 1, 0)"))
        conn.execute(text(
            "INSERT INTO checkins (id_number, venue_pk, scanned_at, channel) VALUES"
            " ('p', 1, 100, 'scan'), ('p', 2, 250, 'scan'), ('p', 1, 250, 'scan'), ('q', 1, 120, 'scan')"))
    upgrade_engine(engine)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id_number, venue_pk, scanned_at, next_scanned_at FROM checkins"
            " ORDER BY id_number, scanned_at, venue_pk")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("p", 1, 100, 250), ("p", 1, 250, 250), ("p", 2, 250, 250), ("q", 1, 120, None)]
