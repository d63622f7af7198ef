"""The static city: parameters, venues and persons (who lives and works where).

Everything is held as numpy arrays indexed by venue or person number; the text forms
(ID numbers, venue ids) are precomputed byte tables the writers index into.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from venuecode.categories import categories
from venuecode.sim import names
from venuecode.sim.fastcsv import CHINA, U8, digits

I32 = NDArray[np.int32]
F64 = NDArray[np.float64]

SLUGS: tuple[str, ...] = tuple(categories())
CAT = {slug: i for i, slug in enumerate(SLUGS)}

# Share of venues per category (relative weights). Many restaurants, compound gates,
# buses and taxis; few metro stations (~250 for 50,000 venues, as Hangzhou has), which
# the commute then makes the busiest venues of all.
VENUE_MIX: dict[str, float] = {
    "restaurant": 20, "residential": 14, "bus": 8, "office": 8, "taxi": 4, "barber": 4,
    "factory": 4, "other": 3, "pharmacy": 3, "supermarket": 6, "hotel": 2.5, "logistics": 2,
    "training": 2, "market": 1.5, "bar": 1.5, "gym": 1.5, "bank": 1.5, "school": 1.2,
    "kindergarten": 1.2, "construction": 1.2, "hospital": 1.0, "government": 1.0,
    "scenic": 1.0, "mall": 0.8, "ktv": 0.8, "internet_cafe": 0.8, "bathhouse": 0.6,
    "metro": 0.5, "care_home": 0.4, "cinema": 0.3, "museum": 0.3, "cold_chain": 0.3,
    "religious": 0.2, "railway": 0.02, "airport": 0.004,
}
# Where working adults work (category weights).
WORKPLACE_MIX: dict[str, float] = {
    "office": 45, "factory": 15, "construction": 5, "restaurant": 7, "mall": 4,
    "supermarket": 3, "logistics": 5, "hospital": 4, "school": 3, "government": 3,
    "bank": 2, "hotel": 2, "cold_chain": 1, "training": 1,
}
# Zipf exponent of venue popularity: a few venues of each kind draw most of the scans.
# Homes and schools are chosen once per person, so a milder skew keeps the largest
# compound in the thousands of residents rather than tens of thousands.
ZIPF = 0.9
ZIPF_MILD = {"residential": 0.5, "school": 0.5, "kindergarten": 0.5, "care_home": 0.5}
MAX_VENUES = 999_999  # venue ids carry a 6-digit serial


@dataclass(frozen=True)
class SimParams:
    persons: int
    venues: int
    days: int
    seed: int
    end: date  # local date; check-ins lie in [end - days, end) at 00:00 +08:00
    cases: int | None = None

    def __post_init__(self) -> None:
        if self.persons < 1:
            raise ValueError("persons must be at least 1")
        if not len(SLUGS) <= self.venues <= MAX_VENUES:
            raise ValueError(f"venues must be between {len(SLUGS)} (one per category) "
                             f"and {MAX_VENUES}")
        if not 1 <= self.days <= 366:
            raise ValueError("days must be between 1 and 366")
        if self.cases is not None and not 0 <= self.cases <= self.persons:
            raise ValueError("cases must be between 0 and persons")

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days)

    @property
    def case_count(self) -> int:
        if self.cases is not None:
            return self.cases
        return max(1, self.persons // 6000)


def default_end() -> date:
    """Today in Hangzhou: check-ins end at today's 00:00 +08:00, never in the future."""
    return datetime.now(CHINA).date()


@dataclass
class Picker:
    """Choose a venue of one category in a given district, popularity-weighted.

    Per district the cumulative weights run from d to d+1, all districts in one array,
    so one `searchsorted(cum, district + u)` picks for a whole batch of mixed districts.
    A district without such a venue falls back to the whole city's.
    """

    venues: I32
    cum: F64

    def pick(self, district: NDArray[np.integer], rng: np.random.Generator) -> I32:
        u = np.minimum(rng.random(len(district)), 1 - 1e-9)
        pos = np.searchsorted(self.cum, district + u, side="right")
        return self.venues[np.minimum(pos, len(self.venues) - 1)]


