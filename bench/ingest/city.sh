#!/usr/bin/env bash
# Simulate the 1M-person city and import every kind through `venuecode import` (the
# importer itself: validation, idempotent upsert, provenance) into a fresh PostgreSQL
# database, timing each step.  Usage: bench/ingest/city.sh [PERSONS] [OUTPUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
PERSONS="${1:-1000000}"
OUT="${2:-/tmp/venuecode-city-$PERSONS}"
VENUES=$(( PERSONS / 20 ))
DB=venuecode_city_import
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export VENUECODE_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$DB"
export VENUECODE_DATA_DIR="${OUT}-data"
uptime
/usr/bin/time -f "simulate: %e s wall, %M KB peak" \
  .venv/bin/venuecode simulate --persons "$PERSONS" --venues "$VENUES" --days 14 --seed 1 --output "$OUT"
.venv/bin/venuecode db upgrade
for kind in venues persons citizen_cards health_codes nucleic_acid_tests vaccinations itineraries risk_areas checkins cases; do
  /usr/bin/time -f "$kind: %e s wall, %M KB peak" \
    .venv/bin/venuecode import "$kind" "$OUT/$kind.csv" --source city-bench --json
done
uptime
