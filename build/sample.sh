#!/usr/bin/env bash
# The README's sample command: set up, then build and run the sample (extra arguments go to the sample).
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
dotnet run -c Release --project samples/Training -- "$@"
