#!/usr/bin/env bash
# Mock backend benchmark: create+destroy pairs per second through the REST API (UserSig checks,
# every webhook delivered to the reference receiver), as a ratio of the bare-HTTP ceiling (four
# empty exchanges a pair). The two alternate, round by round, so that the machine's noise falls
# on both alike; each round's ratio is printed, then the median.
#
#   bash bench/mock.sh          # 5 rounds of 3 s each
#   ROUNDS=9 BENCHTIME=5s bash bench/mock.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
BENCHTIME=${BENCHTIME:-3s}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
go test -c -o "$OUT/mock.test" ./mockserver
pairs() { # benchmark name -> pairs/s
  (cd mockserver && "$OUT/mock.test" -test.run '^$' -test.bench "^$1\$" -test.benchtime "$BENCHTIME" -test.benchmem) |
    awk '/pairs\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "pairs/s") print $i }'
}
ratios=()
for r in $(seq "$ROUNDS"); do
  base=$(pairs BenchmarkBaselineFourExchanges)
  mock=$(pairs BenchmarkCreateDestroy)
  ratio=$(python3 -c "print(f'{$mock / $base:.3f}')")
  ratios+=("$ratio")
  echo "round $r: mock $mock pairs/s, ceiling $base pairs/s, ratio $ratio"
done
python3 - "${ratios[@]}" <<'PY'
import statistics, sys
r = sorted(map(float, sys.argv[1:]))
med = statistics.median(r)
print(f"ratio median {med:.3f} (range {r[0]:.3f}-{r[-1]:.3f})   goal >= 0.90   {'met' if med >= 0.9 else 'NOT MET'}")
PY
