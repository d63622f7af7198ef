#!/usr/bin/env bash
# Start-up time of the CLI: `venuecode version`, `--help`, `trace --help` (hyperfine).
# Usage: bench/cli/run.sh [VENUECODE]   (default .venv/bin/venuecode; apt-get install hyperfine)
set -euo pipefail
VENUECODE="${1:-.venv/bin/venuecode}"
uptime
hyperfine -N --warmup 3 --runs "${RUNS:-20}" "$VENUECODE version" "$VENUECODE --help" \
  "$VENUECODE trace --help"
uptime
