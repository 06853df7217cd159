#!/usr/bin/env bash
# Set up, write the demo program for October 2026 and validate it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
period=${PERIOD:-2026-10}
rm -rf demo
.venv/bin/partnerclose demo demo --period "$period"
.venv/bin/partnerclose validate demo/program.xlsx --period "$period"
