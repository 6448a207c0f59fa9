#!/usr/bin/env bash
# Set everything up, run the smoke suite on the default model (SmolLM2-135M-Instruct) into
# the embedded SQLite store, and print the score table.
#
#   bash scripts/quickstart.sh            # store: ./dokpa.db (or $DOKPA_STORE)
#
# Re-running resumes or is a no-op: the run key is a hash of checkpoint, suite, data,
# runner settings and seed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
export DOKPA_CACHE="${DOKPA_CACHE:-$HOME/.cache/dokpa}"
STORE="${DOKPA_STORE:-dokpa.db}"
BUILD_DIR="${DOKPA_BUILD_DIR:-build}"

echo "quickstart: dokpa run --suite configs/smoke.yaml --submission configs/submissions/smollm2.yaml --store $STORE"
"$BUILD_DIR/dokpa" run --suite configs/smoke.yaml --submission configs/submissions/smollm2.yaml --store "$STORE"
echo "quickstart: dokpa results --store $STORE --suite configs/smoke.yaml"
"$BUILD_DIR/dokpa" results --store "$STORE" --suite configs/smoke.yaml
