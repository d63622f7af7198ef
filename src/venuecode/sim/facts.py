"""Health facts per person, as CSV bytes: tests, vaccinations, health codes, cards.

The big ones (nucleic-acid tests, vaccinations) are built per chunk of persons with
the same vectorised row builder as the check-ins.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from numpy.typing import NDArray

from venuecode.sim import names
from venuecode.sim.city import Persons, SimParams
from venuecode.sim.fastcsv import (
    DAY,
    U8,
    Field,
    Timeline,
    digits,
    encode_rows,
    take,
    vocab,
    vocab_field,
)
from venuecode.sim.outbreak import NEVER, Outbreak

I64 = NDArray[np.int64]
HOUR = 3600

RESULTS = vocab(("negative", "positive", "pending"))
NEGATIVE, POSITIVE, PENDING = range(3)
INSTITUTIONS = vocab(names.INSTITUTIONS)
PRODUCTS = vocab(names.VACCINE_PRODUCTS)
COLORS = vocab(("green", "yellow", "red"))
REASONS = vocab(("", *names.YELLOW_REASONS, *names.RED_REASONS,
                 *names.CASE_REASONS.values()))
CITIZEN_CARD_PREFIX = "3301"
# Card serials are the person number through a bijection of 0..10^11-1 (multiplying by
# a number coprime to 10), so they are unique without a lookup and look unordered.
_CARD_MULT = 7_777_777_777
_CARD_ADD = 12_345_678


def nucleic_tests(params: SimParams, persons: Persons, outbreak: Outbreak, tl: Timeline,
                  lo: int, hi: int, rng: np.random.Generator) -> tuple[bytes, int]:
    """Regular testing (every 2-3 days for most, weekly for some) and the cases' positives."""
    n = hi - lo
    end = params.days * DAY
    u = rng.random(n)
    age = persons.age[lo:hi]
    every = np.select([u < 0.45, u < 0.75, u < 0.93], [2, 3, 7], 0)
    every[(age < 3) & (u < 0.8)] = 0
    phase = (rng.random(n) * np.maximum(every, 1) * DAY).astype(np.int64)
    count = np.where(every > 0, (end - phase + every * DAY - 1) // np.maximum(every * DAY, 1),
                     0)
    count = np.maximum(count, 0)
    who = np.repeat(np.arange(lo, hi, dtype=np.int64), count)
    k = np.arange(len(who)) - np.repeat(np.cumsum(count) - count, count)
    day_start = phase[who - lo] + k * every[who - lo] * DAY
    t = day_start // DAY * DAY + rng.integers(7 * HOUR, 21 * HOUR, size=len(who))
    t = np.minimum(t, end - 1)
    # A case's regular tests stop shortly before the positive one.
    cut = np.full(params.persons, NEVER, np.int64)
    cut[outbreak.person] = outbreak.reference - 6 * HOUR
    keep = t < cut[who]
    who, t = who[keep], t[keep]
    reported = t + rng.integers(4 * HOUR, 20 * HOUR, size=len(t))
    result = np.where(reported < end, NEGATIVE, PENDING)
    mine = (outbreak.person >= lo) & (outbreak.person < hi)
    pos_t = outbreak.reference[mine]
    who = np.concatenate([who, outbreak.person[mine]])
    t = np.concatenate([t, pos_t])
    reported = np.concatenate(
        [reported, np.minimum(pos_t + rng.integers(HOUR, 4 * HOUR, size=len(pos_t)), end - 1)])
    result = np.concatenate([result, np.full(len(pos_t), POSITIVE)])
    order = np.lexsort((t, who))
    who, t, reported, result = who[order], t[order], reported[order], result[order]
    inst = rng.integers(len(names.INSTITUTIONS), size=len(t))
    text = encode_rows([
        Field(take(persons.ids, who)),
        tl.field(t),
        vocab_field(*RESULTS, result),
        tl.field(reported, present=result != PENDING),
        vocab_field(*INSTITUTIONS, inst, sep=b"\n"),
    ])
    return text, len(t)


