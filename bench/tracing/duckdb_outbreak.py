"""The analyst's way: ONE DuckDB query over all check-ins (a Parquet copy of checkins.csv).

    python bench/tracing/duckdb_outbreak.py CITY.parquet CITY_DIR [--as-of 2026-11-28T00:00:00+08:00]

It computes rule 2 (same-instant duplicates keep the smallest venue id, end = least of
dwell, exit scan and the next check-in at any venue) for EVERY check-in of the city,
clips the cases' intervals to their exposure windows (look-back 4 days), joins overlaps at
the same venue, sums exposure per (person, case) and counts close (>= 15 min to some case)
and general contacts: the depth-1 tiers of tracing-rules.md, without sources, evidence or
deeper tiers. Prints the counts (to compare with `run.py --depth 1`) and the time.
"""

from __future__ import annotations

import argparse
import time

import duckdb

QUERY = """
WITH venues AS (
  SELECT venue_id,
         coalesce(TRY_CAST(NULLIF(dwell_minutes, '') AS INTEGER), d.dwell) AS dwell
  FROM read_csv('{city}/venues.csv', all_varchar = true) v
  JOIN (VALUES {dwell_values}) AS d(category, dwell) USING (category)
),
kept AS (  -- rule 2's same-instant rule
  SELECT id_number, min(venue_id) AS venue_id, scanned_at,
         arg_min(checked_out_at, venue_id) AS checked_out_at
  FROM '{parquet}' GROUP BY id_number, scanned_at
),
presence AS (
  SELECT k.id_number, k.venue_id, k.scanned_at AS s,
         least(k.scanned_at + CAST(round(v.dwell * 60000000::BIGINT) AS BIGINT),
               coalesce(k.checked_out_at, 9223372036854775807),
               coalesce(lead(k.scanned_at) OVER (PARTITION BY k.id_number ORDER BY k.scanned_at),
                        9223372036854775807)) AS e
  FROM kept k JOIN venues v USING (venue_id)
),
cases AS (
  SELECT id_number,
         epoch_us(CAST(reference_time AS TIMESTAMPTZ)) - 4 * 86400000000 AS ws,
         coalesce(epoch_us(CAST(NULLIF(isolated_at, '') AS TIMESTAMPTZ)), {as_of}) AS we
  FROM read_csv('{city}/cases.csv', all_varchar = true)
),
exposure AS (
  SELECT p.id_number AS case_id, p.venue_id, greatest(p.s, c.ws) AS s, least(p.e, c.we) AS e
  FROM presence p JOIN cases c USING (id_number)
  WHERE greatest(p.s, c.ws) < least(p.e, c.we)
),
pairs AS (
  SELECT o.id_number, x.case_id, sum(least(o.e, x.e) - greatest(o.s, x.s)) AS micros
  FROM exposure x JOIN presence o ON o.venue_id = x.venue_id AND o.s < x.e AND o.e > x.s
  WHERE o.id_number NOT IN (SELECT id_number FROM cases) AND o.e > o.s
  GROUP BY ALL
),
tiers AS (
  SELECT id_number, CASE WHEN max(micros) >= 15 * 60000000::BIGINT THEN 'close' ELSE 'general' END AS tier
  FROM pairs GROUP BY id_number
)
SELECT tier, count(*) FROM tiers GROUP BY tier ORDER BY tier
"""


def main() -> None:
    from datetime import datetime

    from venuecode.categories import dwell_table
    from venuecode.timeutil import to_micros

    parser = argparse.ArgumentParser()
    parser.add_argument("parquet")
    parser.add_argument("city")
    parser.add_argument("--as-of", default="2026-11-28T00:00:00+08:00")
    args = parser.parse_args()
    dwell_values = ", ".join(f"('{k}', {v})" for k, v in dwell_table().items())
    sql = QUERY.format(city=args.city, parquet=args.parquet, dwell_values=dwell_values,
                       as_of=to_micros(datetime.fromisoformat(args.as_of)))
    con = duckdb.connect()
    t0 = time.perf_counter()
    rows = con.execute(sql).fetchall()
    print(f"duckdb one query: {time.perf_counter() - t0:.1f} s, {dict(rows)}")


if __name__ == "__main__":
    main()
