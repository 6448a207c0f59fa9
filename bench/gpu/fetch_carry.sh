#!/usr/bin/env bash
# Here (with network): gathers what bench/gpu/run_gpu_checks.sh needs on a lent GPU machine that has
# CUDA, CMake, ninja and a Python with torch but no network and none of dokpa's Debian libraries:
#   .gpu-carry/debs      the Debian packages dokpa builds against (headers + libraries, ~8 MiB)
#   .gpu-carry/wheels    transformers and its dependencies for the device's Python (the parity reference)
#   .gpu-carry/tokenizer SmolLM2's tokenizer files, for the random ~0.5B model made there
# .gpu-carry is ignored by git; name it in the device call's `carry` (64 MiB in all).
# Usage: bash bench/gpu/fetch_carry.sh [PYTHON_VERSION of the device, default 3.12]
set -euo pipefail
cd "$(dirname "$0")/../.."
python_version=${1:-3.12}
carry=.gpu-carry
rm -rf "$carry" && mkdir -p "$carry/debs" "$carry/wheels" "$carry/tokenizer"
(cd "$carry/debs" && apt-get download \
  libsentencepiece-dev libsentencepiece0 libfmt-dev libfmt9 libyaml-cpp-dev libyaml-cpp0.7 libsqlite3-dev \
  libsqlite3-0 nlohmann-json3-dev libcli11-dev catch2 libpcre2-dev libpcre2-8-0 libutf8proc-dev libutf8proc2 \
  libcurl4-openssl-dev libcurl4 libssl-dev pkgconf pkgconf-bin libpkgconf3 >/dev/null)
.venv/bin/pip download -q --only-binary=:all: --python-version "$python_version" --implementation cp \
  --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 -d "$carry/wheels" \
  -c scripts/requirements.txt transformers tokenizers safetensors huggingface_hub numpy
tokenizer=${DOKPA_TOKENIZER:-$HOME/.cache/dokpa/models/SmolLM2-135M-Instruct}
cp "$tokenizer"/{tokenizer.json,tokenizer_config.json,special_tokens_map.json} "$carry/tokenizer/"
du -sh "$carry"/* "$carry"
size=$(du -sm "$carry" | cut -f1)
[ "$size" -le 60 ] || echo "warning: $carry is $size MiB; the device call carries 64 MiB in all" >&2
