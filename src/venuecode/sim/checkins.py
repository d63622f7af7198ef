"""Check-ins of a chunk of persons over all simulated days, fully vectorised.

A person-day grid (persons x days) is drawn slot by slot (dawn market, commute,
lunch, errands, evening, night life...), each slot a Bernoulli draw per person-day with
a time-of-day distribution and a venue choice. The chunk's events are then sorted per
person, pushed apart to at least `MIN_GAP` seconds, and cut at the end of the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from numpy.typing import NDArray

from venuecode.sim.city import (
    INFANT,
    KINDER,
    PUPIL,
    RETIREE,
    TAXI,
    WALK,
    WORKER,
    Persons,
    SimParams,
    Venues,
)
from venuecode.sim.fastcsv import DAY
from venuecode.sim.outbreak import NEVER, Outbreak, Trips

I64 = NDArray[np.int64]
MIN = 60
HOUR = 3600
MIN_GAP = 2 * MIN  # two scans of one person are at least this far apart
EXIT_SCAN_SHARE = 0.10

RETIREE_ERRANDS = {"hospital": 3, "pharmacy": 3, "bank": 2, "supermarket": 4, "scenic": 3,
                   "religious": 1, "barber": 1, "government": 1, "museum": 1, "care_home": 1}
WEEKEND_OUTINGS = {"mall": 4, "scenic": 3, "cinema": 2, "gym": 2, "barber": 1,
                   "supermarket": 3, "museum": 1, "restaurant": 2, "hospital": 1,
                   "other": 1, "training": 1}
WORKDAY_ERRANDS = {"bank": 2, "pharmacy": 2, "logistics": 3, "government": 1,
                   "hospital": 1, "other": 2}
PUPIL_WEEKEND = {"training": 6, "scenic": 2, "mall": 2, "museum": 1}
CHILD_OUTINGS = {"mall": 3, "hospital": 2, "scenic": 3, "supermarket": 2}
EVENING = {"supermarket": 35, "restaurant": 35, "mall": 20, "gym": 10}
NIGHT = {"bar": 45, "ktv": 30, "internet_cafe": 15, "bathhouse": 10}
TRAVEL = {"taxi": 40, "railway": 4, "airport": 1, "hotel": 3}


@dataclass
class Events:
    person: I64  # global person number
    venue: I64
    time: I64  # seconds since the first simulated midnight
    checkout: I64  # -1: no exit scan

    def __len__(self) -> int:
        return len(self.person)


class _Day:
    """The person-day grid of one chunk and the slot drawing helpers."""

    def __init__(self, persons: Persons, venues: Venues, lo: int, hi: int,
                 params: SimParams, rng: np.random.Generator) -> None:
        self.p, self.v, self.rng, self.lo = persons, venues, rng, lo
        n, d = hi - lo, params.days
        self.pi = np.repeat(np.arange(lo, hi, dtype=np.int64), d)
        self.day = np.tile(np.arange(d, dtype=np.int64), n)
        wd = np.array([(params.start + timedelta(days=i)).weekday() for i in range(d)])
        self.weekend = np.isin(wd, (5, 6))[self.day]
        self.party = np.isin(wd, (4, 5))[self.day]  # Friday and Saturday nights
        self.parts: list[tuple[I64, I64, I64]] = []

    def draw(self, prob: NDArray[np.float64]) -> I64:
        """Indices into the grid of the person-days on which the slot happens."""
        return np.flatnonzero(self.rng.random(len(prob)) < prob)

    def uniform(self, k: int, h0: float, h1: float) -> I64:
        return self.rng.integers(int(h0 * HOUR), int(h1 * HOUR), size=k)

    def normal(self, k: int, mean_h: float, sd_min: float, h0: float, h1: float) -> I64:
        t = self.rng.normal(mean_h * HOUR, sd_min * MIN, size=k)
        return np.clip(t, h0 * HOUR, h1 * HOUR).astype(np.int64)

    def emit(self, sel: I64, venue: NDArray[np.integer], tod: I64) -> None:
        self.parts.append((self.pi[sel], np.asarray(venue, np.int64),
                           self.day[sel] * DAY + tod))

    def pick_mix(self, sel: I64, mix: Mapping[str, float], district: NDArray[np.integer]
                 ) -> I64:
        """A venue per selected person-day: a category from the mix, then a venue."""
        slugs = list(mix)
        w = np.array(list(mix.values()), float)
        cat = self.rng.choice(len(slugs), size=len(sel), p=w / w.sum())
        out = np.empty(len(sel), np.int64)
        for k, slug in enumerate(slugs):
            m = np.flatnonzero(cat == k)
            if len(m):
                out[m] = self.v.pickers[slug].pick(district[m], self.rng)
        return out


def _grid_slots(g: _Day) -> None:
    p = g.p
    pi = g.pi
    age, role, commute = p.age[pi], p.role[pi], p.commute[pi]
    home_d, work_d = p.home_district[pi].astype(np.int64), p.work_district[pi].astype(np.int64)
    workday = ~g.weekend
    elder = np.where(age >= 75, 0.6, 1.0)

    # Dawn market (5-8 a.m.): the older generation shops for the day's vegetables.
    prob = np.select([age >= 55, age >= 25], [0.40, 0.06], 0.0) * np.where(g.weekend, 1.3, 1)
    s = g.draw(prob * elder)
    fav = g.rng.random(len(s)) < 0.8
    venue = np.where(fav, p.market[pi[s]], g.v.pickers["market"].pick(home_d[s], g.rng))
    g.emit(s, venue, g.uniform(len(s), 5, 8))

    # Commute on workdays: stop or car at home, workplace, stop or car at work, home gate.
    goer = ((role == WORKER) | (role == PUPIL)) & workday
    pupil = role == PUPIL
    s = g.draw(np.where(goer, 0.93, 0.0))
    ride = commute[s] != WALK
    morning = np.where(pupil[s], g.normal(len(s), 7.0, 15, 6.2, 7.9),
                       g.normal(len(s), 8.0, 35, 6.0, 10.0))
    evening = np.where(pupil[s], g.normal(len(s), 16.8, 20, 15.8, 18.5),
                       g.normal(len(s), 18.0, 40, 16.5, 21.5))
    taxi = commute[s] == TAXI
    stop_am = np.where(taxi, g.v.pickers["taxi"].pick(home_d[s], g.rng), p.home_stop[pi[s]])
    stop_pm = np.where(taxi, g.v.pickers["taxi"].pick(work_d[s], g.rng), p.work_stop[pi[s]])
    r = np.flatnonzero(ride)
    g.emit(s[r], stop_am[r], morning[r])
    g.emit(s[r], stop_pm[r], evening[r])
    travel = np.where(ride, g.rng.integers(20 * MIN, 55 * MIN, size=len(s)),
                      g.rng.integers(5 * MIN, 20 * MIN, size=len(s)))
    at_work = np.flatnonzero(g.rng.random(len(s)) < np.where(pupil[s], 0.7, 0.88))
    g.emit(s[at_work], p.work[pi[s[at_work]]], morning[at_work] + travel[at_work])
    home_gate = np.flatnonzero(g.rng.random(len(s)) < 0.8)
    g.emit(s[home_gate], p.home[pi[s[home_gate]]], evening[home_gate] + travel[home_gate])
    # Weekend overtime.
    s = g.draw(np.where((role == WORKER) & g.weekend, 0.12, 0.0))
    g.emit(s, p.work[pi[s]], g.uniform(len(s), 8.5, 10))

    # Lunch near work on workdays, near home at weekends.
    adult = age >= 18
    s = g.draw(np.where(workday & (role == WORKER), 0.40, np.where(g.weekend & adult, 0.3, 0)))
    district = np.where(workday[s], work_d[s], home_d[s])
    g.emit(s, g.v.pickers["restaurant"].pick(district, g.rng), g.uniform(len(s), 11.3, 13))

    # Daytime errands and outings, with a scan at the home gate on the way back.
    groups = (  # who and how likely, what, between which hours, share going home after
        ((role == RETIREE) * elder, RETIREE_ERRANDS, 8.5, 16.5, 0.6),
        (((role == WORKER) & g.weekend) * 0.5, WEEKEND_OUTINGS, 9.5, 17.5, 0.4),
        (((role == WORKER) & workday) * 0.07, WORKDAY_ERRANDS, 12, 17, 0.0),
        (((role == PUPIL) & g.weekend) * 0.4, PUPIL_WEEKEND, 8.5, 17, 0.3),
        (((role == KINDER) | (role == INFANT)) * 0.12, CHILD_OUTINGS, 9, 18, 0.0),
    )
    for who, mix, h0, h1, back_home in groups:
        s = g.draw(who)
        t = g.uniform(len(s), h0, h1)
        g.emit(s, g.pick_mix(s, mix, home_d[s]), t)
        b = np.flatnonzero(g.rng.random(len(s)) < back_home)
        g.emit(s[b], p.home[pi[s[b]]], t[b] + g.rng.integers(40 * MIN, 3 * HOUR, size=len(b)))

    # Evening shopping and dinner.
    s = g.draw(np.where(adult, np.where(g.weekend, 0.35, 0.28), 0.0) * elder)
    g.emit(s, g.pick_mix(s, EVENING, home_d[s]), g.uniform(len(s), 18.5, 21.5))

    # Night life, 20:00-02:00, mostly young adults, busiest on Friday and Saturday.
    owl = p.night_owl[pi]
    s = g.draw(np.where(owl, np.where(g.party, 0.5, 0.18), 0.0))
    tod = (20 * HOUR + 6 * HOUR * g.rng.random(len(s)) ** 1.5).astype(np.int64)
    g.emit(s, g.pick_mix(s, NIGHT, work_d[s]), tod)

    # Occasional taxis, trains, flights, hotels.
    s = g.draw(np.where(adult, 0.06, 0.0))
    g.emit(s, g.pick_mix(s, TRAVEL, home_d[s]), g.uniform(len(s), 7, 23))


def chunk_checkins(params: SimParams, persons: Persons, venues: Venues, outbreak: Outbreak,
                   trips: Trips, isolation: I64, away: tuple[I64, I64], lo: int, hi: int,
                   rng: np.random.Generator) -> Events:
    g = _Day(persons, venues, lo, hi, params, rng)
    _grid_slots(g)
    inj = (outbreak.visit_person >= lo) & (outbreak.visit_person < hi)
    g.parts.append((outbreak.visit_person[inj], outbreak.visit_venue[inj],
                    outbreak.visit_time[inj]))
    person = np.concatenate([x[0] for x in g.parts])
    venue = np.concatenate([x[1] for x in g.parts])
    time = np.concatenate([x[2] for x in g.parts])
    # Nobody scans in Hangzhou while in another city, nor after being isolated.
    keep = (time < isolation[person]) & ~((time >= away[0][person]) & (time < away[1][person]))
    person, venue, time = person[keep], venue[keep], time[keep]

    local = person - lo
    order = np.argsort(local * (4 * params.days * DAY) + time, kind="stable")
    person, venue, time, local = person[order], venue[order], time[order], local[order]
    # Push each person's scans apart: t'_i = max(t_i, t'_{i-1} + MIN_GAP), as a running
    # maximum of t_i - GAP*rank, offset per person so the maximum restarts per person.
    start = np.searchsorted(local, np.arange(hi - lo))
    rank = np.arange(len(local)) - start[local]
    big = 8 * params.days * DAY + 10**7
    shifted = np.maximum.accumulate(time - MIN_GAP * rank + local * big)
    time = shifted - local * big + MIN_GAP * rank
    ok = time < params.days * DAY
    person, venue, time = person[ok], venue[ok], time[ok]

    # Exit scans for some: leave before the stay length and before the next scan.
    n = len(time)
    nxt = np.full(n, NEVER, np.int64)
    same = person[1:] == person[:-1]
    nxt[:-1] = np.where(same, time[1:], NEVER)
    limit = np.minimum(np.minimum(venues.dwell_seconds()[venue], nxt - time - MIN),
                       params.days * DAY - 1 - time)
    want = rng.random(n) < EXIT_SCAN_SHARE
    stay = (rng.random(n) * 0.9 + 0.1) * limit
    checkout = np.where(want & (limit >= 2 * MIN), time + np.maximum(stay, MIN), -1)
    return Events(person, venue, time, checkout.astype(np.int64))

