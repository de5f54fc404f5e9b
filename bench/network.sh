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
#     has no iperf3), vs host -> a namespace on a bare veth pair (the target's reference)
#     and on a bridge made by hand with ip(8) (what husk adds beyond the kernel's bridge);
#     30 rounds of 1 s per path, rotating; median of the per-round ratios with a 95%
#     bootstrap interval (target >= 0.95x).
set -euo pipefail
husk=$1 timeit=$2 work=$3 out=$4
runs=${BENCH_NET_RUNS:-100}
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
"$timeit" -n "$((runs / 5 > 10 ? runs / 5 : 10))" -w 2 -o "$out/raw-network-cold.csv" -p \
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
echo "== iperf3 TCP, host -> container over husk0, vs a bare veth pair and a hand-made bridge"
"$husk" run -d --name bench-iperf busybox sleep 100000 >/dev/null
container_pid=$("$husk" inspect -f '{{.State.Pid}}' bench-iperf)
container_ip=$("$husk" inspect -f '{{.NetworkSettings.IPAddress}}' bench-iperf)
nsenter --net --target "$container_pid" iperf3 -s -D -p 5201 --logfile "$work/iperf-husk.log"
# peer_namespace HOST_END ADDRESS: a namespace holding eth0 (ADDRESS/24) on a veth pair
# whose host end is HOST_END, running an iperf3 server; prints its holder's PID.
peer_namespace() {
    local holder
    unshare --net sleep 100000 </dev/null >/dev/null 2>&1 &
    holder=$!
    until [ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
    ip link add "$1" type veth peer name eth0 netns "$holder"
    nsenter --net --target "$holder" ip addr add "$2/24" dev eth0
    nsenter --net --target "$holder" ip link set eth0 up
    nsenter --net --target "$holder" ip link set lo up
    nsenter --net --target "$holder" iperf3 -s -D -p 5201 --logfile "$work/iperf-$1.log"
    echo "$holder"
}
# The reference the target names: a bare veth pair, host end addressed, no bridge.
veth_holder=$(peer_namespace bench-veth0 10.199.0.2)
ip addr add 10.199.0.1/24 dev bench-veth0
ip link set bench-veth0 up
# A second reference: the same kernel bridge made by hand (ip link), no husk involved.
# husk vs this one is what husk itself adds; this one vs the bare pair is the bridge's cost.
bridge_holder=$(peer_namespace bench-veth1 10.198.0.2)
ip link add bench-br0 type bridge
ip addr add 10.198.0.1/24 dev bench-br0
ip link set bench-br0 up
ip link set bench-veth1 master bench-br0 up
sleep 0.5
# Client on CPU 0, server on CPU 1: without pinning, single rounds on 2 CPUs range 11-21 Gbit/s.
gbits() { iperf3 -c "$1" -p 5201 -t 1 -A 0,1 -J | awk -F':' '/"sum_received"/ { f = 1 } f && /"bits_per_second"/ { gsub(/[ \t,]/, "", $2); printf "%.2f\n", $2 / 1e9; exit }'; }
# interval: reads ratios, prints "MEDIAN LOW HIGH": their median and a 95% bootstrap
# interval of that median (2000 resamples), so a reader sees how far the noise reaches.
interval() {
    awk 'function med(a, n,   i, j, t) {
             for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
             return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
         { v[NR] = $1 }
         END { srand(5201); n = NR
               for (i = 1; i <= n; i++) c[i] = v[i]; m = med(c, n)
               for (b = 1; b <= 2000; b++) { for (i = 1; i <= n; i++) c[i] = v[int(rand() * n) + 1]; s[b] = med(c, n) }
               med(s, 2000); printf "%.3f %.3f %.3f\n", m, s[50], s[1951] }'
}
# rounds LABEL: BENCH_IPERF_ROUNDS (30) rounds; each round measures the three paths for 1 s
# each, back to back, in an order that rotates so a drift of the machine favours none. The
# statistic is the median of the per-round ratios (each pair measured within 3 s), not a
# ratio of medians, because single 1 s rates on this 2-CPU VM swing by +-30% (3 s rounds
# swing as much: measured 10-18 Gbit/s). Sets ratio, low, high (husk / bare veth).
rounds() {
    local husk_rates=() veth_rates=() hand_rates=() ratios=() hand_ratios=() kernel_ratios=() round h v b
    for round in $(seq "${BENCH_IPERF_ROUNDS:-30}"); do
        case $((round % 3)) in
        0) h=$(gbits "$container_ip") v=$(gbits 10.199.0.2) b=$(gbits 10.198.0.2) ;;
        1) v=$(gbits 10.199.0.2) b=$(gbits 10.198.0.2) h=$(gbits "$container_ip") ;;
        2) b=$(gbits 10.198.0.2) h=$(gbits "$container_ip") v=$(gbits 10.199.0.2) ;;
        esac
        husk_rates+=("$h") veth_rates+=("$v") hand_rates+=("$b")
        ratios+=("$(awk -v h="$h" -v v="$v" 'BEGIN { printf "%.4f\n", h / v }')")
        hand_ratios+=("$(awk -v h="$h" -v b="$b" 'BEGIN { printf "%.4f\n", h / b }')")
        kernel_ratios+=("$(awk -v b="$b" -v v="$v" 'BEGIN { printf "%.4f\n", b / v }')")
    done
    echo "$1, medians of ${#ratios[@]} rounds: husk bridge $(printf '%s\n' "${husk_rates[@]}" | median)," \
        "bare veth $(printf '%s\n' "${veth_rates[@]}" | median)," \
        "hand-made bridge $(printf '%s\n' "${hand_rates[@]}" | median) Gbit/s"
    read -r ratio low high < <(printf '%s\n' "${ratios[@]}" | interval)
    read -r hand_ratio hand_low hand_high < <(printf '%s\n' "${hand_ratios[@]}" | interval)
    read -r kernel_ratio kernel_low kernel_high < <(printf '%s\n' "${kernel_ratios[@]}" | interval)
    echo "  husk/bare veth $ratio (95% interval $low-$high); husk/hand-made bridge $hand_ratio ($hand_low-$hand_high);" \
        "hand-made bridge/bare veth $kernel_ratio ($kernel_low-$kernel_high): the kernel bridge's own cost"
}
# With br_netfilter loaded (docker loads it) every frame crossing any bridge also runs the
# IPv4 netfilter hooks, a cost a bare veth pair never pays. The setting is per network
# namespace: measure as this host has it, then with it off in this bench namespace only.
bridge_nf=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo absent)
rounds "bridge-nf-call-iptables=$bridge_nf"
host_ratio=$ratio host_low=$low host_high=$high
if [ "$bridge_nf" = 1 ]; then
    echo 0 >/proc/sys/net/bridge/bridge-nf-call-iptables
    rounds "bridge-nf-call-iptables=0"
fi
pkill -f "iperf3 -s -D -p 5201" || true
kill "$veth_holder" "$bridge_holder"
ip link del bench-br0
"$husk" rm -f bench-iperf >/dev/null

echo
echo "== network targets (medians)"
awk -v b="$bridge" -v n="$none" 'BEGIN { d = b - n; printf "%-34s %8.2f ms  (target <= 3 ms)  %s\n", "network attach (bridge - none)", d, (d <= 3 ? "PASS" : "MISS") }'
awk -v b="$cold" -v n="$cold_none" 'BEGIN { printf "first container (bridge-cold - none): %.2f ms (no target)\n", b - n }'
target() { awk -v n="$1" -v r="$2" -v l="$3" -v h="$4" 'BEGIN { printf "%-34s %8.2fx    (target >= 0.95x)  %s  (95%% interval %.2f-%.2f)\n", "iperf3 husk/veth (" n ")", r, (r >= 0.95 ? "PASS" : "MISS"), l, h }'; }
target "br-nf $bridge_nf" "$host_ratio" "$host_low" "$host_high"
[ "$bridge_nf" != 1 ] || target "br-nf 0" "$ratio" "$low" "$high"