@dataclass
class Venues:
    ids: U8  # (M, 16) ASCII "HZ-330106-000123"
    category: NDArray[np.int8]
    district: NDArray[np.int8]
    weight: F64
    names: list[str]
    addresses: list[str]
    dwell_override: NDArray[np.int32]  # 0 = category default
    pickers: dict[str, Picker] = field(default_factory=dict)

    def id_str(self, i: int) -> str:
        return bytes(self.ids[i]).decode()

    def dwell_seconds(self) -> NDArray[np.int64]:
        default = np.array([c.default_dwell_minutes for c in categories().values()])
        minutes = np.where(self.dwell_override > 0, self.dwell_override,
                           default[self.category])
        return (minutes * 60).astype(np.int64)


def _allocate(total: int, mix: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of `total` over the mix, at least one per category."""
    slugs = list(SLUGS)
    w = np.array([mix.get(s, 0.1) for s in slugs])
    spare = total - len(slugs)
    exact = spare * w / w.sum()
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: spare - counts.sum()]] += 1
    return {s: int(c) + 1 for s, c in zip(slugs, counts, strict=True)}


# What a shop of each kind calls itself, where the category's own name reads stiffly.
_SHOP_KIND = {
    "restaurant": "餐厅", "supermarket": "超市", "mall": "购物中心", "ktv": "KTV",
    "internet_cafe": "网咖", "cinema": "影城", "gym": "健身房", "barber": "美发",
    "bathhouse": "浴场", "hotel": "酒店", "pharmacy": "大药房", "training": "培训学校",
    "office": "科技有限公司", "factory": "制造厂", "construction": "建设工地",
    "logistics": "快递驿站", "cold_chain": "冷链仓库", "scenic": "公园", "museum": "图书馆",
    "religious": "寺", "care_home": "养老院", "other": "便利店", "bar": "酒吧",
}


def _venue_name(slug: str, district: str, rng: np.random.Generator, serial: int) -> str:
    road = names.ROADS[rng.integers(len(names.ROADS))]
    word = names.SHOP_WORDS[rng.integers(len(names.SHOP_WORDS))]
    short = district[:-1]
    match slug:
        case "metro":
            st = names.METRO_STATIONS[serial % len(names.METRO_STATIONS)]
            return f"地铁{rng.integers(1, 20)}号线{st}站"
        case "bus":
            return f"{rng.integers(1, 900)}路公交车(浙A{rng.integers(10000, 99999)}D)"
        case "taxi":
            return f"出租车 浙A{rng.integers(10000, 99999)}T"
        case "school":
            return f"{district}{road[:-1]}{'小学' if serial % 3 else '中学'}"
        case "kindergarten":
            return f"{district}{road[:-1]}幼儿园"
        case "market":
            return f"{road}农贸市场"
        case "residential":
            return f"{road[:-1]}{word[:2]}花园{serial % 9 + 1}号门"
        case "hospital":
            return names.HOSPITALS[serial % len(names.HOSPITALS)] + (
                f"({short}院区)" if serial >= len(names.HOSPITALS) else "")
        case "government":
            return f"{district}{road[:-1]}街道办事处"
        case "railway":
            return ("杭州东站", "杭州站", "杭州西站", "杭州南站")[serial % 4]
        case "airport":
            return "杭州萧山国际机场" + (f"T{serial % 4 + 1}航站楼" if serial else "")
        case "bank":
            bank = ("中国工商银行", "中国建设银行", "杭州银行", "浙商银行", "中国农业银行")
            return f"{bank[serial % 5]}{road[:-1]}支行"
        case _:
            kind = _SHOP_KIND.get(slug, categories()[slug].name_zh.split("/")[0])
            return f"{word}{kind}({road}店)"


def build_venues(params: SimParams, rng: np.random.Generator) -> Venues:
    counts = _allocate(params.venues, VENUE_MIX)
    pop = np.array([d[2] for d in names.DISTRICTS])
    metro_ok = np.array([d[3] for d in names.DISTRICTS])
    cat_list: list[int] = []
    dist_list: list[int] = []
    for slug in SLUGS:
        n = counts[slug]
        p = pop * (metro_ok if slug == "metro" else 1)
        # Metro stations lie on the lines (central districts); the rest follow people.
        cat_list += [CAT[slug]] * n
        dist_list += list(rng.choice(len(pop), size=n, p=p / p.sum()))
    m = len(cat_list)
    category = np.array(cat_list, np.int8)
    district = np.array(dist_list, np.int8)
    # Venue ids count up per district, in a shuffled order so ids don't encode category.
    order = rng.permutation(m)
    category, district = category[order], district[order]
    serial = np.zeros(m, np.int64)
    for d in range(len(names.DISTRICTS)):
        sel = np.flatnonzero(district == d)
        serial[sel] = np.arange(1, len(sel) + 1)
    region = np.array([int(d[1]) for d in names.DISTRICTS], np.int64)[district]
    ids = np.concatenate(
        [np.broadcast_to(np.frombuffer(b"HZ-", np.uint8), (m, 3)), digits(region, 6),
         np.broadcast_to(np.frombuffer(b"-", np.uint8), (m, 1)), digits(serial, 6)], axis=1)
    # Popularity: Zipf by a random rank within the category.
    weight = np.empty(m)
    for c in range(len(SLUGS)):
        sel = np.flatnonzero(category == c)
        weight[sel] = 1.0 / (rng.permutation(len(sel)) + 1.0) ** ZIPF_MILD.get(SLUGS[c], ZIPF)
    vnames, addresses = [], []
    for i in range(m):
        dname = names.DISTRICTS[district[i]][0]
        vnames.append(_venue_name(SLUGS[category[i]], dname, rng, int(serial[i])))
        road = names.ROADS[rng.integers(len(names.ROADS))]
        addresses.append(f"浙江省杭州市{dname}{road}{rng.integers(1, 999)}号")
    dwell = np.zeros(m, np.int32)
    over = np.flatnonzero(rng.random(m) < 0.01)
    dwell[over] = rng.choice([20, 45, 60, 90, 120, 240], size=len(over))
    v = Venues(np.ascontiguousarray(ids), category, district, weight, vnames, addresses, dwell)
    for slug in SLUGS:
        v.pickers[slug] = _picker(v, CAT[slug])
    return v


def _picker(v: Venues, cat: int) -> Picker:
    everywhere = np.flatnonzero(v.category == cat)
    idx_parts, cum_parts = [], []
    for d in range(len(names.DISTRICTS)):
        sel = everywhere[v.district[everywhere] == d]
        if len(sel) == 0:
            sel = everywhere
        w = np.cumsum(v.weight[sel])
        cum = d + w / w[-1]
        cum[-1] = d + 1.0
        idx_parts.append(sel)
        cum_parts.append(cum)
    return Picker(np.concatenate(idx_parts).astype(np.int32), np.concatenate(cum_parts))


# Person roles.
INFANT, KINDER, PUPIL, WORKER, RETIREE = range(5)
# Commute modes.
WALK, METRO, BUS, TAXI = range(4)


@dataclass
class Persons:
    ids: U8  # (P, 18) ASCII ID numbers
    age: NDArray[np.int16]
    male: NDArray[np.bool_]
    role: NDArray[np.int8]
    home_district: NDArray[np.int8]
    work_district: NDArray[np.int8]
    home: I32
    work: I32  # -1: none
    commute: NDArray[np.int8]
    home_stop: I32
    work_stop: I32
    market: I32
    night_owl: NDArray[np.bool_]
    family: NDArray[np.int16]  # index into the family-name list
    given: NDArray[np.int16]  # (P, 2) indices into the given-name characters, -1 = none
    phone: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.age)

    def id_str(self, i: int) -> str:
        return bytes(self.ids[i]).decode()


def _ages(n: int, rng: np.random.Generator) -> NDArray[np.int16]:
    # A city's age pyramid: few children, a bulge of 25-45-year-old migrants for work.
    bands = np.array([0, 3, 6, 18, 25, 35, 45, 55, 65, 75, 85, 96])
    share = np.array([2.5, 2.5, 12, 8, 19, 17, 14, 11, 8, 4.5, 1.5])
    band = rng.choice(len(share), size=n, p=share / share.sum())
    return rng.integers(bands[band], bands[band + 1]).astype(np.int16)


def _id_numbers(ages: NDArray[np.int16], male: NDArray[np.bool_], end: date,
                rng: np.random.Generator) -> U8:
    n = len(ages)
    local = rng.random(n) < 0.7
    hz = np.array(names.HANGZHOU_BIRTH_REGIONS, dtype="S6")
    other = np.array(names.OTHER_BIRTH_REGIONS, dtype="S6")
    region = np.where(local, hz[rng.integers(len(hz), size=n)],
                      other[rng.integers(len(other), size=n)])
    end64 = np.datetime64(end.isoformat(), "D")
    born = end64 - (ages.astype(np.int64) * 365 + rng.integers(1, 365, size=n)).astype(
        "timedelta64[D]")
    ymd = np.char.replace(np.datetime_as_string(born, unit="D"), "-", "").astype("S8")
    seq = rng.integers(0, 500, size=n) * 2 + male  # odd sequence numbers are men
    first = np.char.add(np.char.add(region, ymd), digits(seq, 3).view("S3").ravel())
    # Two persons may draw the same region, birthday and sequence: bump the sequence.
    seen: set[bytes] = set()
    dup = []
    for i, key in enumerate(first.tolist()):
        if key in seen:
            dup.append(i)
        else:
            seen.add(key)
    for i in dup:
        key = bytes(first[i])
        s = int(key[14:17])
        while key in seen:
            s = (s + 2) % 1000
            key = key[:14] + f"{s:03d}".encode()
        seen.add(key)
        first[i] = key
    d = np.frombuffer(first.tobytes(), np.uint8).reshape(n, 17) - 48
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.frombuffer(b"10X98765432", np.uint8)[(d.astype(np.int64) @ weights) % 11]
    return np.ascontiguousarray(np.concatenate([d + 48, check[:, None]], axis=1), np.uint8)


def build_persons(params: SimParams, venues: Venues, rng: np.random.Generator) -> Persons:
    n = params.persons
    age = _ages(n, rng)
    male = rng.random(n) < 0.51
    ids = _id_numbers(age, male, params.end, rng)
    role = np.select([age < 3, age < 6, age < 18, age < 62], [INFANT, KINDER, PUPIL, WORKER],
                     RETIREE).astype(np.int8)
    pop = np.array([d[2] for d in names.DISTRICTS])
    home_d = rng.choice(len(pop), size=n, p=pop / pop.sum()).astype(np.int8)
    # Most work in their own district; the rest commute into the central ones.
    central = pop * np.array([3, 3, 3, 3, 1, 2, 0.3, 0.3, 1, 1, 0.1, 0.1, 0.1])
    away = rng.choice(len(pop), size=n, p=central / central.sum()).astype(np.int8)
    work_d = np.where(rng.random(n) < 0.6, home_d, away).astype(np.int8)
    home = venues.pickers["residential"].pick(home_d, rng)
    in_care = (age >= 80) & (rng.random(n) < 0.08)
    home[in_care] = venues.pickers["care_home"].pick(home_d[in_care], rng)
    work = np.full(n, -1, np.int32)
    wslugs = list(WORKPLACE_MIX)
    wp = np.array(list(WORKPLACE_MIX.values()))
    wcat = rng.choice(len(wslugs), size=n, p=wp / wp.sum())
    for k, slug in enumerate(wslugs):
        sel = np.flatnonzero((role == WORKER) & (wcat == k))
        work[sel] = venues.pickers[slug].pick(work_d[sel], rng)
    for r, slug in ((PUPIL, "school"), (KINDER, "kindergarten")):
        sel = np.flatnonzero(role == r)
        work_d[sel] = home_d[sel]
        work[sel] = venues.pickers[slug].pick(home_d[sel], rng)
    has_metro = np.array([d[3] for d in names.DISTRICTS])[home_d]
    u = rng.random(n)
    commute = np.select(
        [(u < 0.45) & has_metro, u < 0.75, u < 0.80], [METRO, BUS, TAXI], WALK
    ).astype(np.int8)
    commute[(role == PUPIL) & (commute == TAXI)] = WALK
    commute[(role == KINDER) | (role == INFANT) | (role == RETIREE)] = WALK
    metro = commute == METRO
    home_stop = np.where(metro, venues.pickers["metro"].pick(home_d, rng),
                         venues.pickers["bus"].pick(home_d, rng)).astype(np.int32)
    work_stop = np.where(metro, venues.pickers["metro"].pick(work_d, rng),
                         venues.pickers["bus"].pick(work_d, rng)).astype(np.int32)
    market = venues.pickers["market"].pick(home_d, rng)
    night_owl = (age >= 18) & (age < 40) & (rng.random(n) < 0.35)
    family = rng.zipf(1.6, size=n) - 1  # a handful of family names are very common
    nfam = len(names.FAMILY_NAMES) + len(names.COMPOUND_FAMILY_NAMES)
    family16 = np.where(family < nfam, family, rng.integers(nfam, size=n)).astype(np.int16)
    given = rng.integers(0, len(names.GIVEN_MALE), size=(n, 2)).astype(np.int16)
    given[rng.random(n) < 0.3, 1] = -1  # single-character given names
    phone = (rng.choice([13, 15, 17, 18, 19], size=n) * 10**9
             + rng.integers(0, 10**9, size=n)).astype(np.int64)
    return Persons(ids, age, male, role, home_d, work_d, home, work, commute, home_stop,
                   work_stop, market, night_owl, family16, given, phone)
