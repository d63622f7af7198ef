#!/usr/bin/env bash
# Time `venuecode simulate` at 100k and 1M persons; prints wall time, CPU and peak RSS.
# Usage: bench/simulate/run.sh [OUTPUT_ROOT]   (default /tmp; ~3.4 GB for the 1M city)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="${1:-/tmp}"
end="${END_DATE:-2026-11-28}"
for spec in "100000 5000" "1000000 50000"; do
  set -- $spec
  out="$root/city-$1"
  rm -rf "$out"
  echo "== persons=$1 venues=$2 days=14 seed=1 end=$end"
  /usr/bin/time -f "wall %e s  user %U s  sys %S s  cpu %P  peak RSS %M KB" \
    .venv/bin/python -m venuecode.sim --persons "$1" --venues "$2" --days 14 --seed 1 \
    --end "$end" --output "$out" 2>&1 | grep -v "persons, .* check-ins"
  du -sh "$out"
done
