#!/usr/bin/env bash
# The CUDA backend's device check, as one prepared call on a machine with an NVIDIA GPU (an H100
# or H200; no network, Node.js optional). It builds and runs the standalone harness (parity for
# every dtype and pooling mode and the dense graphs, then throughput against the GPU's own
# device-to-device copy bandwidth), then, where a `node` binary and the built workspace are
# present, builds the addon and runs the plugin's tests and its benchmark through the contract.
# Everything lands in one JSON report: $OUT/device-check.json when OUT is set, else the path given
# as the first argument (default ./device-check.json). Meant to finish in under 5 minutes.
#
#   plugins/cuda/device-check.sh [REPORT_PATH]
#
# Environment (optional):
#   RECMESH_CUDA_ARCHS     SM version(s) to build for (default: the GPU's, from nvidia-smi, else 90)
#   RECMESH_CPU_RMC3_SPS   RMC3 dense samples/s of the CPU the 10x target is against (default below)
#   CUDA_HOME              toolkit to use before nvcc on PATH and /usr/local/cuda
#   NODE                   node binary to use (default: node on PATH)
#
# Exit status: 0 parity passed and the targets were met, 1 parity failed or a target was missed,
# 2 the harness could not be built or failed, 3 no usable GPU (the report says why).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [ -n "${OUT:-}" ]; then REPORT="$OUT/device-check.json"; else REPORT="${1:-$PWD/device-check.json}"; fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/recmesh-cuda-check.XXXXXX")"
STARTED=$(date +%s)
mkdir -p "$(dirname "$REPORT")"

# RMC3's dense MLP at batch 1024 on onnxruntime-node 1.30's CPU provider with 2 intra-op threads,
# on the 2-core machine the issue was filed from: the best of three runs of scripts/node-bench.ts
# --cpu-only on 2026-11-27 (65.8k-70.8k samples/s; 27.5k in a run while the machine was busier).
CPU_RMC3_SPS="${RECMESH_CPU_RMC3_SPS:-70800}"
CPU_SOURCE="onnxruntime-node 1.30 CPU provider, 2 threads, on the 2-core development machine (plugins/cuda/scripts/node-bench.ts --cpu-only)"

log() { echo "device-check: $*" >&2; }

# Every step is capped by its own limit and by what is left of the whole check's budget.
BUDGET_S=290
SKIPPED=""
budget() {  # budget STEP_LIMIT -> seconds this step may take (0: no time left)
  local left=$(( BUDGET_S - ($(date +%s) - STARTED) ))
  if [ "$left" -lt 10 ]; then echo 0; elif [ "$1" -lt "$left" ]; then echo "$1"; else echo "$left"; fi
}
step() {  # step LIMIT NAME COMMAND...: runs it under the budget, or records that it was skipped
  local limit name
  limit="$(budget "$1")"; name="$2"; shift 2
  if [ "$limit" = 0 ]; then SKIPPED="$SKIPPED $name"; log "no time left for $name"; return 124; fi
  timeout "$limit" "$@"
}

# A JSON string of stdin (escapes backslashes, quotes, control characters; drops other bytes < 0x20).
json_string() {
  printf '"'
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\r//g' | tr -d '\000-\010\013-\037' | sed -e ':a;N;$!ba;s/\n/\\n/g' | tr -d '\n'
  printf '"'
}
json_file_or_null() { if [ -s "$1" ]; then cat "$1"; else printf 'null'; fi; }

# --- the machine -------------------------------------------------------------------------------
GPU_LINE=""
if command -v nvidia-smi >/dev/null 2>&1; then
  GPU_LINE="$(nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader 2>&1 | head -1)"
fi
ARCH="${RECMESH_CUDA_ARCHS:-}"
if [ -z "$ARCH" ]; then
  CAP="$(echo "$GPU_LINE" | awk -F', ' '{print $2}' | tr -d '.')"
  if [[ "$CAP" =~ ^[0-9]+$ ]]; then ARCH="$CAP"; else ARCH=90; fi
fi
ARCH="${ARCH//[;, ]/;}"
NEWEST="${ARCH##*;}"

NVCC=""
for c in "${CUDA_HOME:+$CUDA_HOME/bin/nvcc}" "$(command -v nvcc 2>/dev/null)" /usr/local/cuda/bin/nvcc $(ls -d /usr/local/cuda-*/bin/nvcc 2>/dev/null | sort -V -r); do
  if [ -n "$c" ] && [ -x "$c" ]; then NVCC="$c"; break; fi
done

# --- build the harness -------------------------------------------------------------------------
BUILD_OK=false
BUILD_HOW=""
HARNESS="$WORK/build/recmesh-cuda-harness"
if [ -z "$NVCC" ]; then
  echo "nvcc was not found (CUDA_HOME, PATH, /usr/local/cuda*/bin)" > "$WORK/build.log"
