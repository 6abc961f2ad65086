#!/usr/bin/env bash
# What `armsmarket report` costs against the tables it reads, measured with
# GNU time (CPU is user + system seconds, RSS the peak resident set):
#   - a run of scenarios/europe.toml with contracts.csv and market.csv
#     (about 160 KB of rows a replication), at R and at 10 x R
#     replications: the report's peak RSS should stay near flat, as its
#     tables are folded row by row (held whole they took some 4.6x their
#     size);
#   - a toy sweep of 20,000 points x 5 replications (runs.csv 43 MB,
#     bands.csv 16 MB).
# Usage: bash benches/report.sh [R, default 200]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin armsmarket
bin="$PWD/target/release/armsmarket"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
r="${1:-200}"

# report LABEL DIR: prints the report's CPU and peak RSS against the size
# of the CSV files in DIR.
report() {
    local t mb
    mb=$(cat "$2"/*.csv | wc -c | awk '{ print $1 / 1e6 }')
    t=$( { /usr/bin/time -f "%U %S %M" "$bin" report "$2" >/dev/null; } 2>&1 | tail -1)
    awk -v l="$1" -v mb="$mb" '{ printf "%-36s tables %7.1f MB  cpu %5.2f s  rss %7.1f MB  (%.2f of the tables)\n", l, mb, $1 + $2, $3 / 1024, $3 / 1024 / mb }' <<<"$t"
}

for n in "$r" "$((10 * r))"; do
    "$bin" run scenarios/europe.toml -q -r "$n" --tables contracts,market,summary --out "$out/run$n" >/dev/null
    report "run, $n replications" "$out/run$n/europe"
    rm -rf "$out/run$n"
done

cat >"$out/sweep.toml" <<EOF
base = "$PWD/scenarios/toy.toml"
name = "report_bench"

[sweep]
design = "lhs"
points = 20000
replications = 5
seed = 7

[sweep.parameters]
"preferences.default.delivery" = { min = 0.2, max = 2.0 }
EOF
"$bin" sweep "$out/sweep.toml" -q --out "$out/sweep" >/dev/null
report "sweep, 20,000 points x 5" "$out/sweep/report_bench"