def vaccinations(params: SimParams, persons: Persons, lo: int, hi: int,
                 rng: np.random.Generator) -> tuple[bytes, int]:
    """0-3 doses per person on real campaign dates (2021-2022); none after the end."""
    n = hi - lo
    age = persons.age[lo:hi]
    u = rng.random(n)
    adult = np.select([u < 0.05, u < 0.08, u < 0.30], [0, 1, 2], 3)
    elderly = np.select([u < 0.25, u < 0.30, u < 0.60], [0, 1, 2], 3)
    child = np.select([u < 0.10, u < 0.95], [0, 2], 3)
    doses = np.select([age < 3, age < 18, age >= 75], [0, child, elderly], adult)
    campaign = Timeline(date(2021, 1, 1), 800)
    first = np.where(age < 18, 200 + rng.integers(0, 150, size=n),
                     60 + rng.integers(0, 240, size=n))
    second = first + rng.integers(21, 57, size=n)
    third = second + rng.integers(180, 300, size=n)
    day = np.stack([first, second, third], axis=1)
    who = np.repeat(np.arange(lo, hi, dtype=np.int64), doses)
    dose = np.arange(len(who)) - np.repeat(np.cumsum(doses) - doses, doses)
    t = day[who - lo, dose] * DAY + rng.integers(8 * HOUR + 1800, 17 * HOUR, size=len(who))
    end_in_campaign = (params.end - campaign.start).days * DAY
    ok = t < end_in_campaign
    who, dose, t = who[ok], dose[ok], t[ok]
    product = rng.integers(len(names.VACCINE_PRODUCTS), size=n)[who - lo]
    text = encode_rows([
        Field(take(persons.ids, who)),
        Field(digits(dose + 1, 1)),
        campaign.field(t),
        vocab_field(*PRODUCTS, product, sep=b"\n"),
    ])
    return text, len(t)


def health_codes(params: SimParams, persons: Persons, outbreak: Outbreak, tl: Timeline,
                 rng: np.random.Generator) -> bytes:
    """One current code per person: mostly green; yellow and red with a reason."""
    n = len(persons)
    end = params.days * DAY
    u = rng.random(n)
    color = np.select([u < 0.015, u < 0.018], [1, 2], 0)
    ny, nr = len(names.YELLOW_REASONS), len(names.RED_REASONS)
    reason = np.where(color == 1, 1 + rng.integers(ny, size=n),
                      np.where(color == 2, 1 + ny + rng.integers(nr, size=n), 0))
    since = end - rng.integers(HOUR, 30 * DAY, size=n)
    # Cases are red from their positive result (asymptomatic) or onset.
    color[outbreak.person] = 2
    reason[outbreak.person] = np.where(outbreak.asymptomatic, 1 + ny + nr + 1, 1 + ny + nr)
    since[outbreak.person] = np.minimum(outbreak.reference + 2 * HOUR, end - 1)
    return encode_rows([
        Field(persons.ids),
        vocab_field(*COLORS, color),
        tl.field(since),
        vocab_field(*REASONS, reason, sep=b"\n"),
    ])


def citizen_cards(persons: Persons, rng: np.random.Generator) -> tuple[bytes, int]:
    """杭州市民卡 for about 75% (more among those born in Hangzhou)."""
    n = len(persons)
    born_hz = (persons.ids[:, :4] == np.frombuffer(b"3301", np.uint8)).all(axis=1)
    has = rng.random(n) < np.where(born_hz, 0.9, 0.5)
    who = np.flatnonzero(has).astype(np.int64)
    serial = (who * _CARD_MULT + _CARD_ADD) % 10**11
    body = np.concatenate([np.broadcast_to(np.frombuffer(CITIZEN_CARD_PREFIX.encode(),
                                                         np.uint8), (len(who), 4)),
                           digits(serial, 11)], axis=1)
    return encode_rows([
        Field(np.concatenate([body, luhn_digit(body)[:, None]], axis=1)),
        Field(take(persons.ids, who), sep=b"\n"),
    ]), len(who)


def luhn_digit(body: U8) -> U8:
    """The Luhn check digit (ASCII) for rows of ASCII digits."""
    d = body.astype(np.int64) - 48
    # From the right, every first, third... digit of the body is doubled.
    double = (np.arange(d.shape[1])[::-1] % 2) == 0
    x = np.where(double, d * 2, d)
    x = np.where(x > 9, x - 9, x)
    check: U8 = (48 + (10 - x.sum(axis=1) % 10) % 10).astype(np.uint8)
    return check