else
  NVCC_VERSION="$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
  log "building the harness with nvcc $NVCC_VERSION for sm_$ARCH"
  if command -v cmake >/dev/null 2>&1; then
    BUILD_HOW="cmake"
    CMAKE_ARCHS=""
    IFS=';' read -ra LIST <<< "$ARCH"
    for a in "${LIST[@]}"; do CMAKE_ARCHS="$CMAKE_ARCHS;$a-real"; done
    CMAKE_ARCHS="${CMAKE_ARCHS#;};$NEWEST-virtual"
    if step 60 cmake-configure cmake -S "$HERE/harness" -B "$WORK/build" -DCMAKE_CUDA_COMPILER="$NVCC" \
         "-DCMAKE_CUDA_ARCHITECTURES=$CMAKE_ARCHS" > "$WORK/build.log" 2>&1 \
       && step 150 cmake-build cmake --build "$WORK/build" -j "$(nproc 2>/dev/null || echo 4)" >> "$WORK/build.log" 2>&1; then
      BUILD_OK=true
    fi
  fi
  if [ "$BUILD_OK" != true ]; then
    BUILD_HOW="${BUILD_HOW:+$BUILD_HOW failed, then }nvcc"
    GENCODE=()
    IFS=';' read -ra LIST <<< "$ARCH"
    for a in "${LIST[@]}"; do GENCODE+=(-gencode "arch=compute_$a,code=sm_$a"); done
    GENCODE+=(-gencode "arch=compute_$NEWEST,code=compute_$NEWEST")
    mkdir -p "$WORK/build"
    if step 150 nvcc-build "$NVCC" -std=c++17 -O3 "${GENCODE[@]}" -Xcompiler -Wall -o "$HARNESS" \
         "$HERE"/harness/*.cc "$HERE"/harness/*.cu "$HERE"/native/kernels/*.cu "$HERE"/native/kernels/*.cc \
         -ldl -lpthread >> "$WORK/build.log" 2>&1; then
      BUILD_OK=true
    fi
  fi
fi

# --- run the harness ---------------------------------------------------------------------------
HARNESS_CODE=2
if [ "$BUILD_OK" = true ]; then
  log "running the harness"
  step 120 harness "$HARNESS" --json "$WORK/harness.json" --cpu-rmc3-sps "$CPU_RMC3_SPS" \
    --cpu-source "$CPU_SOURCE" 2> "$WORK/harness.log"
  HARNESS_CODE=$?
  log "harness exit status $HARNESS_CODE"
fi

# --- the Node side, where node and the built workspace are here ---------------------------------
NODE_BIN="${NODE:-$(command -v node 2>/dev/null || true)}"
NODE_RAN=false
NODE_REASON=""
TESTS_CODE=null
BENCH_CODE=null
if [ -z "$NODE_BIN" ]; then
  NODE_REASON="no node binary here (set NODE or put node on PATH)"
else
  MISSING=""
  for p in node_modules/tsx packages/backend/dist packages/models/dist plugins/cpu/dist plugins/cuda/dist; do
    [ -e "$ROOT/$p" ] || MISSING="$MISSING $p"
  done
  if [ -n "$MISSING" ]; then
    NODE_REASON="node is here ($("$NODE_BIN" --version)), but the built workspace is not:$MISSING (run npm ci && npm run build, or carry them)"
  else
    NODE_RAN=true
    cd "$ROOT"
    log "building the addon with node $("$NODE_BIN" --version)"
    RECMESH_CUDA_ARCHS="$ARCH" RECMESH_CUDA_NVCC="$NVCC" step 120 addon-build "$NODE_BIN" \
      plugins/cuda/scripts/build-native.mjs > "$WORK/addon-build.log" 2>&1
    log "running the plugin's tests"
    step 150 tests "$NODE_BIN" scripts/run-tests.mjs plugins/cuda > "$WORK/tests.log" 2>&1
    TESTS_CODE=$?
    log "running the plugin's benchmark"
    step 90 node-bench "$NODE_BIN" --import tsx plugins/cuda/scripts/node-bench.ts --measure-s 1 \
      --json "$WORK/node-bench.json" > "$WORK/node-bench.log" 2>&1
    BENCH_CODE=$?
  fi
fi

# --- the verdict and the report ----------------------------------------------------------------
if [ "$BUILD_OK" != true ]; then CODE=2
elif [ "$HARNESS_CODE" = 3 ]; then CODE=3
elif [ "$HARNESS_CODE" != 0 ]; then CODE=$([ "$HARNESS_CODE" = 1 ] && echo 1 || echo 2)
elif grep -q '"pass":false' "$WORK/harness.json" 2>/dev/null; then CODE=1
elif [ "$TESTS_CODE" != null ] && [ "$TESTS_CODE" != 0 ]; then CODE=1
else CODE=0
fi

{
  printf '{"tool":"plugins/cuda/device-check.sh","exitCode":%s,"elapsedS":%s,"budgetS":%s,"skippedForTime":%s,' \
    "$CODE" "$(( $(date +%s) - STARTED ))" "$BUDGET_S" "$(printf '%s' "${SKIPPED# }" | json_string)"
  printf '"gpu":%s,' "$(printf '%s' "$GPU_LINE" | json_string)"
  printf '"build":{"ok":%s,"how":%s,"nvcc":%s,"cudaVersion":%s,"archs":%s,"logTail":%s},' \
    "$BUILD_OK" "$(printf '%s' "$BUILD_HOW" | json_string)" "$(printf '%s' "$NVCC" | json_string)" \
    "$(printf '%s' "${NVCC_VERSION:-}" | json_string)" "$(printf '%s' "$ARCH" | json_string)" \
    "$(tail -n 15 "$WORK/build.log" 2>/dev/null | json_string)"
  printf '"harness":%s,' "$(json_file_or_null "$WORK/harness.json")"
  printf '"harnessLogTail":%s,' "$(tail -n 20 "$WORK/harness.log" 2>/dev/null | json_string)"
  printf '"node":{"ran":%s,"reason":%s,"addonBuild":%s,"testsExitCode":%s,"testsLogTail":%s,"benchExitCode":%s,"bench":%s}' \
    "$NODE_RAN" "$(printf '%s' "$NODE_REASON" | json_string)" \
    "$(json_file_or_null "$ROOT/plugins/cuda/build/native-build.json")" "$TESTS_CODE" \
    "$(tail -n 40 "$WORK/tests.log" 2>/dev/null | json_string)" "$BENCH_CODE" \
    "$(json_file_or_null "$WORK/node-bench.json")"
  printf '}\n'
} > "$REPORT"
log "report: $REPORT (exit status $CODE)"
exit "$CODE"
