#!/usr/bin/env bash
# On the device machine (PyTorch with CUDA, CMake, nvcc; no .NET): build the shim against PyTorch's libtorch,
# run the published HybridGen GPU benchmark and the PyTorch baseline in one command, results under $OUT.
# Publish first, on the development machine:
#   dotnet publish samples/GpuBenchmark -c Release -r linux-x64 --self-contained -p:HybridGenValidateTwins=false -o artifacts/gpubench
# then carry artifacts/gpubench to the device and run:  bash samples/GpuBenchmark/run-on-device.sh artifacts/gpubench
set -euo pipefail
app=${1:?the published benchmark folder}
out=${OUT:-gpu-results}
mkdir -p "$out" /tmp/hg-shim
torch_dir=$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')/Torch
abi=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
cmake -S runtime/HybridGen.Torch/native -B /tmp/hg-shim -DCMAKE_BUILD_TYPE=Release "-DTorch_DIR=$torch_dir" \
  "-DCMAKE_CXX_FLAGS=-D_GLIBCXX_USE_CXX11_ABI=$abi" > "$out/shim-build.log" 2>&1
cmake --build /tmp/hg-shim --parallel >> "$out/shim-build.log" 2>&1
export HYBRIDGEN_SHIM_PATH=/tmp/hg-shim/libhybridgen_shim.so
export LD_LIBRARY_PATH="$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))'):${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,driver_version --format=csv > "$out/device.txt"
"$app/HybridGen.Samples.GpuBenchmark" "$out" | tee "$out/hybridgen.txt"
python3 samples/GpuBenchmark/pytorch_baseline.py "$out" | tee "$out/pytorch.txt"
