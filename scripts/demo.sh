#!/usr/bin/env bash
# Set up, write the demo program for October 2026, and close it (draft):
# statements, close pack, lines, journal and exceptions land in demo/close-2026-10/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
period=${PERIOD:-2026-10}
rm -rf demo
.venv/bin/partnerclose demo demo --period "$period" --currencies
.venv/bin/partnerclose close demo/program.xlsx --period "$period"
