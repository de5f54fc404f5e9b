#!/usr/bin/env bats
# Load: many containers at once on the default bridge, races for one name
# and for one host port, and hundreds of run/rm cycles in a row. Each test
# ends with nothing left (the teardown checks mounts, cgroups, processes and
# the state root; the tests check veths, leases, nftables and what they
# count themselves). Durations go to the TAP stream as "# ..." lines.
#
# The 500 cycles take longer than the runner's 60 s per test (62 s on a
# 2-core machine shared with other work; the others take 1-2 s each), so
# this file allows 180 s a test: three times that, not an open end.

load helpers

BATS_TEST_TIMEOUT=180

setup() { keeping_setup; }

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	husk_teardown
}

note() { echo "# $*" >&3; }

now_ms() { date +%s%3N; }

# took SINCE-MS: "N.NNN s" since then.
took() { awk -v ms=$(($(now_ms) - $1)) 'BEGIN { printf "%.3f s", ms / 1000 }'; }

veths() { ip -o link show type veth | wc -l; }

husk_cgroups() { find /sys/fs/cgroup -type d -path '*husk*' 2>/dev/null | wc -l; }

# Addresses leased (the store keeps one file each, in every network).
leases() { find "$HUSK_ROOT/networks" -mindepth 3 -path '*/leases/*' 2>/dev/null | wc -l; }

# Each published port is one element of husk's nftables port maps.
port_elements() {
	{
		nft list map ip husk ports_any
		nft list map ip husk ports_address
	} 2>/dev/null | grep -o ' : ' | wc -l
}

# race N OUTDIR HUSK-ARGS...: N copies of `husk HUSK-ARGS` at once, each
# one's status, stdout and stderr in OUTDIR/{rc,out,err}.I.
race() {
	local n=$1 dir=$2 i pids=()
	shift 2
	mkdir -p "$dir"
	for ((i = 1; i <= n; i++)); do
		(
			rc=0
			"$HUSK" "$@" >"$dir/out.$i" 2>"$dir/err.$i" || rc=$?
			echo $rc >"$dir/rc.$i"
		) 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
}

@test "load: 100 containers started at once from 8 shells on the default bridge, then removed at once" {
	local shell i dir=$BATS_TEST_TMPDIR/start pids=() started
	# One container first: the default network and its bridge exist from
	# then on, and the count below is only the 100's.
	"$HUSK" run --rm busybox true
	local links_before cgroups_before
	links_before=$(ip -o link | wc -l)
	cgroups_before=$(husk_cgroups)
	mkdir -p "$dir"
	started=$(now_ms)
	for shell in 0 1 2 3 4 5 6 7; do
		# Shell S starts containers S, S+8, S+16, ... all at once.
		bash -c '
			for ((i = $1; i < 100; i += 8)); do
				("$HUSK" run -d --name "load$i" busybox sleep 1000 >"$2/out.$i" 2>"$2/err.$i"
				 echo $? >"$2/rc.$i") &
			done
			wait' - "$shell" "$dir" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	note "100 concurrent run -d on the bridge: $(took "$started")"
	[ "$(cat "$dir"/rc.* | grep -cx 0)" -eq 100 ] ||
		fail "not all started: $(grep -hv '^0$' "$dir"/rc.* | sort | uniq -c) $(cat "$dir"/err.* | sort | uniq -c)"
	[ "$(cat "$dir"/err.* | wc -c)" -eq 0 ] || fail "stderr: $(cat "$dir"/err.*)"
	[ "$("$HUSK" ps -q | wc -l)" -eq 100 ]
	# Every one has its own address, its own veth on husk0, its cgroups.
	run "$HUSK" inspect -f '{{.State.Running}} {{.NetworkSettings.IPAddress}}' $(seq -f 'load%g' 0 99)
	expect_status 0
	[ "$(grep -c '^true 10\.' <<<"$output")" -eq 100 ] || fail "$output"
	[ "$(awk '{print $2}' <<<"$output" | sort -u | wc -l)" -eq 100 ] || fail "addresses repeat"
	[ "$(ip -o link show type veth master husk0 | wc -l)" -eq 100 ]
	[ "$(veths)" -eq 100 ]
	[ "$(leases)" -eq 100 ] || fail "leases: $(leases)"
	# One from the first shell reaches one from the last, over the bridge.
	run "$HUSK" exec load0 ping -c 1 -W 2 "$(awk 'END {print $2}' <<<"$output")"
	expect_status 0

	started=$(now_ms)
	pids=()
	for shell in 0 1 2 3 4 5 6 7; do
		bash -c '
			for ((i = $1; i < 100; i += 8)); do "$HUSK" rm -f "load$i" >/dev/null & done
			wait' - "$shell" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	note "100 concurrent rm -f: $(took "$started")"
	[ "$(count_containers)" -eq 0 ] || fail "left: $(list_containers)"
	[ "$(veths)" -eq 0 ]
	[ "$(leases)" -eq 0 ] || fail "leases left: $(leases)"
	[ "$(ip -o link | wc -l)" -eq $((links_before)) ]
	[ "$(husk_cgroups)" -eq "$cgroups_before" ] || fail "cgroups: $(snapshot_cgroups)"
}

