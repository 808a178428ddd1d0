#!/usr/bin/env bash
# Webhook answers with browsers on the console's live stream: BenchmarkAnswer (package console)
# in ROUNDS rounds, each case in turn within a round (no browser; one that stopped reading; 20
# reading; 20 reading and one stopped), then each case's median mean and median p99 and its
# ratio to the same run's baseline. On the shared 2-core machine absolute figures wander; the
# ratios within one run are what to compare.
#
#   bash bench/console-answer.sh            # ROUNDS=5, N=3000 webhooks a case a round
#   ROUNDS=3 N=2000 bash bench/console-answer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
N=${N:-3000}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench '^BenchmarkAnswer$' -benchtime "${N}x" -count "$ROUNDS" ./console/ | tee "$out" | grep -E '^Benchmark' || true
awk '
/^BenchmarkAnswer\// {
  name = $1; sub(/^BenchmarkAnswer\//, "", name); sub(/-[0-9]+$/, "", name); gsub(/_/, " ", name)
  for (i = 3; i < NF; i++) { if ($(i+1) == "ns/op") ns[name] = ns[name] " " $i; if ($(i+1) == "p99-µs") p99[name] = p99[name] " " $i }
  if (!(name in seen)) { seen[name] = 1; order[++n] = name }
}
function median(list,   a, k, i, j, t) {
  k = split(list, a, " ")
  for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
END {
  base = median(ns["no browser"]); basep = median(p99["no browser"]); read = median(ns["20 reading"]); readp = median(p99["20 reading"])
  printf "\n%-24s %12s %10s %10s %10s\n", "case (median of rounds)", "mean µs", "p99 µs", "mean/base", "p99/base"
  for (i = 1; i <= n; i++) { c = order[i]; m = median(ns[c]) / 1000; p = median(p99[c])
    printf "%-24s %12.1f %10.0f %10.2f %10.2f\n", c, m, p, median(ns[c]) / base, p / basep }
  printf "\none stalled browser: mean %.2fx, p99 %.2fx of no browser; beside 20 reading: mean %.2fx, p99 %.2fx of 20 reading\n",
    median(ns["1 stalled"]) / base, median(p99["1 stalled"]) / basep,
    median(ns["20 reading, 1 stalled"]) / read, median(p99["20 reading, 1 stalled"]) / readp
}' "$out"
