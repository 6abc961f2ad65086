# Sourced by the benchmark scripts that time in rounds and keep the
# fastest (peer.sh, output.sh, sweep.sh).

# min A B: the smaller number, or A if B is empty (the first round).
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0 ? a : b) }'; }

# max A B: the larger number, or A if B is empty (the first round).
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 > b + 0 ? a : b) }'; }