@test "load: 100 run --rm at once from 8 shells: all succeed and no cgroup directory is left (defect 2)" {
	local shell dir=$BATS_TEST_TMPDIR/rm pids=() started cgroups_before
	"$HUSK" run --rm busybox true
	cgroups_before=$(snapshot_cgroups)
	mkdir -p "$dir"
	started=$(now_ms)
	# Containers made and removed at the same moments: each destroy may
	# remove the shared "husk" parent while another run is between its
	# mkdir of the parent and of its own directory.
	for shell in 0 1 2 3 4 5 6 7; do
		bash -c '
			for ((i = $1; i < 100; i += 8)); do
				("$HUSK" run --rm busybox echo "run$i" >"$2/out.$i" 2>&1; echo $? >"$2/rc.$i") &
			done
			wait' - "$shell" "$dir" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	note "100 concurrent run --rm on the bridge: $(took "$started")"
	[ "$(cat "$dir"/rc.* | grep -cx 0)" -eq 100 ] || fail "failed: $(grep -L '^run' "$dir"/out.* | xargs cat)"
	[ "$(cat "$dir"/out.* | grep -c '^run')" -eq 100 ]
	[ "$(snapshot_cgroups)" = "$cgroups_before" ] ||
		fail "cgroups left: $(comm -13 <(echo "$cgroups_before") <(snapshot_cgroups))"
	[ "$(count_containers)" -eq 0 ]
	[ "$(veths)" -eq 0 ]
}

