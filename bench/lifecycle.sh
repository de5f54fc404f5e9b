# Lifecycle part of the bench, sourced by bench/run.sh after its latency table, with its
# variables set: husk, timeit, work, out, tag, rootfs, config, hide, have_crun.
#
#  1. start: N detached `sleep` containers, one at a time, interleaved husk/crun
#     (`husk run -d --network none --name NAME busybox sleep 1000` vs
#     `crun run -d --bundle B NAME` of a bundle running `sleep 1000`), all left running;
#     then remove: the same containers, `husk rm -f NAME` vs `crun delete -f NAME`.
#     Per-container medians and p90 from timeit; the containers pile up to N of each.
#  2. exec: `husk exec C true` vs `crun exec C true`, E runs interleaved, into one running
#     container of each.
#  3. memory: proportional set size (Pss in /proc/PID/smaps_rollup) of the monitor of one idle
#     detached container, alone on the machine, median of 5 containers.
#  4. health: the same with `--health-cmd true --health-interval 1s` (issue 18): the monitor's
#     Pss between probes (median of 5), and the CPU its probes cost: the monitor's
#     utime+stime and its reaped children's (each probe's prober, and through it the probe
#     process in the container), over BENCH_HEALTH_WINDOW seconds (20), per hour.
# Then PASS/MISS against issue 14's targets (start <= 0.8x crun, exec <= 0.5x crun, monitor
# PSS <= 300 KiB, with a health check too).

lifecycle_count=${BENCH_LIFECYCLE_N:-100}
exec_runs=${BENCH_EXEC_RUNS:-50}
case $lifecycle_count$exec_runs in *[!0-9]*) die "BENCH_LIFECYCLE_N and BENCH_EXEC_RUNS must be numbers" ;; esac

# median_of LABEL TABLE_FILE: the median_ms column of LABEL's row in a timeit table.
median_of() {
    awk -v l="$1" '$1 == l { print $2 }' "$2"
}

# verdict NAME VALUE TARGET UNIT: PASS when VALUE <= TARGET.
verdict() {
    awk -v n="$1" -v v="$2" -v t="$3" -v u="$4" 'BEGIN {
        printf "%-34s %8.2f%s  (target <= %s%s)  %s\n", n, v, u, t, u, (v <= t ? "PASS" : "MISS")
    }'
}

# The bundle for crun's detached containers: the same rootfs, running `sleep 1000`.
lifecycle_bundle() {
    mkdir -p "$work/bundle-sleep"
    sed -e '/"args": \[/,/\]/ s/"true"/"sleep", "1000"/' \
        -e "s|\"path\": \"rootfs\"|\"path\": \"$rootfs\"|" "$config" >"$work/bundle-sleep/config.json"
    grep -q '"sleep", "1000"' "$work/bundle-sleep/config.json" || die "could not set the sleep args"
}

# monitor_pss_kib NAME: Pss of NAME's monitor (the parent of its PID 1), in KiB.
monitor_pss_kib() {
    local pid monitor
    pid=$("$husk" inspect -f '{{.State.Pid}}' "$1") || return 1
    monitor=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status") || return 1
    awk '/^(Pss|Pss_Anon|Pss_File|Rss):/ { printf "%s=%s ", $1, $2 } END { print "" }' \
        "/proc/$monitor/smaps_rollup"
}

lifecycle_start_remove() {
    local start_cmds=("husk=$husk run -d --network none --name $tag-husk-%i busybox sleep 1000")
    local remove_cmds=("husk=$husk rm -f $tag-husk-%i")
    if [ "$have_crun" = 1 ]; then
        start_cmds+=("crun=crun --root $work/crun-state run -d --bundle $work/bundle-sleep $tag-crun-%i")
        remove_cmds+=("crun=crun --root $work/crun-state delete -f $tag-crun-%i")
    fi
    # Same -n, -w and number of commands in both phases: "%i" gives the same names.
    echo
    echo "== start $lifecycle_count detached sleep containers (per container, all left running)"
    "$timeit" -n "$lifecycle_count" -w 3 -o "$out/raw-start.csv" "${hide[@]}" "${start_cmds[@]}" |
        tee "$work/start.txt"
    echo
    echo "== remove them (husk rm -f / crun delete -f, per container)"
    "$timeit" -n "$lifecycle_count" -w 3 -o "$out/raw-remove.csv" "${hide[@]}" "${remove_cmds[@]}" |
        tee "$work/remove.txt"
}

lifecycle_exec() {
    local cmds=("husk=$husk exec $tag-exec true")
    "$timeit" -n 1 -w 0 "${hide[@]}" \
        "husk=$husk run -d --network none --name $tag-exec busybox sleep 1000" >/dev/null ||
        die "could not start the husk container for exec"
    if [ "$have_crun" = 1 ]; then
        "$timeit" -n 1 -w 0 "${hide[@]}" \
            "crun=crun --root $work/crun-state run -d --bundle $work/bundle-sleep $tag-exec" >/dev/null ||
            die "could not start the crun container for exec"
        cmds+=("crun=crun --root $work/crun-state exec $tag-exec true")
    fi
    echo
    echo "== exec true into a running container ($exec_runs runs each)"
    "$timeit" -n "$exec_runs" -w 3 -o "$out/raw-exec.csv" "${hide[@]}" "${cmds[@]}" | tee "$work/exec.txt"
    "$husk" rm -f "$tag-exec" >/dev/null
    [ "$have_crun" = 1 ] && crun --root "$work/crun-state" delete -f "$tag-exec" >/dev/null
    return 0
}

