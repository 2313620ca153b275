#!/usr/bin/env bash
# Installs what HybridGen needs on Debian or Ubuntu, when it is missing: libtorch (CPU, Debian's libtorch-dev),
# OpenBLAS (without it libtorch uses the reference BLAS and matmul is ~15x slower), CMake and g++ (the native
# shim is compiled on this machine against that libtorch). Set HYBRIDGEN_LIBTORCH_DIR to use another libtorch.
set -euo pipefail

need=()
if [ -z "${HYBRIDGEN_LIBTORCH_DIR:-}" ] && ! dpkg -s libtorch-dev >/dev/null 2>&1; then need+=(libtorch-dev); fi
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)

if [ ${#need[@]} -eq 0 ]; then
  echo "HybridGen setup: libtorch, OpenBLAS, CMake and g++ are present."
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "HybridGen setup: need root (or sudo) to install: ${need[*]}" >&2
    exit 1
  fi
fi
echo "HybridGen setup: installing ${need[*]} (apt-get; about a minute)..."
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
echo "HybridGen setup: done."
