#!/usr/bin/env bash
# On a machine with an NVIDIA GPU and a Python torch: builds dokpa against that torch and runs
# bench/gpu/gpu_checks.py (bf16 parity with transformers on the GPU, prefill and decode throughput),
# writing OUT/gpu_checks.{md,json} and OUT/build.log.
#
# Uses .gpu-carry from bench/gpu/fetch_carry.sh where the machine lacks things: its debs are unpacked
# into /opt/dokpa-deps (never into /), its wheels installed into a venv that sees the system torch.
# The model is DOKPA_GPU_MODEL, or a random-weight ~0.5B qwen2 made here (bench/make_random_qwen2.py).
# Usage: bash bench/gpu/run_gpu_checks.sh OUT [gpu_checks.py options...]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: run_gpu_checks.sh OUT [gpu_checks.py options...]}; shift
mkdir -p "$out"
python=${PYTHON:-python3}
carry=.gpu-carry

if [ -d "$carry/debs" ] && ! pkg-config --exists sentencepiece 2>/dev/null; then
  prefix=/opt/dokpa-deps
  mkdir -p "$prefix"
  for deb in "$carry"/debs/*.deb; do dpkg -x "$deb" "$prefix"; done
  for pc in "$prefix"/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc "$prefix"/usr/share/pkgconfig/*.pc; do
    [ -f "$pc" ] && sed -i "s|^prefix=/usr|prefix=$prefix/usr|" "$pc"
  done
  export PATH="$prefix/usr/bin:$PATH"
  export PKG_CONFIG_PATH="$prefix/usr/lib/x86_64-linux-gnu/pkgconfig:$prefix/usr/share/pkgconfig"
  export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export CPATH="$prefix/usr/include${CPATH:+:$CPATH}"
  export CMAKE_PREFIX_PATH="$prefix/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
fi
if ! "$python" -c 'import transformers' 2>/dev/null; then
  [ -d "$carry/wheels" ] || { echo "no transformers and no $carry/wheels (run bench/gpu/fetch_carry.sh)" >&2; exit 2; }
  "$python" -m venv --system-site-packages /tmp/dokpa-gpu-venv
  python=/tmp/dokpa-gpu-venv/bin/python
  "$python" -m pip install -q --no-index --find-links "$carry/wheels" transformers tokenizers safetensors numpy
fi
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'

torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
prefix_path="$torch_prefix${CMAKE_PREFIX_PATH:+;${CMAKE_PREFIX_PATH//:/;}}"
# Parquet support needs the pyarrow wheel (55 MiB), more than a device call carries; the checks use CSV/JSONL.
{ cmake -G Ninja -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DDOKPA_PARQUET=OFF -DCMAKE_PREFIX_PATH="$prefix_path" &&
  cmake --build build-gpu --target dokpa -j"$(nproc)"; } > "$out/build.log" 2>&1 ||
  { tail -40 "$out/build.log"; exit 1; }

model=${DOKPA_GPU_MODEL:-}
if [ -z "$model" ]; then
  model=/tmp/random-qwen2-0.5b
  "$python" bench/make_random_qwen2.py --tokenizer-from "$carry/tokenizer" --out "$model"
fi
"$python" bench/gpu/gpu_checks.py --dokpa build-gpu/dokpa --model "$model" --out "$out" "$@"