lifecycle_memory() {
    local i name line values=()
    echo
    echo "== idle monitor memory (one detached container alone; 5 containers, one after another)"
    for i in 1 2 3 4 5; do
        name=$tag-pss-$i
        "$timeit" -n 1 -w 0 "${hide[@]}" \
            "husk=$husk run -d --network none --name $name busybox sleep 1000" >/dev/null ||
            die "could not start $name"
        sleep 0.5 # idle: past its start-up, waiting in poll()
        line=$(monitor_pss_kib "$name") || die "no monitor for $name"
        echo "monitor $i (KiB): $line"
        values+=("$(sed -n 's/.*Pss:=\([0-9]*\).*/\1/p' <<<"$line")")
        "$husk" rm -f "$name" >/dev/null
    done
    pss_median=$(printf '%s\n' "${values[@]}" | sort -n | sed -n 3p)
    echo "median monitor Pss: $pss_median KiB"
}

# monitor_of NAME: the PID of NAME's monitor (the parent of its PID 1).
monitor_of() {
    local pid
    pid=$("$husk" inspect -f '{{.State.Pid}}' "$1") || return 1
    awk '/^PPid:/ { print $2 }' "/proc/$pid/status"
}

# cpu_ticks PID: "SELF CHILDREN": utime+stime, and cutime+cstime of its reaped children.
cpu_ticks() {
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13, $14 + $15 }'
}

lifecycle_health() {
    local i name line values=() monitor before after window=${BENCH_HEALTH_WINDOW:-20}
    local flags="--health-cmd true --health-interval 1s"
    echo
    echo "== idle monitor with a health check ($flags; 5 containers, one after another)"
    for i in 1 2 3 4 5; do
        name=$tag-health-$i
        "$timeit" -n 1 -w 0 "${hide[@]}" \
            "husk=$husk run -d --network none --name $name $flags busybox sleep 1000" >/dev/null ||
            die "could not start $name"
        sleep 2.5 # two probes done, the third not yet begun: the monitor waits in poll()
        line=$(monitor_pss_kib "$name") || die "no monitor for $name"
        echo "monitor $i (KiB): $line health: $("$husk" inspect -f '{{.State.Health.Status}}' "$name")"
        values+=("$(sed -n 's/.*Pss:=\([0-9]*\).*/\1/p' <<<"$line")")
        if [ "$i" = 5 ]; then
            monitor=$(monitor_of "$name") || die "no monitor for $name"
            before=$(cpu_ticks "$monitor")
            sleep "$window"
            after=$(cpu_ticks "$monitor")
        fi
        "$husk" rm -f "$name" >/dev/null
    done
    health_pss_median=$(printf '%s\n' "${values[@]}" | sort -n | sed -n 3p)
    echo "median monitor Pss with a health check: $health_pss_median KiB"
    health_cpu_hour=$(awk -v b="$before" -v a="$after" -v w="$window" -v hz="$(getconf CLK_TCK)" '
        BEGIN {
            split(b, x, " "); split(a, y, " ")
            self = (y[1] - x[1]) / hz * 3600 / w; children = (y[2] - x[2]) / hz * 3600 / w
            printf "%.1f", self + children
        }')
    awk -v b="$before" -v a="$after" -v w="$window" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        split(b, x, " "); split(a, y, " ")
        self = (y[1] - x[1]) / hz * 3600 / w; children = (y[2] - x[2]) / hz * 3600 / w
        printf "health check CPU over %d s: monitor %d ticks, probers+probes %d ticks (%d Hz)\n", w, y[1] - x[1], y[2] - x[2], hz
        printf "health check CPU per hour: %.1f s (monitor %.1f s, probers+probes %.1f s) = %.3f%% of a CPU\n", self + children, self, children, (self + children) / 36
    }'
}

lifecycle_bench() {
    lifecycle_bundle
    lifecycle_start_remove
    lifecycle_exec
    lifecycle_memory
    lifecycle_health
    echo
    echo "== lifecycle targets (medians)"
    if [ "$have_crun" = 1 ]; then
        local h c
        h=$(median_of husk "$work/start.txt") c=$(median_of crun "$work/start.txt")
        verdict "start (run -d) husk/crun" "$(awk -v h="$h" -v c="$c" 'BEGIN { print h / c }')" 0.8 x
        h=$(median_of husk "$work/remove.txt") c=$(median_of crun "$work/remove.txt")
        echo "remove (rm -f) husk/crun: $(awk -v h="$h" -v c="$c" 'BEGIN { printf "%.2f", h / c }')x (no target)"
        h=$(median_of husk "$work/exec.txt") c=$(median_of crun "$work/exec.txt")
        verdict "exec true husk/crun" "$(awk -v h="$h" -v c="$c" 'BEGIN { print h / c }')" 0.5 x
    else
        echo "crun not installed: no start/exec ratios"
    fi
    verdict "idle monitor Pss" "$pss_median" 300 " KiB"
    verdict "idle monitor Pss, health check 1s" "$health_pss_median" 300 " KiB"
    echo "health check 1s CPU per hour: $health_cpu_hour s (no target)"
}
