#!/usr/bin/env bash
# The README's test command: set up, run every test project, print the runner's summary and, last, one line
# "N passed, N failed" counted from the test results (TRX files).
set -uo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh || exit 1

results="TestResults"
rm -rf "$results"
# Build everything first (samples and benchmarks too, so a broken one shows), then run the tests.
if dotnet build HybridGen.sln -c Release; then
  dotnet test HybridGen.sln -c Release --no-build --logger "trx" --results-directory "$results" "$@"
  status=$?
else
  status=1
fi

passed=0
failed=0
skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(( ${t:-0} - ${e:-0} ))
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${n:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # a build failure runs no test but must not pass
# Comparisons the equivalence tests' eager oracle did not make, because eager itself gave different values in two
# runs (libtorch's kernels on some hosts, docs/torchsharp.md): counted here, listed in the file.
[ -s "$results/host.log" ] && sort -u "$results/host.log"
ledger="$results/nondeterminism.log"
if [ -s "$ledger" ]; then
  echo "Not compared, libtorch nondeterministic on this host: $(wc -l < "$ledger") values (listed in $ledger; docs/torchsharp.md)"
fi
# Skipped: the GPU tests, where there is no CUDA device (they say why in the runner's output).
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
