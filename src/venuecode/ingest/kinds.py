"""The data kinds of shared/spec/data-interfaces.md: columns, validation, natural keys.

Each kind turns one record (spec column name -> text or None) into a tuple of database
values in `KindSpec.db_columns` order, or into the list of reasons it is rejected.
Times become integer microseconds (the `Instant` storage) here, so the bulk writer
never builds ORM objects and natural keys compare as instants in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from venuecode.categories import categories
from venuecode.ingest import reasons as R
from venuecode.ingest.reasons import Reason
from venuecode.people.idnumber import IdNumberError, is_plainly_valid, parse_id_number
from venuecode.timeutil import EPOCH, TimeFormatError, parse_instant, to_micros
from venuecode.venues.ids import venue_id_problem

_MICRO = timedelta(microseconds=1)
_ID_CACHE_LIMIT = 500_000  # bounded so memory stays flat on files of any size


class Bad(Exception):
    """Raised by a converter; carries the reason the value is unusable."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.en)
        self.reason = reason


@dataclass
class Context:
    """What validation needs besides the record: time zone, now, known venues."""

    tz: ZoneInfo
    now: datetime
    venue_pks: Mapping[str, int] = field(default_factory=dict)
    _ids: dict[str, str | Reason] = field(default_factory=dict)
    _minutes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.now_micros = to_micros(self.now)
        self.today: date = self.now.astimezone(self.tz).date()

    def time(self, text: str) -> int:
        """time_micros(text, tz), with the instant of each minute cached.

        Machine-written times share their minute with thousands of others, so only the
        seconds are parsed per record. DST shifts fall on whole minutes, so the cached
        offset of a local minute holds for every second in it.
        """
        n = len(text)
        if n == 19 or n == 25:
            key = text[:16] if n == 19 else text[:16] + text[19:]
            base = self._minutes.get(key)
            seconds = text[17:19]
            if base is None and text[16:17] == ":":
                try:
                    base = time_micros(text[:17] + "00" + text[19:], self.tz)
                except TimeFormatError:
                    base = None
                else:
                    if len(self._minutes) >= _ID_CACHE_LIMIT:
                        self._minutes.clear()
                    self._minutes[key] = base
            if base is not None and seconds.isdigit() and seconds < "60":
                return base + int(seconds) * 1_000_000
        return time_micros(text, self.tz)

    def id_number(self, name: str, raw: str) -> str:
        # Check-in files repeat the same people many times: validate each number once.
        hit = self._ids.get(raw)
        if hit is None:
            if is_plainly_valid(raw, self.today):
                hit = raw
            else:
                try:
                    hit = parse_id_number(raw, today=self.today).value
                except IdNumberError as exc:
                    hit = Reason(name, exc.code, exc.message_en, exc.message_zh)
            if len(self._ids) >= _ID_CACHE_LIMIT:
                self._ids.clear()
            self._ids[raw] = hit
        if isinstance(hit, Reason):
            raise Bad(hit)
        return hit


def time_micros(text: str, tz: ZoneInfo) -> int:
    """Microseconds since the epoch of an ISO 8601 time, per timeutil.parse_instant.

    A fast path for the shapes machines write (`YYYY-MM-DDTHH:MM:SS` with or without
    `+HH:MM`) skips the regular expressions; anything else goes through parse_instant,
    which also produces the messages.
    """
    n = len(text)
    if (n == 19 or (n == 25 and text[19] in "+-" and text[22] == ":")) and (
        text[4] == "-" and text[7] == "-" and text[10] in "T " and text[13] == ":"
        and text[16] == ":"
    ):
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=tz)
            return (dt - EPOCH) // _MICRO
    return to_micros(parse_instant(text, tz))


Converter = Callable[[str, str, Context], object]


def _id(name: str, raw: str, ctx: Context) -> object:
    return ctx.id_number(name, raw)


