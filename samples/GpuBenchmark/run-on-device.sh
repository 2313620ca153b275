#!/usr/bin/env bash
# HybridGen's GPU run, on the borrowed GPU machine (it has PyTorch with CUDA, and no .NET): checks that TorchSharp
# 0.107's native wrapper loads with the machine's libtorch, then runs the published GPU benchmark, the PyTorch
# baseline and (when given) the CUDA tests. Results under $OUT (default ./gpu-results). No CMake, no compiler.
#
# Publish first, on the development machine, with twin validation on (the published NAME.twins.validated lists the
# twins the runtime may compile; without it every method runs eager):
#   dotnet publish samples/GpuBenchmark -c Release -r linux-x64 --self-contained -o artifacts/gpubench
# then, from the repository root on the GPU machine:
#   bash samples/GpuBenchmark/run-on-device.sh artifacts/gpubench [CUDA-TEST-RUNNER]
#
# SKETCH. TODO(issue 14), still open:
# - The published folder holds TorchSharp-cpu's libtorch (~600 MB) besides the .NET runtime, far more than a device
#   run can carry. Publish without it (the benchmark's project would need to let the libtorch package be chosen,
#   e.g. plain TorchSharp for this publish); this script ignores whatever libtorch the folder has anyway and uses
#   PyTorch's (step 3).
# - TorchSharp 0.107 is built against LibTorch 2.10.0: PyTorch must be 2.10.x, a CUDA build, with the C++11 ABI
#   (step 2). Whether TorchSharp's wrapper really runs with a pip wheel's libtorch is what step 3 checks first;
#   it has never been run.
# - HybridGen's twin record is keyed on TorchSharp's own libtorch version string, not on the libtorch actually
#   loaded, so at run time it cannot tell PyTorch's libtorch from TorchSharp's: step 2's version check stands in.
# - The CUDA tests (tests/HybridGen.EndToEnd.Tests/CudaTests.cs) are xunit tests, which need the .NET SDK to run;
#   there is no self-contained runner for them yet. Step 6 runs one if given, else records that they did not run.
set -euo pipefail

app=$(cd "${1:?usage: run-on-device.sh PUBLISHED-BENCHMARK-FOLDER [CUDA-TEST-RUNNER]}" && pwd)
tests=${2:-}
out=${OUT:-gpu-results}
mkdir -p "$out"
out=$(cd "$out" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "run-on-device: $*" | tee -a "$out/check.txt" >&2; exit 3; }
: > "$out/check.txt"

# 1. The device and the published app.
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/device.txt" || fail "nvidia-smi failed: no GPU?"
[ -x "$app/HybridGen.Samples.GpuBenchmark" ] || fail "$app/HybridGen.Samples.GpuBenchmark is missing: publish with -r linux-x64 --self-contained (see the top of this script)"
[ -f "$app/libLibTorchSharp.so" ] || fail "$app/libLibTorchSharp.so is missing: publish with -r linux-x64 (TorchSharp's wrapper next to the app)"
[ -f "$app/HybridGen.Samples.GpuBenchmark.twins.validated" ] \
  || echo "run-on-device: warning: no HybridGen.Samples.GpuBenchmark.twins.validated in $app: the runtime will use no twin (publish with HybridGenValidateTwins on)" | tee -a "$out/check.txt" >&2

# 2. PyTorch: the libtorch TorchSharp 0.107 was built for (2.10.x), with CUDA and the C++11 ABI.
read -r torch_version torch_cuda cuda_ok cxx11 torch_lib < <(python3 - <<'EOF'
import os, torch
print(torch.__version__.split("+")[0], torch.version.cuda, torch.cuda.is_available(),
      bool(torch._C._GLIBCXX_USE_CXX11_ABI), os.path.join(os.path.dirname(torch.__file__), "lib"))
EOF
) || fail "python3 cannot import torch"
echo "PyTorch $torch_version, CUDA $torch_cuda, cuda available: $cuda_ok, C++11 ABI: $cxx11, libtorch in $torch_lib" | tee -a "$out/check.txt"
case "$torch_version" in 2.10.*) ;; *) fail "PyTorch's libtorch is $torch_version; TorchSharp 0.107 needs 2.10.x (for example, a virtual environment with torch==2.10.*)";; esac
[ "$cuda_ok" = True ] || fail "PyTorch sees no CUDA device"
[ "$cxx11" = True ] || fail "PyTorch's libtorch uses the pre-C++11 ABI, TorchSharp's wrapper the C++11 one"

# 3. A copy of the app without TorchSharp-cpu's libtorch, loading PyTorch's instead (LD_LIBRARY_PATH comes before
#    the wrapper's RUNPATH $ORIGIN; the CUDA libraries of a pip install live in site-packages/nvidia/*/lib).
stage=$(mktemp -d /tmp/hybridgen-gpubench.XXXXXX)
trap 'rm -rf "$stage"' EXIT
for f in "$app"/* "$app"/.[!.]*; do
  [ -e "$f" ] || continue
  name=$(basename "$f")
  case "$name" in libLibTorchSharp.so) ;; libtorch*.so* | libc10*.so* | libgomp*.so* | libshm*.so*) continue ;; esac
  [ -e "$torch_lib/$name" ] && continue   # PyTorch's copy is the one to load
  cp -a "$f" "$stage/"
done
nvidia_libs=$(find "$torch_lib/../../nvidia" -maxdepth 2 -type d -name lib 2>/dev/null | tr '\n' ':' || true)
export LD_LIBRARY_PATH="$torch_lib:${nvidia_libs}${LD_LIBRARY_PATH:-}"
if ! ldd -r "$stage/libLibTorchSharp.so" > "$out/ldd.txt" 2>&1 || grep -q "not found\|undefined symbol" "$out/ldd.txt"; then
  grep "not found\|undefined symbol" "$out/ldd.txt" | head -20 | tee -a "$out/check.txt" >&2 || true
  fail "TorchSharp 0.107's libLibTorchSharp.so does not link with PyTorch $torch_version's libtorch (full list: $out/ldd.txt)"
fi
echo "libLibTorchSharp.so links with PyTorch's libtorch" | tee -a "$out/check.txt"

# 4. The HybridGen benchmark: eager, twin, TorchSharp's CompilationUnit.invoke and auto, per workload.
"$stage/HybridGen.Samples.GpuBenchmark" "$out" 2> "$out/hybridgen.stderr" | tee "$out/hybridgen.txt" \
  || { cat "$out/hybridgen.stderr" >&2; fail "the benchmark failed (it exits with 2 when TorchSharp sees no CUDA device)"; }
cat "$out/hybridgen.stderr" >&2
if grep -q "runs eager for" "$out/hybridgen.stderr"; then
  echo "run-on-device: warning: some twins were not used (see hybridgen.stderr)" | tee -a "$out/check.txt" >&2
fi

# 5. PyTorch on the same workloads: eager, torch.jit.script, torch.compile(mode="reduce-overhead").
python3 "$repo/samples/GpuBenchmark/pytorch_baseline.py" "$out" | tee "$out/pytorch.txt"

# 6. The CUDA tests, where a runner that needs no .NET SDK is given (TODO(issue 14): none exists yet).
if [ -n "$tests" ] && [ -x "$tests" ]; then
  "$tests" > "$out/cuda-tests.txt" 2>&1 || { echo "run-on-device: the CUDA tests failed (cuda-tests.txt)" >&2; exit 1; }
else
  echo "CUDA tests not run: no self-contained test runner was given (TODO issue 14)" | tee "$out/cuda-tests.txt"
fi
echo "results: $out"
