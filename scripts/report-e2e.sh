#!/usr/bin/env bash
# End-to-end test of `armsmarket report`: builds a run, a comparison, a
# sweep (with its PRIM box) and a calibration from the shipped scenarios,
# writes each one's report.html and renders them in headless Chromium
# (scripts/render_check.sh, which installs Debian's chromium if missing).
# Usage: ARMSMARKET_BIN=target/release/armsmarket bash scripts/report-e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${ARMSMARKET_BIN:-$PWD/target/release/armsmarket}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" run scenarios/toy.toml -r 20 --out "$work/run" -q >/dev/null
"$bin" compare scenarios/hypotheses/commercial_only.toml scenarios/hypotheses/strategic.toml \
    -r 10 --contested commercial --out "$work/cmp" -q >/dev/null
"$bin" sweep scenarios/sweeps/small.toml --out "$work/sweep" -q >/dev/null
sweep_dir=$(find "$work/sweep" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | head -1)
"$bin" discover "$sweep_dir" --where 'focus_value_2022 >= 1000' >/dev/null
"$bin" calibrate scenarios/calibration/toy_recovery.toml --out "$work/cal" -q >/dev/null

reports=()
for dir in "$work/run/toy" "$work/cmp/compare" "$sweep_dir" "$work/cal/toy_recovery"; do
    "$bin" report "$dir" >/dev/null
    reports+=("$dir/report.html")
done
bash scripts/render_check.sh --out "$work/png" "${reports[@]}"
echo "report-e2e: ${#reports[@]} reports rendered: PASS"