def _time(name: str, raw: str, ctx: Context) -> object:
    try:
        return ctx.time(raw)
    except TimeFormatError as exc:
        raise Bad(R.bad_time(name, str(exc))) from None


def text(limit: int) -> Converter:
    def convert(name: str, raw: str, ctx: Context) -> object:
        if len(raw) > limit:
            raise Bad(R.too_long(name, limit))
        return raw  # kept as given: "=1+1" is text, never evaluated

    return convert


def choice(*choices: str) -> Converter:
    def convert(name: str, raw: str, ctx: Context) -> object:
        value = raw.lower()
        if value not in choices:
            raise Bad(R.not_one_of(name, raw, choices))
        return value

    return convert


def integer(low: int, high: int) -> Converter:
    def convert(name: str, raw: str, ctx: Context) -> object:
        try:
            value = int(raw)
        except ValueError:
            raise Bad(R.bad_integer(name, raw, low, high)) from None
        if not low <= value <= high:
            raise Bad(R.bad_integer(name, raw, low, high))
        return value

    return convert


def _category(name: str, raw: str, ctx: Context) -> object:
    if raw not in categories():
        raise Bad(R.unknown_category(raw))
    return raw


def _new_venue_id(name: str, raw: str, ctx: Context) -> object:
    # A venue id pages and API routes can carry (`venues.ids`): no "/" and the like.
    if len(raw) > 64:
        raise Bad(R.too_long(name, 64))
    problem = venue_id_problem(raw)
    if problem is not None:
        raise Bad(R.venue_id_unsafe(*problem))
    return raw


def _venue(name: str, raw: str, ctx: Context) -> object:
    pk = ctx.venue_pks.get(raw)
    if pk is None:
        raise Bad(R.unknown_venue(raw))
    return pk


@dataclass(frozen=True)
class Column:
    name: str
    convert: Converter
    required: bool = False


# A check run on the converted values (db column -> value) after every column passed.
RecordCheck = Callable[[dict[str, object], Context], list[Reason]]


@dataclass(frozen=True)
class KindSpec:
    name: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # natural key, as database columns (the unique constraint's order)
    # Database column of each spec column when they differ (checkins: venue_id -> venue_pk).
    renames: Mapping[str, str] = field(default_factory=dict)
    # Defaults for optional columns that are NOT NULL in the table.
    defaults: Mapping[str, object] = field(default_factory=dict)
    provenance: bool = True  # the table has source, batch_id, received_at
    check: RecordCheck | None = None
    # A time column: a record replaces one with the same key only if this is not older
    # (health_codes: "latest since wins").
    latest_wins: str | None = None
    # An optional fast path for the common all-valid record; None means "not sure":
    # the full validation then runs and collects the reasons.
    fast: Callable[[Mapping[str, str | None], Context], tuple[object, ...] | None] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.required)

    @cached_property
    def data_columns(self) -> tuple[str, ...]:
        return tuple(self.renames.get(c.name, c.name) for c in self.columns)

    def validate(self, record: Mapping[str, str | None], ctx: Context
                 ) -> tuple[object, ...] | list[Reason]:
        """The record's data values in `data_columns` order, or why it is rejected."""
        if self.fast is not None:
            values = self.fast(record, ctx)
            if values is not None:
                return values
        return self.validate_fully(record, ctx)

    def validate_fully(self, record: Mapping[str, str | None], ctx: Context
                       ) -> tuple[object, ...] | list[Reason]:
        values: list[object] = []
        problems: list[Reason] = []
        for col in self.columns:
            raw = record.get(col.name)
            if raw is None or raw == "":
                if col.required:
                    problems.append(R.required(col.name))
                values.append(self.defaults.get(col.name))
                continue
            try:
                values.append(col.convert(col.name, raw, ctx))
            except Bad as bad:
                problems.append(bad.reason)
        if problems:
            return problems
        if self.check is not None:
            problems = self.check(dict(zip(self.data_columns, values, strict=True)), ctx)
            if problems:
                return problems
        return tuple(values)


