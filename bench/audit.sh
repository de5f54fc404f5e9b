#!/bin/bash
# Audit part of the bench: run by bench/run.sh as
#   unshare --net bench/audit.sh HUSK TIMEIT WORK OUT
# in a network namespace of its own (husk0 and its nftables table stay there).
# With BENCH_AUDIT_CONTAINERS (20) containers running on the default bridge:
#  - "audit": a full `husk audit` (namespaces, every shared table, risks) with the
#    sysctl classification cached (target < 1 s, median);
#  - "refresh": the same with --refresh, so the classification experiment runs again
#    (every /proc/sys key probed in scratch namespaces of each type): the first run's cost.
set -euo pipefail
husk=$1 timeit=$2 work=$3 out=$4
count=${BENCH_AUDIT_CONTAINERS:-20}
runs=${BENCH_AUDIT_RUNS:-20}
export HUSK_ROOT=$work/husk-root-audit
mkdir -p "$HUSK_ROOT"
ip link set lo up

echo
echo "== husk audit with $count running containers ($runs runs each, interleaved)"
for i in $(seq "$count"); do
    "$husk" run -d --name "audit-$i" busybox sleep 100000 >/dev/null
done
"$husk" audit >/dev/null # the first classification, cached from here on
"$timeit" -n "$runs" -w 2 -o "$out/raw-audit.csv" \
    "audit=$husk audit" "refresh=$husk audit --refresh" | tee "$work/audit.txt"
"$husk" rm -f $("$husk" ps -aq) >/dev/null

audit=$(awk '$1 == "audit" { print $2 }' "$work/audit.txt")
refresh=$(awk '$1 == "refresh" { print $2 }' "$work/audit.txt")
echo
echo "== audit targets (medians)"
awk -v a="$audit" -v n="$count" 'BEGIN { printf "%-34s %8.2f ms  (target < 1000 ms)  %s\n", "husk audit, " n " containers", a, (a < 1000 ? "PASS" : "MISS") }'
awk -v r="$refresh" 'BEGIN { printf "sysctl classification (--refresh):  %8.2f ms (no target)\n", r }'
