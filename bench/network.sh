#!/bin/bash
# Network part of the bench: run by bench/run.sh as
#   unshare --net bench/network.sh HUSK TIMEIT WORK OUT
# inside a network namespace of its own, so husk0, the veth pairs, husk's nftables table
# and ip_forward never touch the host's network, and no packet leaves that namespace.
#
#  1. attach: `husk run --rm busybox true` on the default bridge vs `--network none`,
#     interleaved, while one idle container keeps husk0 up (per-container cost, as on a
#     host where the bridge exists); the median difference is the network attach time
#     (target <= 3 ms). Also "bridge-cold": the same with no other container, so each run
#     creates and removes husk0 and husk's table (the first container's cost).
#  2. throughput: iperf3 TCP, host -> container over husk's bridge and veth (iperf3 -s
#     in the container's network namespace, the host's binary through nsenter: busybox
#     has no iperf3), vs host -> a namespace on a hand-made veth pair (no bridge, no nft
#     table); 30 rounds of 1 s per path, alternating; median of the per-round ratios (target >= 0.95x).
set -euo pipefail
husk=$1 timeit=$2 work=$3 out=$4
runs=${BENCH_NET_RUNS:-30}
export HUSK_ROOT=$work/husk-root-net
mkdir -p "$HUSK_ROOT"
ip link set lo up

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
row_median() { awk -v l="$1" '$1 == l { print $2 }' "$2"; }

echo
echo "== network attach: run --rm busybox true, bridge vs --network none ($runs runs each, interleaved)"
"$husk" run -d --name bench-keeper busybox sleep 100000 >/dev/null
"$timeit" -n "$runs" -w 3 -o "$out/raw-network.csv" -p \
    "none=$husk run --rm --network none busybox true" \
    "bridge=$husk run --rm busybox true" | tee "$work/attach.txt"
"$husk" rm -f bench-keeper >/dev/null
echo
echo "== the same with no other container: each run makes and removes husk0 and the table"
"$timeit" -n "$((runs / 2 > 10 ? runs / 2 : 10))" -w 2 -o "$out/raw-network-cold.csv" -p \
    "none=$husk run --rm --network none busybox true" \
    "bridge-cold=$husk run --rm busybox true" | tee "$work/attach-cold.txt"
none=$(row_median none "$work/attach.txt") bridge=$(row_median bridge "$work/attach.txt")
cold_none=$(row_median none "$work/attach-cold.txt") cold=$(row_median bridge-cold "$work/attach-cold.txt")

if ! command -v iperf3 >/dev/null; then
    echo "iperf3 not installed: no throughput comparison"
    awk -v b="$bridge" -v n="$none" 'BEGIN { d = b - n; printf "%-34s %8.2f ms  (target <= 3 ms)  %s\n", "network attach (median difference)", d, (d <= 3 ? "PASS" : "MISS") }'
    exit 0
fi

echo
echo "== iperf3 TCP, 1 s rounds, host -> container over husk0 vs host -> namespace over a bare veth pair"
"$husk" run -d --name bench-iperf busybox sleep 100000 >/dev/null
container_pid=$("$husk" inspect -f '{{.State.Pid}}' bench-iperf)
container_ip=$("$husk" inspect -f '{{.NetworkSettings.IPAddress}}' bench-iperf)
nsenter --net --target "$container_pid" iperf3 -s -D -p 5201 --logfile "$work/iperf-husk.log"
unshare --net sleep 100000 </dev/null >/dev/null 2>&1 &
peer=$!
until [ "$(readlink /proc/$peer/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
ip link add bench-veth0 type veth peer name eth0 netns "$peer"
ip addr add 10.199.0.1/24 dev bench-veth0
ip link set bench-veth0 up
nsenter --net --target "$peer" ip addr add 10.199.0.2/24 dev eth0
nsenter --net --target "$peer" ip link set eth0 up
nsenter --net --target "$peer" ip link set lo up
nsenter --net --target "$peer" iperf3 -s -D -p 5201 --logfile "$work/iperf-veth.log"
sleep 0.5
# Client on CPU 0, server on CPU 1: without pinning, single rounds on 2 CPUs range 11-21 Gbit/s.
gbits() { iperf3 -c "$1" -p 5201 -t 1 -A 0,1 -J | awk -F':' '/"sum_received"/ { f = 1 } f && /"bits_per_second"/ { gsub(/[ \t,]/, "", $2); printf "%.2f\n", $2 / 1e9; exit }'; }
# rounds LABEL: BENCH_IPERF_ROUNDS (30) rounds of 1 s per path, back to back, the order
# alternating so a drift of the machine favours neither; the statistic is the median of
# the per-round ratios (each pair measured within 2 s), not a ratio of medians, because
# single 1 s rates on this kind of 2-CPU VM swing by +-30%. Sets ratio, husk_rate, veth_rate.
rounds() {
    local husk_rates=() veth_rates=() ratios=() round h v
    for round in $(seq "${BENCH_IPERF_ROUNDS:-30}"); do
        if [ $((round % 2)) = 1 ]; then
            h=$(gbits "$container_ip") v=$(gbits 10.199.0.2)
        else
            v=$(gbits 10.199.0.2) h=$(gbits "$container_ip")
        fi
        husk_rates+=("$h") veth_rates+=("$v")
        ratios+=("$(awk -v h="$h" -v v="$v" 'BEGIN { printf "%.4f\n", h / v }')")
    done
    husk_rate=$(printf '%s\n' "${husk_rates[@]}" | median)
    veth_rate=$(printf '%s\n' "${veth_rates[@]}" | median)
    ratio=$(printf '%s\n' "${ratios[@]}" | median)
    echo "$1: median husk bridge $husk_rate Gbit/s, bare veth $veth_rate Gbit/s, median per-round ratio $ratio (${#ratios[@]} rounds)"
}
# With br_netfilter loaded (docker loads it) every frame crossing any bridge also runs the
# IPv4 netfilter hooks, a cost a bare veth pair never pays. The setting is per network
# namespace: measure as this host has it, then with it off in this bench namespace only.
bridge_nf=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo absent)
rounds "bridge-nf-call-iptables=$bridge_nf"
host_ratio=$ratio
if [ "$bridge_nf" = 1 ]; then
    echo 0 >/proc/sys/net/bridge/bridge-nf-call-iptables
    rounds "bridge-nf-call-iptables=0"
fi
pkill -f "iperf3 -s -D -p 5201" || true
kill "$peer"
"$husk" rm -f bench-iperf >/dev/null

echo
echo "== network targets (medians)"
awk -v b="$bridge" -v n="$none" 'BEGIN { d = b - n; printf "%-34s %8.2f ms  (target <= 3 ms)  %s\n", "network attach (bridge - none)", d, (d <= 3 ? "PASS" : "MISS") }'
awk -v b="$cold" -v n="$cold_none" 'BEGIN { printf "first container (bridge-cold - none): %.2f ms (no target)\n", b - n }'
awk -v r="$host_ratio" -v nf="$bridge_nf" 'BEGIN { printf "%-34s %8.2fx    (target >= 0.95x)  %s\n", "iperf3 bridge/veth (br-nf " nf ")", r, (r >= 0.95 ? "PASS" : "MISS") }'
[ "$bridge_nf" != 1 ] || awk -v r="$ratio" 'BEGIN { printf "%-34s %8.2fx    (target >= 0.95x)  %s\n", "iperf3 bridge/veth (br-nf 0)", r, (r >= 0.95 ? "PASS" : "MISS") }'
