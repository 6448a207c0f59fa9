#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, no libtorch) into build-fuzz/ and
# runs each for a set time. Exits non-zero when a target crashed, naming the crash file.
#
#   bash scripts/fuzz.sh [--seconds N] [--jobs J] [target...]
#
#   --seconds N   wall-clock seconds per target (default 60)
#   --jobs J      targets fuzzed at a time (default 2); each runs under `nice`
#   target...     some of the targets (default: all of tests/fuzz/fuzz_*.cpp)
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>/, read only) plus what
# earlier runs found (build-fuzz/fuzz/<target>/corpus/, where new inputs are written). Crash files,
# the log and the CPU seconds used go to build-fuzz/fuzz/<target>/. Reproduce a crash with
#   build-fuzz/tests/fuzz/<target> <crash file>
# Environment: DOKPA_FUZZ_BUILD_DIR (default build-fuzz), DOKPA_JOBS (build jobs, default 2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_PER_TARGET=60 FUZZ_JOBS=2 TARGETS=()
while (($#)); do
  case "$1" in
    --seconds) SECONDS_PER_TARGET="$2"; shift 2 ;;
    --jobs) FUZZ_JOBS="$2"; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
if ((${#TARGETS[@]} == 0)); then
  for src in tests/fuzz/fuzz_*.cpp; do TARGETS+=("$(basename "$src" .cpp)"); done
fi

BUILD_DIR="${DOKPA_FUZZ_BUILD_DIR:-build-fuzz}"
say() { printf 'fuzz: %s\n' "$*"; }

# Configure once (the build folder is clang-only), then an incremental build of the targets.
if [[ ! -f $BUILD_DIR/build.ninja ]]; then
  command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (bash scripts/setup.sh --test-fuzz installs it)" >&2; exit 1; }
  say "configuring $BUILD_DIR (clang, libFuzzer, ASan, UBSan)"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DDOKPA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ >"$BUILD_DIR.configure.log" 2>&1 ||
    { tail -30 "$BUILD_DIR.configure.log" >&2; exit 1; }
fi
say "building ${TARGETS[*]}"
nice -n 10 cmake --build "$BUILD_DIR" -j"${DOKPA_JOBS:-2}" --target "${TARGETS[@]}"

# The sanitizers abort at the first report so that libFuzzer saves the input.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Fuzzes one target for SECONDS_PER_TARGET; its exit status goes to <dir>/rc and its CPU seconds
# (user + system, from the subshell's `times`) to <dir>/cpu.
run_target() {
  local target="$1" dir="$BUILD_DIR/fuzz/$1" dict=()
  mkdir -p "$dir/corpus" "$dir/crashes"
  case "$target" in
    fuzz_suite_yaml | fuzz_submission_yaml) dict=(-dict=tests/fuzz/yaml.dict) ;;
    fuzz_bpe_encode | fuzz_csv) ;;
    *) dict=(-dict=tests/fuzz/json.dict) ;;
  esac
  # -malloc_limit_mb: one allocation over 512 MiB (a size read from the input) is a finding;
  # -rss_limit_mb: so is a process over 2 GiB; -timeout: an input taking over 10 s.
  (
    set +e
    nice -n 10 "$BUILD_DIR/tests/fuzz/$target" "$dir/corpus" "tests/fuzz/corpus/$target" "${dict[@]}" \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
      -artifact_prefix="$dir/crashes/" -print_final_stats=1 >"$dir/log.txt" 2>&1
    echo $? >"$dir/rc"
    times >"$dir/times"  # not in a pipe: a forked `times` would not see this shell's children
    tail -1 "$dir/times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.1f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' >"$dir/cpu"
  )
}

say "fuzzing ${#TARGETS[@]} targets for ${SECONDS_PER_TARGET}s each, $FUZZ_JOBS at a time"
for target in "${TARGETS[@]}"; do
  rm -f "$BUILD_DIR/fuzz/$target/rc"
  while (($(jobs -rp | wc -l) >= FUZZ_JOBS)); do wait -n || true; done
  run_target "$target" &
done
wait

failed=0
printf '%-24s %12s %8s %8s %s\n' target execs cpu_s corpus result
for target in "${TARGETS[@]}"; do
  dir="$BUILD_DIR/fuzz/$target"
  rc="$(cat "$dir/rc" 2>/dev/null || echo 1)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log.txt" | tail -1)"
  corpus="$(grep -o 'corp: [0-9]*' "$dir/log.txt" | tail -1 | cut -d' ' -f2 || true)"  # none if it never started
  result=ok
  if ((rc != 0)); then
    failed=1
    crash="$(sed -n 's/.*Test unit written to //p' "$dir/log.txt" | tail -1)"
    result="FAILED (exit $rc): ${crash:-no crash file}; log $dir/log.txt"
  fi
  cpu="$(cat "$dir/cpu" 2>/dev/null || echo '?')"
  printf '%-24s %12s %8s %8s %s\n' "$target" "${execs:-?}" "$cpu" "${corpus:-?}" "$result"
  # One line per run, for totals over many runs: date, seconds asked, CPU seconds, execs, exit status.
  echo "$(date -u +%FT%TZ) $SECONDS_PER_TARGET $cpu ${execs:-?} $rc" >>"$dir/history"
done
exit "$failed"
