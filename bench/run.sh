#!/bin/bash
# Container start+run+teardown latency: husk vs crun vs runc vs the clone3() floor; then
# detached containers (lifecycle.sh), networking (network.sh), audit (audit.sh) and images
# (images.sh: pull vs skopeo+umoci and podman).
#
#   bench/run.sh [HUSK]        (make bench runs: bench/run.sh build/husk)
#
# Also husk-oci against crun and runc on a bundle (oci.sh). Times
# `husk run --rm --network none busybox true` against `crun run` and `runc run` of an
# equivalent OCI bundle (same busybox rootfs, `crun spec` defaults, args ["true"]), and against
# bench/floor.c (one clone3() into new mnt/uts/ipc/pid/net/cgroup/time namespaces + exec true).
# Runs are paired and interleaved (husk, crun, runc, floor, husk, ...), each timed fork-to-reap
# with CLOCK_MONOTONIC by bench/timeit.c. Both C helpers are compiled here into a temp dir.
#
# Environment:
#   BENCH_RUNS=30       measured runs per runtime (20 or more for a meaningful median)
#   BENCH_WARMUP=3      warm-up rounds, not counted
#   BENCH_CGROUP_VIEW=v1
#       v1:   every runtime runs in a private mount namespace in which the cgroup2 mount at
#             /sys/fs/cgroup/unified is detached, so all of them see the same pure cgroup-v1
#             host (needed by crun 1.8, which refuses hybrid hosts).
#       host: husk, runc and floor run in a private mount namespace with the host's hybrid
#             view unchanged; only crun gets the v1 view.
#   BENCH_OUT=bench/out results.txt (the table) and raw.csv (every run) go there
#   BENCH_KEEP=1        keep the temp dir (bundle, state roots) for inspection
#
# Nothing is mounted in the host's mount namespace: timeit unshares a private one, and every
# mount made by the runtimes dies with it. Afterwards the script checks that no mount, cgroup,
# runtime state or process of the bench is left, and exits 1 if one is.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
husk=${1:-build/husk}
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}
view=${BENCH_CGROUP_VIEW:-v1}
out=${BENCH_OUT:-$here/out}
tag=hb$$

die() {
    echo "bench: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (namespaces, cgroups, mounts)"
case $runs in '' | *[!0-9]*) die "BENCH_RUNS must be a number" ;; esac
case $warmup in '' | *[!0-9]*) die "BENCH_WARMUP must be a number" ;; esac
[ "$runs" -ge 20 ] || echo "bench: warning: BENCH_RUNS=$runs (< 20): medians will be noisy" >&2
case $view in v1 | host) ;; *) die "BENCH_CGROUP_VIEW must be v1 or host" ;; esac
[ -x "$husk" ] || die "no husk binary at '$husk' (build it first: make)"
husk=$(cd "$(dirname "$husk")" && pwd)/$(basename "$husk")
command -v cc >/dev/null || die "cc not found"
[ -x /bin/busybox ] || die "/bin/busybox not found (package busybox-static)"
have_crun=0 have_runc=0
command -v crun >/dev/null && have_crun=1 || echo "bench: warning: crun not found, skipped" >&2
command -v runc >/dev/null && have_runc=1 || echo "bench: warning: runc not found, skipped" >&2

work=$(mktemp -d /tmp/husk-bench.XXXXXX)
export HUSK_ROOT=$work/husk-root
mkdir -p "$HUSK_ROOT" "$work/bin" "$work/bundle" "$work/crun-state" "$work/runc-state" "$out"

# Every cgroup directory, minus the per-session ones the machine's own supervisor creates and
# removes concurrently under memory/process_api (not ours to judge).
cgroup_dirs() {
    find /sys/fs/cgroup -mindepth 2 -type d 2>/dev/null |
        grep -Ev '^/sys/fs/cgroup/memory/process_api(/[0-9a-f]{32})?$' | sort || true
}
# Mount points at or below our temp dir, in the host's mount namespace.
our_mounts() {
    awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo
}
# Processes (not us) whose command line, root or cwd mentions the temp dir.
our_procs() {
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = $$ ] || [ "${p#/proc/}" = "$BASHPID" ] && continue
        # (a process may end meanwhile: its files vanish, silently)
        if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF "$work" ||
            readlink "$p/root" "$p/cwd" 2>/dev/null | grep -qF "$work"; then
            echo "${p#/proc/} $({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)"
        fi
    done
}

