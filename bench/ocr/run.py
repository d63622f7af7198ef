"""Benchmark the ID-card reader on synthetic card photos (see README.md here).

Generates cards with a fixed seed in several variants, reads each with the real
RapidOCR engine on one thread, and prints per-variant read rate (exact number and
name), misreads (a wrong number returned as valid: must be 0) and seconds per image.

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python bench/ocr/run.py --per-variant 8
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# One core for the measurement: onnxruntime's OpenMP/intra-op pools and OpenCV's pool
# default to every core; these must be set before those libraries load.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]  # tests.support and venuecode, uninstalled

from tests.support.idcards import (  # noqa: E402
    CardPerson,
    blank_image,
    noise_image,
    people,
    render_person,
)
from venuecode.assist.idcard import read_id_card  # noqa: E402
from venuecode.assist.ocr import RapidOcrRecognizer  # noqa: E402
from venuecode.people.idnumber import check_character  # noqa: E402

# name -> render options for card i
VARIANTS: dict[str, Callable[[int], dict[str, object]]] = {
    "clean": lambda i: {},
    "small (320 px)": lambda i: {"scale": 320 / (856 * 1.12)},
    "rotated ±8°": lambda i: {"rotate": 8.0 if i % 2 else -8.0},
    "upside down": lambda i: {"upside_down": True},
    "quarter turn": lambda i: {"rotate": 90.0 if i % 2 else 270.0},
    "JPEG q30-50": lambda i: {"jpeg_quality": 30 + (i * 7) % 21},
    "glare": lambda i: {"glare": True},
    "blur 1.5 px": lambda i: {"blur": 1.5},
    "dark": lambda i: {"brightness": 0.45},
    # Everything at once, to find the engine's limits (not a required pass).
    "hard mix": lambda i: {
        "scale": 0.30,
        "jpeg_quality": 30,
        "blur": 1.0,
        "rotate": -5.0 if i % 2 else 5.0,
        "brightness": 0.6,
        "glare": bool(i % 2),
    },
}


@dataclass
class Tally:
    total: int = 0
    read: int = 0
    number_only: int = 0
    misread: int = 0
    wrong_name: int = 0
    flagged: int = 0
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def wrong_check(person: CardPerson) -> CardPerson:
    good = check_character(person.id_number[:17])
    bad = "0" if good != "0" else "1"
    return CardPerson(
        person.name,
        person.id_number[:17] + bad,
        person.sex,
        person.ethnicity,
        person.birth,
        person.address,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-variant", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import cv2

    cv2.setNumThreads(args.threads)
    recognizer = RapidOcrRecognizer(threads=args.threads)
    started = time.perf_counter()
    recognizer.warm_up()
    print(f"model load: {time.perf_counter() - started:.2f} s", file=sys.stderr)

    crowd = list(people(args.seed, args.per_variant * len(VARIANTS)))
    tallies: dict[str, Tally] = {}
    for v, (variant, options) in enumerate(VARIANTS.items()):
        tally = tallies.setdefault(variant, Tally())
        for i in range(args.per_variant):
            person = crowd[v * args.per_variant + i]
            image = render_person(person, seed=args.seed + v * 1000 + i, **options(i))
            t0, c0 = time.perf_counter(), time.process_time()
            reading = read_id_card(image, recognizer)
            tally.seconds.append(time.perf_counter() - t0)
            tally.cpu.append(time.process_time() - c0)
            tally.total += 1
            if reading.id_number == person.id_number:
                tally.number_only += 1
                if reading.name == person.name:
                    tally.read += 1
                else:
                    tally.wrong_name += reading.name is not None
                    flagged = "name_unsure" in reading.problems
                    tally.flagged += reading.name is not None and flagged
                    tally.failures.append(f"name {reading.name!r} != {person.name!r}{' (flagged)' * flagged}")
            elif reading.id_number is not None:
                tally.misread += 1
                tally.failures.append(f"MISREAD {reading.id_number} != {person.id_number}")
            else:
                tally.failures.append(f"no number {reading.problems} ({person.id_number})")

    # Images that must not yield a number.
    bad = Tally()
    bad_images = []
    for i, person in enumerate(crowd[: max(2, args.per_variant // 2)]):
        bad_images.append(("wrong check character", render_person(wrong_check(person), seed=i)))
        bad_images.append(("number cut off", render_person(person, crop_bottom=0.22, seed=i)))
    bad_images += [("blank", blank_image()), ("noise", noise_image(seed=args.seed))]
    for label, image in bad_images:
        t0, c0 = time.perf_counter(), time.process_time()
        reading = read_id_card(image, recognizer)
        bad.seconds.append(time.perf_counter() - t0)
        bad.cpu.append(time.process_time() - c0)
        bad.total += 1
        if reading.id_number is None:
            bad.read += 1  # correctly refused
        else:
            bad.misread += 1
            bad.failures.append(f"{label}: returned {reading.id_number}")

    print(report(tallies, bad))
    for variant, tally in [*tallies.items(), ("bad images", bad)]:
        for failure in tally.failures:
            print(f"  {variant}: {failure}", file=sys.stderr)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def report(tallies: dict[str, Tally], bad: Tally) -> str:
    rows = [
        "| variant | cards | read (id + name) | id read | number misread | wrong name "
        "(flagged) | mean s | p95 s | mean CPU s | p95 CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    everything = Tally()
    for variant, t in [*tallies.items(), ("**all cards**", everything)]:
        if t is not everything:
            everything.total += t.total
            everything.read += t.read
            everything.number_only += t.number_only
            everything.misread += t.misread
            everything.wrong_name += t.wrong_name
            everything.flagged += t.flagged
            everything.seconds += t.seconds
            everything.cpu += t.cpu
        rows.append(
            f"| {variant} | {t.total} | {t.read / t.total:.0%} | "
            f"{t.number_only / t.total:.0%} | {t.misread} | {t.wrong_name} ({t.flagged}) | "
            f"{statistics.fmean(t.seconds):.2f} | {p95(t.seconds):.2f} | "
            f"{statistics.fmean(t.cpu):.2f} | {p95(t.cpu):.2f} |"
        )
    rows.append(
        f"| bad images: {bad.total}, refused {bad.read} | {bad.total} | – | – "
        f"| {bad.misread} | – | {statistics.fmean(bad.seconds):.2f} "
        f"| {p95(bad.seconds):.2f} | {statistics.fmean(bad.cpu):.2f} | {p95(bad.cpu):.2f} |"
    )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
