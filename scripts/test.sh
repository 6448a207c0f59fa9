#!/usr/bin/env bash
# Set everything up, then run every test (Catch2 unit/integration tests and the Python
# reference checks registered with CTest). First a short fuzz pass (scripts/fuzz.sh, 15 s per
# target; DOKPA_FUZZ_SECONDS changes it, 0 skips it): a crash fails the run before ctest starts.
# Exits with ctest's status.
#
#   bash scripts/test.sh [extra ctest arguments, e.g. -R tokenizer]
#
# DOKPA_TEST_TIMEOUT: per-test limit in seconds (default 900). DOKPA_JOBS: parallel tests (2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh --test-servers --test-browser --test-fuzz
export DOKPA_CACHE="${DOKPA_CACHE:-$HOME/.cache/dokpa}"
BUILD_DIR="${DOKPA_BUILD_DIR:-build}"

if [[ ${DOKPA_FUZZ_SECONDS:-15} != 0 ]]; then
  echo "test: scripts/fuzz.sh --seconds ${DOKPA_FUZZ_SECONDS:-15}"
  bash scripts/fuzz.sh --seconds "${DOKPA_FUZZ_SECONDS:-15}" || { echo "test: a fuzz target crashed (see above)" >&2; exit 1; }
fi

echo "test: ctest --test-dir $BUILD_DIR"
status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"${DOKPA_JOBS:-2}" \
  --timeout "${DOKPA_TEST_TIMEOUT:-900}" "$@" || status=$?
exit "$status"