cgroup_dirs >"$work/cgroups.before"
case $(stat -f -c %T /sys/fs/cgroup 2>/dev/null) in
cgroup2*) host_cgroups="unified (v2)" ;;
*) if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    host_cgroups="hybrid (v1 + cgroup2 at /sys/fs/cgroup/unified)"
else
    host_cgroups="legacy (v1)"
fi ;;
esac
# The first child of the v1 cpuset root flips a kernel static key (text patching + IPIs,
# ~2 ms here); with no other child there, every runtime that creates and removes its own
# top-level cpuset dir pays it on every run.
cpuset_children=$(find /sys/fs/cgroup/cpuset -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
leaks=0
cleanup() {
    local rc=$? m
    set +e
    # Containers a runtime failed to delete (ours only: our state roots, our names).
    if [ $have_crun = 1 ]; then
        for c in $(crun --root "$work/crun-state" list -q 2>/dev/null); do
            echo "bench: LEAK: crun container $c left, deleting" >&2
            leaks=1
            crun --root "$work/crun-state" delete -f "$c" >/dev/null 2>&1
        done
    fi
    if [ $have_runc = 1 ]; then
        for c in $(runc --root "$work/runc-state" list -q 2>/dev/null); do
            echo "bench: LEAK: runc container $c left, deleting" >&2
            leaks=1
            runc --root "$work/runc-state" delete -f "$c" >/dev/null 2>&1
        done
    fi
    for d in containers names; do
        left=$(find "$HUSK_ROOT/$d" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null | cut -c1-300)
        if [ -n "$left" ]; then
            echo "bench: LEAK: husk state left in \$HUSK_ROOT/$d: $left" >&2
            leaks=1
        fi
    done
    procs=$(our_procs)
    if [ -n "$procs" ]; then
        echo "bench: LEAK: processes left (killing them):" >&2
        echo "$procs" >&2
        leaks=1
        echo "$procs" | cut -d' ' -f1 | xargs -r kill -KILL 2>/dev/null
    fi
    cgroup_dirs >"$work/cgroups.after"
    new_cg=$(comm -13 "$work/cgroups.before" "$work/cgroups.after")
    if [ -n "$new_cg" ]; then
        echo "bench: LEAK: cgroup directories left:" >&2
        echo "$new_cg" >&2
        leaks=1
        # Remove only the empty ones named after our crun/runc containers.
        echo "$new_cg" | grep -F "$tag-" | sort -r | xargs -r rmdir 2>/dev/null
    fi
    m=$(our_mounts)
    if [ -n "$m" ]; then
        echo "bench: LEAK: mounts left in the host namespace:" >&2
        echo "$m" >&2
        leaks=1
        echo "$m" | sort -r | xargs -r -n1 umount -l
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench: kept $work" >&2
    else
        rm -rf --one-file-system "$work"
    fi
    [ $leaks = 0 ] || rc=1
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cflags=(-O2 -Wall -Wextra)
cc "${cflags[@]}" -o "$work/bin/timeit" "$here/timeit.c" -lm
cc "${cflags[@]}" -o "$work/bin/floor" "$here/floor.c"
timeit=$work/bin/timeit

# Which labels see the v1-only view (see BENCH_CGROUP_VIEW).
if [ "$view" = v1 ]; then
    hide=(-u '*')
else
    hide=(-u crun)
fi

# One husk run creates its default busybox image in $HUSK_ROOT (run like the measured ones:
# in a private mount namespace with the same cgroup view).
husk_cmd="$husk run --rm --network none busybox true"
if ! "$timeit" -n 1 -w 0 "${hide[@]}" "husk=$husk_cmd" >/dev/null; then
    die "husk failed: $husk_cmd"
fi

# The OCI bundle for crun and runc: a copy of husk's image rootfs (so all three exec the same
# busybox), else an identical one built from /bin/busybox.
rootfs=$work/bundle/rootfs
if [ -d "$HUSK_ROOT/images/busybox/rootfs" ]; then
    cp -a "$HUSK_ROOT/images/busybox/rootfs" "$rootfs"
    rootfs_from="copy of husk's image"
else
    mkdir -p "$rootfs/bin" "$rootfs/etc"
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in $(/bin/busybox --list-full); do
        [ "$applet" = bin/busybox ] && continue
        mkdir -p "$rootfs/$(dirname "$applet")"
        ln -sf /bin/busybox "$rootfs/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
    echo 'root:x:0:' >"$rootfs/etc/group"
    rootfs_from="built from /bin/busybox (no husk image found)"
fi
[ -x "$rootfs/bin/busybox" ] || die "rootfs has no /bin/busybox"

# Default spec of crun (or runc), with only terminal, args and root.path changed.
if [ $have_crun = 1 ]; then
    (cd "$work/bundle" && crun spec)
elif [ $have_runc = 1 ]; then
    (cd "$work/bundle" && runc spec)
fi
if [ -f "$work/bundle/config.json" ]; then
    config=$work/bundle/config.json
    sed -i -e 's/"terminal": true/"terminal": false/' \
        -e '/"args": \[/,/\]/ s/"sh"/"true"/' \
        -e 's/"path": "[^"]*"/"path": "rootfs"/' "$config"
    grep -q '"terminal": false' "$config" || die "could not set process.terminal in $config"
    grep -A2 '"args": \[' "$config" | grep -q '"true"' || die "could not set process.args in $config"
    grep -q '"path": "rootfs"' "$config" || die "could not set root.path in $config"
fi

cmds=("husk=$husk_cmd")
[ $have_crun = 1 ] && cmds+=("crun=crun --root $work/crun-state run --bundle $work/bundle $tag-crun-%i")
[ $have_runc = 1 ] && cmds+=("runc=runc --root $work/runc-state run --bundle $work/bundle $tag-runc-%i")
cmds+=("floor=$work/bin/floor $rootfs/bin/busybox true")

{
    echo "# husk bench, $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# $("$husk" --version 2>/dev/null | head -1)"
    [ $have_crun = 1 ] && echo "# $(crun --version | head -1)"
    [ $have_runc = 1 ] && echo "# $(runc --version | head -1)"
    echo "# host cgroups: $host_cgroups; bench view: $view (v1: unified mount hidden for all; host: hidden for crun only)"
    [ -d /sys/fs/cgroup/cpuset ] && echo "# cpuset root had $cpuset_children child dir(s) at start (0: each run pays the cpuset static-key flip)"
    echo "# rootfs: $rootfs_from"
    echo "# husk:  $husk_cmd"
    echo "# floor: clone3(NEWNS|NEWUTS|NEWIPC|NEWPID|NEWNET|NEWCGROUP|NEWTIME) + exec busybox true + wait"
} | tee "$out/results.txt"
"$timeit" -n "$runs" -w "$warmup" -o "$out/raw.csv" "${hide[@]}" "${cmds[@]}" |
    tee "$work/run.txt" | tee -a "$out/results.txt"
if [ $have_crun = 1 ]; then
    awk '$1 == "husk" { h = $2 } $1 == "crun" { c = $2 } END {
        printf "%-34s %8.2fx  (target <= 0.6x)  %s\n", "run --rm husk/crun", h / c, (h / c <= 0.6 ? "PASS" : "MISS")
    }' "$work/run.txt" | tee -a "$out/results.txt"
fi

# Detached containers: start/remove, exec, monitor memory (bench/lifecycle.sh).
# shellcheck source=bench/lifecycle.sh
. "$here/lifecycle.sh"
lifecycle_bench | tee -a "$out/results.txt"
# The OCI face: husk-oci vs crun and runc on one bundle (bench/oci.sh).
# shellcheck source=bench/oci.sh
. "$here/oci.sh"
oci_bench | tee -a "$out/results.txt"
# Bridge networking: attach time and iperf3 throughput, in a network namespace of its own.
unshare --net "$here/network.sh" "$husk" "$timeit" "$work" "$out" | tee -a "$out/results.txt"
# husk audit with 20 containers, in a network namespace of its own too.
unshare --net "$here/audit.sh" "$husk" "$timeit" "$work" "$out" | tee -a "$out/results.txt"
# Images: pull vs skopeo+umoci and podman from a local registry, overlay depth, `images`.
unshare --net "$here/images.sh" "$husk" "$timeit" "$work" "$out" | tee -a "$out/results.txt"
echo "(tables: $out/results.txt, every run: $out/raw*.csv)"
