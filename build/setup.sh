#!/usr/bin/env bash
# Checks what the README's commands need. TorchSharp's NuGet packages bring libtorch (and its BLAS), and
# HybridGen's build makes TorchSharp's natives loadable with this system's libstdc++ (docs/build.md), so all this
# needs is the .NET SDK, 10 or newer. Nothing is installed: the message says how, when the SDK is missing.
set -euo pipefail

required=10
if ! command -v dotnet >/dev/null 2>&1; then
  echo "HybridGen setup: the .NET SDK $required or newer is needed and 'dotnet' is not on PATH." >&2
  echo "  Install it from https://dotnet.microsoft.com/download (Debian/Ubuntu: the dotnet-sdk-$required.0 package of packages.microsoft.com)." >&2
  exit 1
fi
newest=$(dotnet --list-sdks 2>/dev/null | sed -n 's/^\([0-9][0-9]*\)\..*/\1/p' | sort -n | tail -1)
if [ -z "$newest" ] || [ "$newest" -lt "$required" ]; then
  echo "HybridGen setup: the .NET SDK $required or newer is needed; this machine has ${newest:-no SDK} ('dotnet --list-sdks')." >&2
  exit 1
fi
echo "HybridGen setup: .NET SDK $newest found; nothing else is needed."
