"""A bounded concurrent scan load that kills the servers mid-way, recording every
acknowledged (2xx) check-in: its id, person, venue and time as the server answered them."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from bench.seeding import Citizen, SeededVenue

_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


def micros(iso: str) -> int:
    return (datetime.fromisoformat(iso) - _EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class Ack:
    checkin_id: int | None  # None: an acknowledged denial, stored as a denied attempt
    id_number: str
    venue_pk: int
    scanned_at: int  # micros since the epoch, as the response said
    repeat: bool


@dataclass
class LoadResult:
    planned: int
    acks: list[Ack] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    killed_after_s: float = 0.0
    killed_after_answers: int = 0
    killed_processes: int = 0


def plan(citizens: Sequence[Citizen], venues: Sequence[SeededVenue], scans_each: int,
         rng: random.Random, bursty: float = 0.5) -> list[tuple[Citizen, SeededVenue]]:
    """Each citizen scans `scans_each` different venues. A `bursty` share of citizens has
    its scans next to each other in the plan, so several threads send them at once (the
    same person written concurrently); the others' scans are spread over the run."""
    bursts: list[list[tuple[Citizen, SeededVenue]]] = []
    spread: list[tuple[Citizen, SeededVenue]] = []
    for citizen in citizens:
        scans = [(citizen, v) for v in rng.sample(list(venues), scans_each)]
        if rng.random() < bursty:
            bursts.append(scans)
        else:
            spread.extend(scans)
    rng.shuffle(spread)
    tasks: list[tuple[Citizen, SeededVenue]] = []
    # Interleave: bursts at random places in the spread order.
    slots: list[list[tuple[Citizen, SeededVenue]]] = [[t] for t in spread] + bursts
    rng.shuffle(slots)
    for slot in slots:
        tasks.extend(slot)
    return tasks


def run_load(urls: Sequence[str], tasks: Sequence[tuple[Citizen, SeededVenue]], *,
             threads: int, kill: Callable[[], int], rng: random.Random,
             max_seconds: float, kill_between: tuple[float, float] = (0.2, 0.8)) -> LoadResult:
    """Send `tasks` from `threads` threads (thread i to server i mod len(urls)); once a
    random share in `kill_between` of them is answered (or `max_seconds` passed), call
    `kill()` (kill -9 of every server process) and stop. Requests in flight then fail:
    they were never acknowledged."""
    result = LoadResult(planned=len(tasks))
    lock = threading.Lock()
    stop = threading.Event()
    cursor = iter(range(len(tasks)))
    answered = 0

    def worker(index: int) -> None:
        nonlocal answered
        with httpx.Client(base_url=urls[index % len(urls)], timeout=10) as client:
            while not stop.is_set():
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                citizen, venue = tasks[i]
                try:
                    response = client.post("/api/v1/scans", json={"venue_code": venue.url},
                                           headers={"Authorization": f"Bearer {citizen.token}"})
                except httpx.HTTPError as exc:
                    with lock:
                        result.statuses[type(exc).__name__] += 1
                    continue
                ack = None
                if 200 <= response.status_code < 300:
                    body = response.json()
                    assert body["venue"]["venue_id"] == venue.venue_id, body
                    ack = Ack(body["id"], citizen.id_number, venue.pk, micros(body["scanned_at"]),
                              bool(body["repeat"]))
                with lock:
                    answered += 1
                    result.statuses[str(response.status_code)] += 1
                    if ack is not None:
                        result.acks.append(ack)

    target = max(1, round(rng.uniform(*kill_between) * len(tasks)))
    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    while answered < target and time.monotonic() - started < max_seconds:
        if not any(t.is_alive() for t in pool):
            break
        time.sleep(0.002)
    result.killed_after_s = time.monotonic() - started
    result.killed_after_answers = answered
    result.killed_processes = kill()
    stop.set()
    for t in pool:
        t.join(timeout=30)
    return result
