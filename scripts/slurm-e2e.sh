#!/usr/bin/env bash
# End-to-end test of `armsmarket slurm` on a real, throwaway, single-node Slurm
# cluster on loopback, started without systemd, with all its state in a temp
# directory.
#
# It runs each test sweep twice, once the normal way on this machine
# (`armsmarket sweep FILE`) and once as the Slurm job array plus dependent
# merge job that `armsmarket slurm FILE --shards N` submits, and checks that
# the merged data files are byte for byte those of the single run. Then it
# runs a small calibration on this machine and as the README's loop of Slurm
# array jobs (`calibrate --shard` from the array variables, `--join` after
# each round), and checks that the result files are the same bytes.
#
# Needs: Debian (12 tested: Slurm 22.05, munge 0.5.15), root, and apt access to
# Debian's mirrors the first time (it installs munge, slurmctld, slurmd and
# slurm-client if they are missing). Run from anywhere:
#
#   scripts/slurm-e2e.sh
#
# Environment:
#   ARMSMARKET_BIN      use this binary instead of `cargo build --release`
#   KEEP_TMP=1          keep the temp directory (logs, outputs, slurm.conf)
#   E2E_SHARDS          array tasks per sweep (default 4)
#   E2E_JOB_TIMEOUT     seconds to wait for the jobs (default 300)
#   E2E_START_TIMEOUT   seconds to wait for the cluster (default 60)
#
# Exit status: 0 if every check passed, 1 otherwise.
set -euo pipefail

SHARDS=${E2E_SHARDS:-4}
JOB_TIMEOUT=${E2E_JOB_TIMEOUT:-300}
START_TIMEOUT=${E2E_START_TIMEOUT:-60}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Debian puts munged, slurmctld and slurmd in /usr/sbin, which a non-login
# shell (CI) may not have on its PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

T0=$SECONDS
log() { printf '[slurm-e2e %4ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() {
    log "ERROR: $*"
    FAILED=1
    exit 1
}

# Nothing from an enclosing Slurm job (SLURM_ARRAY_TASK_ID would turn the
# single-machine sweep into a shard) or the project's fault-injection hooks
# may leak into the runs or, through sbatch's --export=ALL, into the jobs.
while read -r v; do
    unset "$v"
done < <(compgen -e | grep -E '^(SLURM_|SBATCH_|SQUEUE_|SINFO_|ARMSMARKET_TEST_)' || true)

[[ $(id -u) == 0 ]] || die "run as root: slurmd must start jobs as root here"
# Seen on a shared machine: a regular file in place of /dev/null breaks
# apt-get update (apt-key) and much else, in confusing ways.
[[ -c /dev/null ]] || die "/dev/null is not a character device; restore it first (as root: rm -f /dev/null && mknod -m 666 /dev/null c 1 3)"
[[ $SHARDS =~ ^[1-9][0-9]*$ ]] || die "E2E_SHARDS=$SHARDS: want a whole number >= 1"

# State the exit trap needs; set before anything can fail.
TMP=""
FAILED=0
MUNGED_PID=""
SLURMCTLD_PID=""
SLURMD_PID=""
POLICY_RC=""
JOB_IDS=()

