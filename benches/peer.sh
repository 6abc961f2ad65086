#!/usr/bin/env bash
# CPU milliseconds per replication of armsmarket against a Mesa 3 port of
# its model, side by side on this machine: summary only, one thread, the
# start-up of each program subtracted (a run of few replications is timed
# and taken off).
#
# Usage: bash benches/peer.sh PEER_DIR
#   PEER_DIR holds the port (mesa_port/run.py) and its frozen inputs
#   (inputs/europe.manifest.json, inputs/toy.manifest.json); it is not part
#   of this repository. Also read from $ARMSMARKET_PEER.
# The port's Python dependencies (mesa, numpy) are installed into a virtual
# environment under target/peer-venv on first use.
# Environment: PEER_REPS (port replications, default 20 of europe and 200
# of toy), OWN_REPS (armsmarket replications, default 400 of europe and
# 4000 of toy). A toy replication takes milliseconds: fewer would leave the
# difference to the noise of the programs' start-up (it can come out
# negative). PEER_ROUNDS (default 3): both programs are timed this many
# times, in turn, and each keeps its fastest round, so that a stretch of
# load from elsewhere on a shared machine slows one round of both rather
# than one program's only measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
peer="${1:-${ARMSMARKET_PEER:-}}"
if [[ -z "$peer" || ! -f "$peer/mesa_port/run.py" ]]; then
    echo "usage: bash benches/peer.sh PEER_DIR (the folder holding mesa_port/run.py and inputs/)" >&2
    exit 2
fi
venv="$PWD/target/peer-venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet mesa numpy
fi
cargo build --release --quiet
bin="$PWD/target/release/armsmarket"
tmp="$PWD/target/bench-peer"
rm -rf "$tmp"

# cpu CMD...: user + system seconds of one command.
cpu() {
    local f
    f=$(mktemp)
    if ! /usr/bin/time -o "$f" -f "%U %S" "$@" >/dev/null 2>"$f.err"; then
        cat "$f.err" >&2
        rm -f "$f" "$f.err"
        return 1
    fi
    awk '{ print $1 + $2 }' "$f"
    rm -f "$f" "$f.err"
}

. benches/rounds.sh

rounds="${PEER_ROUNDS:-3}"
printf "%-8s %16s %16s %10s\n" scenario "port ms/rep" "armsmarket ms/rep" ratio
for s in europe toy; do
    if [[ $s == toy ]]; then
        peer_reps="${PEER_REPS:-200}"
        own_reps="${OWN_REPS:-4000}"
    else
        peer_reps="${PEER_REPS:-20}"
        own_reps="${OWN_REPS:-400}"
    fi
    input="$peer/inputs/$s.manifest.json"
    port="" own=""
    for round in $(seq "$rounds"); do
        p0=$(cpu "$venv/bin/python" "$peer/mesa_port/run.py" "$input" --replications 0 --quiet --out "$tmp/p0")
        p1=$(cpu "$venv/bin/python" "$peer/mesa_port/run.py" "$input" --replications "$peer_reps" --quiet --out "$tmp/p1")
        a0=$(cpu "$bin" run "scenarios/$s.toml" -r 1 -t 1 --tables summary -q --out "$tmp/a0")
        a1=$(cpu "$bin" run "scenarios/$s.toml" -r "$own_reps" -t 1 --tables summary -q --out "$tmp/a1")
        read -r p a < <(awk -v p0="$p0" -v p1="$p1" -v n="$peer_reps" -v a0="$a0" -v a1="$a1" -v m="$own_reps" \
            'BEGIN { printf "%.4f %.5f\n", (p1 - p0) / n * 1000, (a1 - a0) / (m - 1) * 1000 }')
        awk -v s="$s" -v r="$round" -v p="$p" -v a="$a" 'BEGIN { printf "  %s round %d %11.2f %16.3f %9.0fx\n", s, r, p, a, p / a }'
        port=$(min "$p" "$port") own=$(min "$a" "$own")
    done
    awk -v s="$s" -v port="$port" -v own="$own" 'BEGIN {
        printf "%-8s %16.2f %16.3f %9.0fx   (each program'"'"'s fastest round)\n", s, port, own, port / own }'
done
rm -rf "$tmp"