@test "load: 20 runs racing for one name on the bridge: one wins, the others get docker's conflict error and leave nothing" {
	local dir=$BATS_TEST_TMPDIR/name started winner id
	"$HUSK" run --rm busybox true
	local cgroups_before
	cgroups_before=$(husk_cgroups)
	started=$(now_ms)
	race 20 "$dir" run -d --name same busybox sleep 1000
	note "20-way name race: $(took "$started")"
	[ "$(cat "$dir"/rc.* | grep -cx 0)" -eq 1 ] || fail "winners: $(cat "$dir"/rc.*)"
	[ "$(cat "$dir"/rc.* | grep -cx 125)" -eq 19 ]
	winner=$(grep -lx 0 "$dir"/rc.*)
	id=$(cat "${winner/rc./out.}")
	expect_match "$ID_RE" "$id"
	local message="^husk: Conflict\\. The container name \"/same\" is already in use by container \"$id\"\\. You have to remove \\(or rename\\) that container to be able to reuse that name\\.$"
	for err in "$dir"/err.*; do
		[ "$err" = "${winner/rc./err.}" ] && continue
		[ "$(wc -l <"$err")" -eq 1 ] || fail "$err: $(cat "$err")"
		expect_match "$message" "$(cat "$err")"
	done
	# Nothing of the 19: one container, one name, one veth, one lease, the
	# cgroups of one container.
	[ "$(list_containers)" = "$id" ]
	[ "$(ls "$HUSK_ROOT/names")" = same ]
	[ "$(veths)" -eq 1 ]
	[ "$(leases)" -eq 1 ]
	[ "$(husk_cgroups)" -le $((cgroups_before + $(ls -d /sys/fs/cgroup/*/ | wc -l) * 2)) ]
	[ "$("$HUSK" inspect -f '{{.State.Running}}' same)" = true ]
	"$HUSK" rm -f same >/dev/null
	[ "$(veths)" -eq 0 ]
	[ "$(leases)" -eq 0 ]
}

@test "load: 20 runs racing for one host port: one wins and serves, the others fail and leave nothing" {
	local dir=$BATS_TEST_TMPDIR/port started winner id
	"$HUSK" run --rm busybox true
	local elements_before
	elements_before=$(port_elements)
	started=$(now_ms)
	race 20 "$dir" run -d -p 8085:80 busybox sh -c 'echo served >/i.html && httpd -f -p 80 -h /'
	note "20-way host port race: $(took "$started")"
	[ "$(cat "$dir"/rc.* | grep -cx 0)" -eq 1 ] || fail "winners: $(cat "$dir"/rc.*) $(cat "$dir"/err.*)"
	[ "$(cat "$dir"/rc.* | grep -cx 125)" -eq 19 ]
	winner=$(grep -lx 0 "$dir"/rc.*)
	id=$(cat "${winner/rc./out.}")
	for err in "$dir"/err.*; do
		[ "$err" = "${winner/rc./err.}" ] && continue
		[ "$(wc -l <"$err")" -eq 1 ] || fail "$err: $(cat "$err")"
		expect_match '^husk: .*host port (0\.0\.0\.0:)?8085/tcp is already (published by another container|in use)' "$(cat "$err")"
	done
	[ "$(list_containers)" = "$id" ]
	[ "$(veths)" -eq 1 ]
	[ "$(leases)" -eq 1 ]
	wait_for 10 busybox wget -qO /dev/null http://127.0.0.1:8085/i.html
	run busybox wget -qO- http://127.0.0.1:8085/i.html
	expect_output served
	"$HUSK" rm -f "$id" >/dev/null
	[ "$(veths)" -eq 0 ]
	[ "$(leases)" -eq 0 ]
	[ "$(port_elements)" -eq "$elements_before" ] || fail "nft: $(nft list table ip husk)"
}

# --- 500 cycles -------------------------------------------------------------

# What a run/rm cycle could leave behind, one "name value" a line.
cycle_state() {
	echo "mounts $(wc -l </proc/self/mountinfo)"
	echo "cgroups $(husk_cgroups)"
	echo "netns $(ip netns list | wc -l)"
	echo "links $(ip -o link | wc -l)"
	echo "veths $(veths)"
	echo "leases $(leases)"
	echo "nft-elements $(port_elements)"
	echo "husk-processes $(snapshot_husk_processes | wc -l)"
	# Every process the tests started, but for the shells running these
	# lines: by name, so a leftover says what it is.
	echo "processes $(grep -lzx "HUSK_INTEGRATION_TOKEN=$HUSK_INTEGRATION_TOKEN" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|/environ$|/comm|' | xargs cat 2>/dev/null | grep -vx 'bash\|grep\|sed\|xargs\|cat\|sort' | sort | tr '\n' ' ')"
	echo "state-files $(find "$HUSK_ROOT" -path "$HUSK_ROOT/events" -prune -o -print | wc -l)"
	echo "state-bytes $(du -sb --exclude=events "$HUSK_ROOT" | cut -f1)"
}

# fd_probe.so: at exit(), each husk process writes which descriptors it
# holds that it did not inherit ("own fds at exit: FD..."), to
# $FD_PROBE_DIR/PID.
build_fd_probe() {
	cat >"$BATS_TEST_TMPDIR/fd_probe.c" <<'EOF'
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static bool inherited[4096];
static void each_fd(void (*seen)(int fd, void *data), void *data)
{
	DIR *fds = opendir("/proc/self/fd");
	for (struct dirent *e; fds && (e = readdir(fds)) != NULL;) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(fds) && fd < 4096)
			seen(fd, data);
	}
	if (fds)
		closedir(fds);
}
static void remember(int fd, void *data) { inherited[fd] = data == NULL; }
static void report(int fd, void *data)
{
	char *list = data;
	if (!inherited[fd])
		snprintf(list + strlen(list), 4096 - strlen(list), " %d", fd);
}
__attribute__((constructor)) static void start(void) { each_fd(remember, NULL); }
__attribute__((destructor)) static void probe(void)
{
	const char *dir = getenv("FD_PROBE_DIR");
	char path[4096], list[4096] = "";
	if (dir == NULL)
		return;
	each_fd(report, list);
	snprintf(path, sizeof(path), "%s/%d", dir, getpid());
	FILE *out = fopen(path, "w");
	if (out) {
		fprintf(out, "own fds at exit:%s\n", list[0] ? list : " none");
		fclose(out);
	}
}
EOF
	gcc -O2 -shared -fPIC -o "$BATS_TEST_TMPDIR/fd_probe.so" "$BATS_TEST_TMPDIR/fd_probe.c"
}

# probed HUSK-ARGS...: husk with the probe; prints what it reported.
probed() {
	local probe_dir=$BATS_TEST_TMPDIR/probe pid
	rm -rf "$probe_dir"
	mkdir "$probe_dir"
	# A sanitizer build wants its runtime first in the library list.
	local preload asan
	preload=$BATS_TEST_TMPDIR/fd_probe.so
	asan=$(ldd "$HUSK" | awk '/libasan/ {print $3}')
	[ -z "$asan" ] || preload="$asan $preload"
	FD_PROBE_DIR=$probe_dir LD_PRELOAD=$preload "$HUSK" "$@" >/dev/null &
	pid=$!
	wait "$pid"
	cat "$probe_dir/$pid"
}

# check_probe: husk's own descriptors at exit, for run -d and rm -f, and
# the monitor's while it watches; prints the monitor's count.
check_probe() {
	run probed run -d --name probe busybox sleep 1000
	expect_output 'own fds at exit: none' || return
	ls "/proc/$(monitor_of probe)/fd" | wc -l
	run probed rm -f probe
	expect_output 'own fds at exit: none'
}

@test "load: 500 sequential run -d / rm -f cycles on the bridge: nothing grows" {
	command -v gcc >/dev/null || fail "gcc is needed to build the fd probe"
	build_fd_probe
	export HUSK_EVENTS_MAX_SIZE=65536
	local i started baseline after monitor_fds
	for i in $(seq 10); do
		"$HUSK" run -d --name warm busybox sleep 1000 >/dev/null
		"$HUSK" rm -f warm >/dev/null
	done
	baseline=$(cycle_state)
	monitor_fds=$(check_probe)
	started=$(now_ms)
	for i in $(seq 500); do
		"$HUSK" run -d --name "cycle$i" busybox sleep 1000 >/dev/null
		"$HUSK" rm -f "cycle$i" >/dev/null
		if ((i % 250 == 0)); then
			after=$(cycle_state)
			[ "$after" = "$baseline" ] ||
				fail "after $i cycles: $(diff <(echo "$baseline") <(echo "$after") | grep '^[<>]')"
		fi
	done
	note "500 run -d + rm -f cycles on the bridge: $(took "$started")"
	[ "$(check_probe)" = "$monitor_fds" ] || fail "monitor fds: $monitor_fds, then $(check_probe)"
	# The event journal rotates: two files of at most the limit each.
	[ "$(du -sb "$HUSK_ROOT/events" | cut -f1)" -le $((2 * 65536 + 8192)) ] ||
		fail "events: $(ls -l "$HUSK_ROOT/events")"
	note "slab: $(awk '/^Slab/ {print $2, $3}' /proc/meminfo) (host-wide, not checked)"
}
