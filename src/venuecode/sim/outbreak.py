"""The planned outbreak (cases in clusters, with chains between clusters) and trips away.

Both are decided before any check-in is drawn: the check-in generator adds the cluster
visits to the cases' days, drops what a case would not do after isolation, and drops
Hangzhou check-ins of people while they are in another city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from venuecode.sim import names
from venuecode.sim.city import Persons, SimParams, Venues
from venuecode.sim.fastcsv import DAY

I64 = NDArray[np.int64]
HOUR = 3600
NEVER = np.iinfo(np.int64).max // 4

# Where clusters happen: (category, weight, first hour, last hour, min age, max age).
CLUSTER_PLACES = (
    ("bar", 0.28, 20, 22, 18, 40),
    ("ktv", 0.14, 19, 22, 18, 45),
    ("market", 0.20, 5, 7, 50, 90),
    ("restaurant", 0.16, 11, 19, 18, 80),
    ("internet_cafe", 0.06, 14, 21, 16, 35),
    ("gym", 0.06, 7, 20, 18, 55),
    ("bathhouse", 0.05, 15, 21, 25, 70),
    ("mall", 0.05, 10, 20, 12, 75),
)


@dataclass
class Outbreak:
    person: I64  # case persons, K
    reference: I64  # seconds from the first simulated midnight
    isolated: I64  # NEVER when not isolated by the end
    asymptomatic: NDArray[np.bool_]
    cluster_venue: I64  # per cluster
    visit_person: I64  # injected check-ins: the cluster visits
    visit_venue: I64
    visit_time: I64

    def isolation_by_person(self, n: int) -> I64:
        out = np.full(n, NEVER, np.int64)
        out[self.person] = self.isolated
        return out


def plan_outbreak(params: SimParams, persons: Persons, venues: Venues,
                  rng: np.random.Generator) -> Outbreak:
    k = params.case_count
    end = params.days * DAY
    sizes: list[int] = []
    while sum(sizes) < k:
        sizes.append(int(rng.integers(2, 9)))
    if sizes:
        sizes[-1] -= sum(sizes) - k
        sizes = [s for s in sizes if s > 0]
    used = np.zeros(len(persons), np.bool_)
    w = np.array([p[1] for p in CLUSTER_PLACES])
    case_p: list[int] = []
    case_r: list[int] = []
    cl_venue: list[int] = []
    cl_time: list[int] = []
    members_of: list[list[int]] = []
    vp: list[int] = []
    vv: list[int] = []
    vt: list[int] = []
    # Clusters lie in the last ten days, leaving time for onset before the end.
    first_day = max(0, params.days - 10)
    last_day = max(first_day, params.days - 3)
    pop = np.array([d[2] for d in names.DISTRICTS])
    for size in sizes:
        slug, _, h0, h1, a0, a1 = CLUSTER_PLACES[rng.choice(len(w), p=w / w.sum())]
        district = rng.choice(len(pop), size=1, p=pop / pop.sum())
        venue = int(venues.pickers[slug].pick(district, rng)[0])
        e = int(rng.integers(first_day, last_day + 1)) * DAY + int(
            rng.integers(h0 * HOUR, (h1 + 1) * HOUR))
        e = min(e, end - 2 * HOUR)
        pool = np.flatnonzero((persons.age >= a0) & (persons.age <= a1) & ~used)
        if len(pool) < size:
            pool = np.flatnonzero(~used)
        chosen = rng.choice(pool, size=min(size, len(pool)), replace=False)
        used[chosen] = True
        members: list[int] = []
        for p in chosen:
            t = e + int(rng.integers(0, 40 * 60))  # they arrive within 40 minutes
            r = min(t + int(rng.integers(36 * HOUR, 96 * HOUR)),
                    end - int(rng.integers(2 * HOUR, 8 * HOUR)))
            members.append(len(case_p))
            case_p.append(int(p))
            case_r.append(max(r, t + HOUR))
            vp.append(int(p))
            vv.append(venue)
            vt.append(t)
        # Chains: often a case of an earlier cluster was there too, still before onset.
        earlier = [i for i, ct in enumerate(cl_time) if ct < e - DAY and members_of[i]]
        if earlier and rng.random() < 0.6:
            src = members_of[int(rng.choice(earlier))]
            m = src[int(rng.integers(len(src)))]
            t = e + int(rng.integers(0, 30 * 60))
            case_r[m] = max(case_r[m], min(t + int(rng.integers(2 * HOUR, 20 * HOUR)),
                                           end - HOUR))
            vp.append(case_p[m])
            vv.append(venue)
            vt.append(t)
        cl_venue.append(venue)
        cl_time.append(e)
        members_of.append(members)
    ref = np.array(case_r, np.int64)
    iso = ref + rng.integers(6 * HOUR, 40 * HOUR, size=len(ref))
    iso = np.where(iso < end, iso, NEVER)
    return Outbreak(np.array(case_p, np.int64), ref, iso,
                    rng.random(len(ref)) < 0.4, np.array(cl_venue, np.int64),
                    np.array(vp, np.int64), np.array(vv, np.int64), np.array(vt, np.int64))


@dataclass
class Trips:
    person: I64
    city: NDArray[np.int16]
    arrived: I64
    left: I64  # NEVER: still away at the end

    def away_by_person(self, n: int) -> tuple[I64, I64]:
        start = np.full(n, NEVER, np.int64)
        stop = np.full(n, NEVER, np.int64)
        start[self.person] = self.arrived
        stop[self.person] = self.left
        return start, stop


def plan_trips(params: SimParams, persons: Persons, outbreak: Outbreak,
               rng: np.random.Generator) -> Trips:
    """About 3% of adults spend a few days in another city (one trip each)."""
    end = params.days * DAY
    candidate = (persons.age >= 18) & (rng.random(len(persons)) < 0.03)
    candidate[outbreak.person] = False  # keep the cases' days in Hangzhou intact
    who = np.flatnonzero(candidate).astype(np.int64)
    arrived = rng.integers(-5 * DAY, end - DAY, size=len(who))
    left = arrived + rng.integers(DAY, 6 * DAY, size=len(who))
    left = np.where(left < end, left, NEVER)
    city = rng.integers(len(names.OTHER_CITIES), size=len(who)).astype(np.int16)
    return Trips(who, city, arrived, left)