stop_pid() { # stop_pid PID NAME: TERM, wait up to 10 s, then KILL
    local pid=$1 name=$2 i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name ($pid) did not stop on TERM; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

print_logs() {
    [[ -n $TMP && -d $TMP ]] || return 0
    local f
    {
        echo "================ diagnostics (temp dir $TMP) ================"
        if [[ -n $SLURMCTLD_PID ]] && kill -0 "$SLURMCTLD_PID" 2>/dev/null; then
            echo "---- sinfo"
            timeout 10 sinfo -N -l 2>&1 || true
            echo "---- squeue"
            timeout 10 squeue -l 2>&1 || true
            for id in "${JOB_IDS[@]}"; do
                echo "---- scontrol show job $id"
                timeout 10 scontrol show job "$id" 2>&1 || true
            done
        fi
        for f in "$TMP"/submit-*.sh "$TMP"/submit-*.out; do
            [[ -f $f ]] || continue
            echo "---- $f"
            cat "$f"
        done
        for f in "$TMP"/cluster/slurm-logs/*; do
            [[ -f $f ]] || continue
            echo "---- job log $f"
            tail -n 60 "$f"
        done
        for f in "$TMP"/slurm/slurmctld.log "$TMP"/slurm/slurmd.log \
            "$TMP"/slurm/slurmctld.out "$TMP"/slurm/slurmd.out \
            "$TMP"/munge/munged.log "$TMP"/munge/munged.out; do
            [[ -f $f ]] || continue
            echo "---- $f (last 80 lines)"
            tail -n 80 "$f"
        done
        echo "================ end of diagnostics ================"
    } >&2
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    if [[ $rc != 0 || $FAILED != 0 ]]; then
        print_logs
    fi
    # Cancel our jobs first: slurmstepd processes outlive slurmd.
    if [[ -n $SLURMCTLD_PID ]] && kill -0 "$SLURMCTLD_PID" 2>/dev/null; then
        if ((${#JOB_IDS[@]})); then
            timeout 10 scancel "${JOB_IDS[@]}" 2>/dev/null
            local i
            for i in $(seq 30); do
                [[ -z $(timeout 5 squeue -h -o %i 2>/dev/null) ]] && break
                sleep 0.5
            done
        fi
    fi
    stop_pid "$SLURMD_PID" slurmd
    stop_pid "$SLURMCTLD_PID" slurmctld
    stop_pid "$MUNGED_PID" munged
    if [[ -n $POLICY_RC ]]; then
        rm -f "$POLICY_RC"
    fi
    if [[ -n $TMP && -d $TMP ]]; then
        if [[ ${KEEP_TMP:-0} == 1 ]]; then
            log "kept $TMP"
        else
            rm -rf "$TMP"
        fi
    fi
    if [[ $rc == 0 && $FAILED != 0 ]]; then
        rc=1
    fi
    log "finished in $((SECONDS - T0)) s: $([[ $rc == 0 ]] && echo PASS || echo FAIL)"
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# ---------------------------------------------------------------- install
NEEDED=(munged munge unmunge slurmctld slurmd sbatch squeue sinfo scontrol scancel)
missing=()
for c in "${NEEDED[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if ((${#missing[@]})); then
    log "installing munge and Slurm (missing: ${missing[*]})"
    command -v apt-get >/dev/null || die "apt-get not found: install munge and Slurm (slurmctld, slurmd, slurm-client) yourself"
    # Keep the packages' maintainer scripts from starting system daemons
    # (munge, slurmctld, slurmd): this test runs its own, and nothing else
    # should be left running afterwards.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        POLICY_RC=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\n# temporary, from armsmarket scripts/slurm-e2e.sh\nexit 101\n' >"$POLICY_RC"
        chmod 755 "$POLICY_RC"
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-q -y -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    timeout 600 apt-get "${apt_opts[@]}" update || die "apt-get update failed"
    timeout 900 apt-get "${apt_opts[@]}" install --no-install-recommends \
        munge slurmctld slurmd slurm-client || die "apt-get install failed"
    if [[ -n $POLICY_RC ]]; then
        rm -f "$POLICY_RC"
        POLICY_RC=""
    fi
    for c in "${NEEDED[@]}"; do
        command -v "$c" >/dev/null 2>&1 || die "$c still missing after installing"
    done
else
    log "munge and Slurm already installed"
fi
log "$(slurmctld -V 2>&1 | head -n1), $(munged -V 2>&1 | head -n1)"

# ---------------------------------------------------------------- build
if [[ -n ${ARMSMARKET_BIN:-} ]]; then
    [[ -x $ARMSMARKET_BIN ]] || die "ARMSMARKET_BIN=$ARMSMARKET_BIN is not an executable"
    BIN=$(realpath "$ARMSMARKET_BIN")
else
    log "building: cargo build --release"
    command -v cargo >/dev/null || die "cargo not found (or set ARMSMARKET_BIN)"
    (cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
    BIN=$ROOT/target/release/armsmarket
fi
log "binary: $BIN"
T_BUILT=$SECONDS

# ---------------------------------------------------------------- temp dir
TMP=$(mktemp -d "${TMPDIR:-/tmp}/armsmarket-slurm-e2e.XXXXXX")
chmod 700 "$TMP"
mkdir -p "$TMP/munge" "$TMP/slurm/state" "$TMP/slurm/spool" "$TMP/single" "$TMP/cluster"
# munged wants its socket's directory searchable by all (the key inside
# stays 0400).
chmod 755 "$TMP/munge"
log "temp dir: $TMP"

# ---------------------------------------------------------------- munge
KEY=$TMP/munge/munge.key
SOCK=$TMP/munge/munge.socket
if command -v mungekey >/dev/null 2>&1; then
    mungekey --create --keyfile="$KEY" >/dev/null 2>&1 || true
fi
if [[ ! -s $KEY ]]; then
    dd if=/dev/urandom of="$KEY" bs=1 count=1024 status=none
fi
chmod 400 "$KEY"

log "starting munged"
# --force: munged refuses to run as root without it (and tolerates paths it
# would otherwise find too permissive).
munged --foreground --force --socket="$SOCK" --key-file="$KEY" \
    --pid-file="$TMP/munge/munged.pid" --log-file="$TMP/munge/munged.log" \
    --seed-file="$TMP/munge/munged.seed" >"$TMP/munge/munged.out" 2>&1 &
MUNGED_PID=$!
deadline=$((SECONDS + 20))
until [[ -S $SOCK ]] && munge -n -S "$SOCK" 2>/dev/null | unmunge -S "$SOCK" >/dev/null 2>&1; do
    kill -0 "$MUNGED_PID" 2>/dev/null || die "munged exited (see its log below)"
    ((SECONDS < deadline)) || die "munged did not answer on $SOCK within 20 s"
    sleep 0.2
done
log "munged is up (pid $MUNGED_PID)"

# ---------------------------------------------------------------- slurm.conf
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { # below the usual ephemeral range (32768-60999)
    local p i
    for i in $(seq 200); do
        p=$((20000 + RANDOM % 12000))
        [[ $p != "${1:-}" ]] && port_free "$p" && { echo "$p"; return 0; }
    done
    return 1
}
CTLD_PORT=$(pick_port) || die "no free port for slurmctld"
SLURMD_PORT=$(pick_port "$CTLD_PORT") || die "no free port for slurmd"
# slurmctld insists on running on a host named in SlurmctldHost (its short
# hostname); the address in brackets keeps everything on loopback, no DNS.
HOST=$(hostname -s 2>/dev/null || hostname)
# The node's CPU layout as slurmd sees it (CPUs=... ThreadsPerCore=...), so
# that it does not complain that the configuration differs from the
# hardware; RealMemory stays small whatever the machine has.
NCPU=$(nproc)
NODE_HW="CPUs=$NCPU"
if hw=$(timeout 20 slurmd -C 2>/dev/null | head -n1) \
    && [[ $hw =~ (CPUs=[0-9]+\ Boards=[0-9]+\ SocketsPerBoard=[0-9]+\ CoresPerSocket=[0-9]+\ ThreadsPerCore=[0-9]+) ]]; then
    NODE_HW=${BASH_REMATCH[1]}
    NCPU=$(sed -E 's/^CPUs=([0-9]+).*/\1/' <<<"$NODE_HW")
fi
CONF=$TMP/slurm/slurm.conf
S=$TMP/slurm
cat >"$CONF" <<EOF
# Written by armsmarket scripts/slurm-e2e.sh: a throwaway one-node cluster.
ClusterName=armsmarket-e2e
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# Finished jobs stay visible to scontrol long enough to read their states.
MinJobAge=900
# No DependencyParameters=kill_invalid_depend: the submission script itself
# asks Slurm to cancel a merge whose tasks failed (tested below).
MailProg=/bin/true
# Trust the node line below rather than the hardware slurmd detects.
SlurmdParameters=config_overrides
NodeName=$HOST NodeAddr=127.0.0.1 $NODE_HW RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$CONF

# ---------------------------------------------------------------- daemons
log "starting slurmctld (port $CTLD_PORT) and slurmd (port $SLURMD_PORT) on $HOST"
slurmctld -D -c -f "$CONF" >"$S/slurmctld.out" 2>&1 &
SLURMCTLD_PID=$!
deadline=$((SECONDS + START_TIMEOUT))
until timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; do
    kill -0 "$SLURMCTLD_PID" 2>/dev/null || die "slurmctld exited (see its log below)"
    ((SECONDS < deadline)) || die "slurmctld did not answer within $START_TIMEOUT s"
    sleep 0.5
done
slurmd -D -N "$HOST" -f "$CONF" >"$S/slurmd.out" 2>&1 &
SLURMD_PID=$!
until [[ $(timeout 5 sinfo -h -N -n "$HOST" -o %T 2>/dev/null) == idle ]]; do
    kill -0 "$SLURMCTLD_PID" 2>/dev/null || die "slurmctld exited (see its log below)"
    kill -0 "$SLURMD_PID" 2>/dev/null || die "slurmd exited (see its log below)"
    ((SECONDS < deadline)) || die "node $HOST not idle within $START_TIMEOUT s (state: $(timeout 5 sinfo -h -N -o %T 2>&1 || true))"
    sleep 0.5
done
log "cluster up: node $HOST idle with $NCPU CPUs"
T_CLUSTER=$SECONDS

# ---------------------------------------------------------------- sweeps
# The shipped small sweep (16 points: equal shards) and a toy sweep whose 10
# points split unevenly (3,3,2,2 for 4 shards).
# Both are shipped: a missing one is a failure, not a reason to skip.
for f in scenarios/sweeps/small.toml scenarios/toy.toml tests/data/calibration_shards.toml; do
    [[ -f $ROOT/$f ]] || die "$f is missing: the test needs it"
done
SWEEPS=("$ROOT/scenarios/sweeps/small.toml")
{
    cat >"$TMP/e2e_toy.toml" <<EOF
# Written by scripts/slurm-e2e.sh: 10 points split unevenly over the shards.
base = "$ROOT/scenarios/toy.toml"
name = "e2e_toy"

[sweep]
design = "lhs"
points = 10
replications = 3
seed = 11

[sweep.parameters]
"preferences.default.delivery" = { min = 0.2, max = 2.0 }
"suppliers.korea_land.lines.k2.capacity" = { min = 3.0, max = 20.0 }
EOF
    SWEEPS+=("$TMP/e2e_toy.toml")
}

NAMES=()
for file in "${SWEEPS[@]}"; do
    before=$(ls -1 "$TMP/single")
    log "single-machine sweep: $file"
    timeout 300 "$BIN" sweep "$file" --out "$TMP/single" --quiet \
        || die "armsmarket sweep $file failed"
    name=$(comm -13 <(echo "$before") <(ls -1 "$TMP/single") | head -n1)
    [[ -n $name && -f $TMP/single/$name/manifest.json ]] \
        || die "armsmarket sweep $file wrote no $TMP/single/<name>/manifest.json"
    NAMES+=("$name")
done
T_SINGLE=$SECONDS

# submit SCRIPT: runs a submission script `armsmarket slurm` printed and sets
# `a` and `m` to its array and merge job ids.
submit() {
    log "submitting: bash $1"
    (cd "$TMP" && timeout 60 bash "$1") >"$1.out" 2>&1 \
        || die "the submission script $1 failed: $(cat "$1.out")"
    # "array job 12 (4 shards), merge job 13 -> DIR"
    a="" m=""
    read -r a m < <(sed -nE 's/^array job ([0-9]+) .*merge job ([0-9]+) .*/\1 \2/p' "$1.out") || true
    [[ -n ${a:-} && -n ${m:-} ]] || die "cannot find the job ids in the output of $1"
    JOB_IDS+=("$a" "$m")
}

# Submit every sweep before waiting, so their jobs share the cluster.
declare -A ARRAY_JOB MERGE_JOB
for i in "${!SWEEPS[@]}"; do
    file=${SWEEPS[$i]} name=${NAMES[$i]}
    sub=$TMP/submit-$name.sh
    "$BIN" slurm "$file" --shards "$SHARDS" --cpus-per-task 1 --time 00:10:00 \
        --partition debug --out "$TMP/cluster" >"$sub" \
        || die "armsmarket slurm $file failed"
    submit "$sub"
    ARRAY_JOB[$name]=$a
    MERGE_JOB[$name]=$m
    log "$name: array job $a ($SHARDS tasks), merge job $m"
done

# States of every record of the given jobs (an array job has one per task).
# `scontrol show job` takes one id at a time.
show_jobs() {
    local id
    for id in "$@"; do
        timeout 10 scontrol -o show job "$id" 2>/dev/null || true
    done
}
job_states() {
    show_jobs "$@" | { grep -oE 'JobState=[A-Z_]+' || true; } | cut -d= -f2
}
TERMINAL='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$'
# wait_jobs ID...: until every record of these jobs is in a final state and
# nothing is queued, or JOB_TIMEOUT.
wait_jobs() {
    local deadline=$((SECONDS + JOB_TIMEOUT)) last="" states
    log "waiting for jobs $* (timeout $JOB_TIMEOUT s)"
    while :; do
        kill -0 "$SLURMCTLD_PID" 2>/dev/null || die "slurmctld exited while the jobs ran"
        kill -0 "$SLURMD_PID" 2>/dev/null || die "slurmd exited while the jobs ran"
        states=$(job_states "$@" | sort | uniq -c | tr -s ' \n' ' ')
        if [[ $states != "$last" ]]; then
            log "job states:$states"
            last=$states
        fi
        if [[ -n $states ]] && ! job_states "$@" | grep -qvE "$TERMINAL" \
            && [[ -z $(timeout 10 squeue -h -o %i 2>/dev/null) ]]; then
            return 0
        fi
        ((SECONDS < deadline)) || die "jobs $* did not finish within $JOB_TIMEOUT s (states:$states)"
        sleep 1
    done
}
wait_jobs "${JOB_IDS[@]}"
T_JOBS=$SECONDS

# ---------------------------------------------------------------- checks
NPASS=0 NFAIL=0
pass() {
    printf 'PASS: %s\n' "$*"
    NPASS=$((NPASS + 1))
}
fail() {
    printf 'FAIL: %s\n' "$*"
    NFAIL=$((NFAIL + 1))
    FAILED=1
}

for name in "${NAMES[@]}"; do
    a=${ARRAY_JOB[$name]} m=${MERGE_JOB[$name]}
    bad=$(show_jobs "$a" "$m" \
        | grep -vE 'JobState=COMPLETED .*ExitCode=0:0' | grep -oE '^JobId=[0-9]+( ArrayJobId=[0-9]+ ArrayTaskId=[0-9]+)?|JobState=[A-Z_]+|ExitCode=[0-9:]+' \
        | paste -sd' ' || true)
    n_done=$(show_jobs "$a" | grep -cE 'JobState=COMPLETED .*ExitCode=0:0' || true)
    if [[ -z $bad && $n_done == "$SHARDS" ]]; then
        pass "$name: $SHARDS array tasks and the merge job completed with exit code 0"
    else
        fail "$name: jobs not all completed ($n_done of $SHARDS array tasks completed; others: ${bad:-none})"
    fi

    single=$TMP/single/$name
    cluster=$TMP/cluster/$name
    if ((SHARDS > 1)); then
        for k in $(seq "$SHARDS"); do
            [[ -f $cluster.shards/shard-$k-of-$SHARDS/manifest.json ]] \
                || fail "$name: shard $k/$SHARDS wrote no manifest ($cluster.shards/shard-$k-of-$SHARDS)"
        done
        if grep -q '"command": *"merge"' "$cluster/manifest.json" 2>/dev/null; then
            pass "$name: merged manifest $cluster/manifest.json"
        else
            fail "$name: no merged manifest at $cluster/manifest.json"
        fi
    fi
    # Every data file of the single run, at least these three, must be in
    # the merged result, identical; and the merge must have no extra ones.
    files=$( (cd "$single" && ls -1 -- *.csv 2>/dev/null; printf '%s\n' points.csv runs.csv bands.csv) | sort -u)
    for f in $files; do
        if [[ ! -f $single/$f ]]; then
            fail "$name/$f: missing from the single-machine run"
        elif [[ ! -f $cluster/$f ]]; then
            fail "$name/$f: missing from the Slurm run ($cluster)"
        elif cmp -s "$single/$f" "$cluster/$f"; then
            pass "$name/$f: identical ($(wc -l <"$single/$f") lines)"
        else
            fail "$name/$f: differs: $(cmp "$single/$f" "$cluster/$f" 2>&1 | head -n1)"
            diff <(head -n 20 "$single/$f") <(head -n 20 "$cluster/$f") | head -n 20 >&2 || true
        fi
    done
    for f in "$cluster"/*.csv; do
        [[ -f $f ]] || continue
        [[ -f $single/$(basename "$f") ]] || fail "$name/$(basename "$f"): only in the Slurm run"
    done
done

# ----------------------------------------- a failed task, then the script again
# A task that fails must get its merge job cancelled (the script asks for it
# with --kill-on-invalid-dep; this cluster's configuration does not), not
# left pending; and the same script run again must finish the sweep. Shard 2's
# work folder holds a file no batch writes, so that task refuses it (exit
# code 2) until the file is removed.
{
    name=${NAMES[1]}
    fout=$TMP/failing
    sub=$TMP/submit-failing.sh
    "$BIN" slurm "${SWEEPS[1]}" --shards 2 --cpus-per-task 1 --time 00:10:00 \
        --partition debug --out "$fout" >"$sub" \
        || die "armsmarket slurm ${SWEEPS[1]} failed"
    stray=$fout/$name.shards/.shard-2-of-2.partial/stray.txt
    mkdir -p "$(dirname "$stray")"
    echo "not armsmarket's" >"$stray"
    submit "$sub"
    wait_jobs "$a" "$m"
    merge_state=$(job_states "$m" | head -n1)
    failed_tasks=$(show_jobs "$a" | grep -cE 'JobState=FAILED' || true)
    if [[ $merge_state == CANCELLED && $failed_tasks == 1 ]]; then
        pass "failed task: its merge job was cancelled, not left pending"
    else
        fail "failed task: merge job $m is ${merge_state:-unknown} with $failed_tasks failed task(s); want CANCELLED and 1"
    fi
    rm -f -- "$stray"
    submit "$sub"
    wait_jobs "$a" "$m"
    if [[ $(job_states "$m" | head -n1) == COMPLETED ]] \
        && cmp -s "$TMP/single/$name/runs.csv" "$fout/$name/runs.csv"; then
        pass "failed task: the script run again finished the sweep (runs.csv identical)"
    else
        fail "failed task: the script run again did not finish the sweep as one machine does (merge job $m: $(job_states "$m" | head -n1))"
    fi
}

# ------------------------------------------------- a sharded calibration
# The README's loop for a calibration: per round, an array job of shards
# (`sbatch --wait`, each shard's slice from the array variables), then
# `--join`, again while the join says a round is due (exit code 3). The
# result must be the bytes of one machine's run.
{
    CAL=$TMP/e2e_calibration.toml
    sed "s|^base = .*|base = \"$ROOT/scenarios/toy.toml\"|" \
        "$ROOT/tests/data/calibration_shards.toml" >"$CAL"
    log "calibration on one machine: $CAL"
    timeout 300 "$BIN" calibrate "$CAL" --out "$TMP/single" --quiet \
        || die "armsmarket calibrate $CAL failed"
    # `reported`: the loop already failed the test (a round's shards, or
    # too many rounds); otherwise the last join's exit code is judged below,
    # whatever it is (1, a join's own error, included).
    rounds=0 rc=0 reported=0
    while :; do
        timeout 300 sbatch --wait --quiet --array=0-$((SHARDS - 1)) --partition debug \
            --cpus-per-task 1 --time 00:10:00 \
            --output "$TMP/cluster/slurm-logs/calibration-%A_%a.out" \
            --wrap "exec $BIN calibrate $CAL --out $TMP/cluster --quiet" \
            || { fail "calibration: the shards of round $((rounds + 1)) did not all succeed"; reported=1; break; }
        rc=0
        timeout 300 "$BIN" calibrate "$CAL" --out "$TMP/cluster" --join --quiet || rc=$?
        rounds=$((rounds + 1))
        [[ $rc == 3 ]] || break
        ((rounds < 100)) || { fail "calibration: still joining after 100 rounds"; reported=1; break; }
    done
    log "calibration: $rounds rounds of $SHARDS shards, last join exit code $rc"
    if ((reported)); then
        :
    elif [[ $rc == 0 ]]; then
        pass "calibration: $rounds rounds of $SHARDS Slurm shards joined, exit code 0"
        for f in generations.csv posterior.csv posterior_summary.csv model_probabilities.csv predictive.csv; do
            if cmp -s "$TMP/single/calibration_shards/$f" "$TMP/cluster/calibration_shards/$f"; then
                pass "calibration/$f: identical ($(wc -l <"$TMP/single/calibration_shards/$f") lines)"
            else
                fail "calibration/$f: differs or missing in $TMP/cluster/calibration_shards"
            fi
        done
    else
        fail "calibration: the join ended with exit code $rc"
    fi
}

log "timings: build/install $((T_BUILT - T0)) s, cluster start $((T_CLUSTER - T_BUILT)) s, single sweeps $((T_SINGLE - T_CLUSTER)) s, Slurm jobs $((T_JOBS - T_SINGLE)) s"
if [[ $FAILED != 0 ]]; then
    echo "slurm-e2e: FAIL"
    echo "slurm-e2e: $NPASS passed, $NFAIL failed"
    exit 1
fi
echo "slurm-e2e: PASS"
echo "slurm-e2e: $NPASS passed, $NFAIL failed"
