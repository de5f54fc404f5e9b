# OCI runtime part of the bench, sourced by bench/run.sh after the lifecycle part, with its
# variables set: husk, timeit, work, out, tag, config, hide, have_crun, have_runc, runs,
# warmup, and lifecycle.sh's helpers (median_of, verdict) and bundle-sleep.
#
#  1. run: `husk-oci run` vs `crun run` vs `runc run` of the same bundle (busybox true,
#     `crun spec` defaults), interleaved.
#  2. cycle: create + start + delete of the same bundle, one shell line per runtime.
#  3. detached: N `run -d` of the sleep bundle, all left running, then `delete -f` of each.
#  4. peak RSS: GNU time's maximum resident set of one `run`, median of 10 each.
# Then PASS/MISS against issue 16's targets (run <= 0.5x crun, peak RSS <= crun's).

oci_detached=${BENCH_OCI_DETACHED:-100}
case $oci_detached in *[!0-9]*) die "BENCH_OCI_DETACHED must be a number" ;; esac

oci_runtimes() { # NAME=BINARY for each runtime present
    echo "husk=$(dirname "$husk")/husk-oci"
    [ "$have_crun" = 1 ] && echo "crun=crun"
    [ "$have_runc" = 1 ] && echo "runc=runc"
    return 0
}

oci_commands() { # TEMPLATE: with {bin} (the runtime), {root} (its state root), {name} (a prefix)
    local entry name binary line
    for entry in $(oci_runtimes); do
        name=${entry%%=*} binary=${entry#*=}
        mkdir -p "$work/oci-$name"
        line=${1//\{bin\}/$binary}
        line=${line//\{root\}/$work/oci-$name}
        line=${line//\{name\}/$tag-oci-$name}
        echo "$name=$line"
    done
}

oci_run_and_cycle() {
    local cmds=() line
    # timeit splits commands on blanks: the cycle is a script (the same shell for all).
    printf '#!/bin/sh\n"$1" --root "$2" create --bundle "$3" "$4" && "$1" --root "$2" start "$4" &&\n  exec "$1" --root "$2" delete -f "$4"\n' >"$work/bin/oci-cycle"
    chmod 755 "$work/bin/oci-cycle"
    while IFS= read -r line; do cmds+=("$line"); done < <(oci_commands "{bin} --root {root} run --bundle $work/bundle {name}-%i")
    echo
    echo "== OCI run of /bin/true: husk-oci vs crun vs runc ($runs runs each)"
    "$timeit" -n "$runs" -w "$warmup" -o "$out/raw-oci-run.csv" "${hide[@]}" "${cmds[@]}" |
        tee "$work/oci-run.txt"
    cmds=()
    while IFS= read -r line; do cmds+=("$line"); done < <(oci_commands "$work/bin/oci-cycle {bin} {root} $work/bundle {name}-c%i")
    echo
    echo "== OCI create + start + delete -f ($runs runs each)"
    "$timeit" -n "$runs" -w "$warmup" -o "$out/raw-oci-cycle.csv" "${hide[@]}" "${cmds[@]}" |
        tee "$work/oci-cycle.txt"
}

oci_detached_bench() {
    local start=() remove=() line
    while IFS= read -r line; do start+=("$line"); done < <(oci_commands "{bin} --root {root} run -d --bundle $work/bundle-sleep {name}-d%i")
    while IFS= read -r line; do remove+=("$line"); done < <(oci_commands "{bin} --root {root} delete -f {name}-d%i")
    echo
    echo "== OCI run -d of $oci_detached sleep containers each (all left running), then delete -f"
    "$timeit" -n "$oci_detached" -w 3 -o "$out/raw-oci-detach.csv" "${hide[@]}" "${start[@]}" |
        tee "$work/oci-detach.txt"
    "$timeit" -n "$oci_detached" -w 3 -o "$out/raw-oci-delete.csv" "${hide[@]}" "${remove[@]}" |
        tee "$work/oci-delete.txt"
}

# Peak RSS in KiB of one foreground run, median of 10 (GNU time, in the v1 view).
oci_peak_rss() {
    local entry name binary i values
    echo
    echo "== peak RSS of one OCI run (GNU time %M, median of 10)"
    for entry in $(oci_runtimes); do
        name=${entry%%=*} binary=${entry#*=}
        values=$(for i in $(seq 10); do
            "$timeit" -n 1 -w 0 "${hide[@]}" "$name=/usr/bin/time -f %M -o $work/rss-$name $binary --root $work/oci-$name run --bundle $work/bundle $tag-rss-$name-$i" >/dev/null &&
                cat "$work/rss-$name"
        done | sort -n | sed -n 5p)
        echo "$name $values KiB"
        eval "rss_$name=\$values"
    done
}

oci_bench() {
    oci_run_and_cycle
    oci_detached_bench
    oci_peak_rss
    echo
    echo "== OCI runtime targets (medians)"
    if [ "$have_crun" = 1 ]; then
        local h c r
        h=$(median_of husk "$work/oci-run.txt") c=$(median_of crun "$work/oci-run.txt")
        verdict "husk-oci run / crun run" "$(awk -v h="$h" -v c="$c" 'BEGIN { print h / c }')" 0.5 x
        h=$(median_of husk "$work/oci-cycle.txt") c=$(median_of crun "$work/oci-cycle.txt")
        verdict "create+start+delete husk/crun" "$(awk -v h="$h" -v c="$c" 'BEGIN { print h / c }')" 0.5 x
        h=$(median_of husk "$work/oci-detach.txt") c=$(median_of crun "$work/oci-detach.txt")
        verdict "run -d husk/crun" "$(awk -v h="$h" -v c="$c" 'BEGIN { print h / c }')" 0.5 x
        if [ "$have_runc" = 1 ]; then
            r=$(median_of runc "$work/oci-run.txt") h=$(median_of husk "$work/oci-run.txt")
            echo "husk-oci run / runc run: $(awk -v h="$h" -v r="$r" 'BEGIN { printf "%.2f", h / r }')x (no target)"
        fi
        # shellcheck disable=SC2154
        verdict "peak RSS husk-oci (crun: $rss_crun KiB)" "$rss_husk" "$rss_crun" " KiB"
    else
        echo "crun not installed: no OCI ratios"
    fi
}