def _check_checkin(row: dict[str, object], ctx: Context) -> list[Reason]:
    problems: list[Reason] = []
    scanned = row["scanned_at"]
    out = row["checked_out_at"]
    assert isinstance(scanned, int)
    if scanned > ctx.now_micros:
        problems.append(R.in_future("scanned_at"))
    if out is not None and isinstance(out, int) and out <= scanned:
        problems.append(R.checkout_not_after_scan())
    return problems


def _fast_checkin(record: Mapping[str, str | None], ctx: Context) -> tuple[object, ...] | None:
    # Check-ins dominate the volume (millions a day): no per-column calls, no dicts.
    raw_id, venue = record.get("id_number"), record.get("venue_id")
    scanned_text, out_text = record.get("scanned_at"), record.get("checked_out_at")
    if not raw_id or not venue or not scanned_text:
        return None
    pk = ctx.venue_pks.get(venue)
    if pk is None:
        return None
    try:
        id_number = ctx.id_number("id_number", raw_id)
        scanned = ctx.time(scanned_text)
        out = ctx.time(out_text) if out_text else None
    except (Bad, TimeFormatError):
        return None
    if scanned > ctx.now_micros or (out is not None and out <= scanned):
        return None
    return (id_number, pk, scanned, out)


_ID = Column("id_number", _id, required=True)

KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec("persons", "persons",
                 (_ID, Column("name", text(64), True), Column("phone", text(20)),
                  # 1.1: the place of residence, for the district call lists.
                  Column("district", text(64)), Column("address", text(200))),
                 key=("id_number",)),
        KindSpec("venues", "venues",
                 (Column("venue_id", _new_venue_id, True), Column("name", text(100), True),
                  Column("category", _category, True), Column("district", text(64)),
                  Column("address", text(200)), Column("dwell_minutes", integer(1, 10_080))),
                 key=("venue_id",), defaults={"district": "", "address": ""},
                 provenance=False),
        KindSpec("checkins", "checkins",
                 (_ID, Column("venue_id", _venue, True), Column("scanned_at", _time, True),
                  Column("checked_out_at", _time)),
                 key=("id_number", "scanned_at", "venue_pk"),
                 renames={"venue_id": "venue_pk"}, provenance=False, check=_check_checkin,
                 fast=_fast_checkin),
        KindSpec("health_codes", "health_codes",
                 (_ID, Column("color", choice("green", "yellow", "red"), True),
                  Column("since", _time, True), Column("reason", text(200))),
                 key=("id_number",), latest_wins="since"),
        KindSpec("nucleic_acid_tests", "nucleic_acid_tests",
                 (_ID, Column("sampled_at", _time, True),
                  Column("result", choice("negative", "positive", "pending"), True),
                  Column("reported_at", _time), Column("institution", text(100))),
                 key=("id_number", "sampled_at")),
        KindSpec("vaccinations", "vaccinations",
                 (_ID, Column("dose", integer(1, 99), True), Column("vaccinated_at", _time, True),
                  Column("product", text(100))),
                 key=("id_number", "dose")),
        KindSpec("itineraries", "itineraries",
                 (_ID, Column("city", text(64), True), Column("arrived_at", _time, True),
                  Column("left_at", _time)),
                 key=("id_number", "city", "arrived_at")),
        KindSpec("risk_areas", "risk_areas",
                 (Column("area", text(64), True),
                  Column("level", choice("high", "medium", "low"), True),
                  Column("since", _time, True), Column("until", _time)),
                 key=("area", "since")),
        KindSpec("citizen_cards", "citizen_cards",
                 (Column("card_number", text(32), True), _ID), key=("card_number",)),
        KindSpec("cases", "cases",
                 (_ID, Column("reference_time", _time, True), Column("isolated_at", _time),
                  Column("kind", choice("confirmed", "asymptomatic"))),
                 key=("id_number",), defaults={"kind": "confirmed"}),
    )
}
