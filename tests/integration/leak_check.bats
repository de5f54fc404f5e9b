#!/usr/bin/env bats
# What LeakSanitizer's check at exit needs of husk. The check forks a tracer
# (clone without CLONE_THREAD) that ptraces husk's threads, after making sure
# its parent is husk: getppid() must equal husk's getpid(). A tracer born in
# a container's PID namespace, where husk has no PID, sees 0, exits with
# status 4 before it says it is done, and husk then calls sched_yield()
# forever. So husk enters a container's PID (and time) namespace for its
# children only around the clone of the process that must be born there, and
# is back in its own as soon as that process exists. Against the release
# build these tests check the namespaces; against the sanitizer build (run.sh
# ... build-asan/husk) also that husk exits (the test timeout) without a
# report.

load helpers

setup() { keeping_setup; }
teardown() { removing_teardown; }

# own_namespaces PID: the process's PID and time namespaces for its children
# are its own.
own_namespaces() {
	local type
	for type in pid time; do
		[ -e "/proc/$1/ns/$type" ] || continue
		[ "$(readlink "/proc/$1/ns/${type}_for_children")" = "$(readlink "/proc/$1/ns/$type")" ] ||
			fail "husk ($1) keeps the container's $type namespace for its children"
	done
}

# command_is PID COMM: PID runs COMM (its exec happened).
command_is() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

@test "exec: husk is back in its own PID and time namespaces while the process runs, and exits" {
	husk run -d --name lc1 --network none busybox sleep 1000 >/dev/null
	start_bg "$BATS_TEST_TMPDIR/exec.out" exec lc1 sleep 3
	local exec=$BG_PID child
	wait_for 10 eval 'child=$(pgrep -P '"$exec"')'
	wait_for 10 command_is "$child" sleep
	own_namespaces "$exec"
	expect_bg_status "$exec" 0 "$BATS_TEST_TMPDIR/exec.out"
	husk rm -f lc1 >/dev/null
}

@test "run --pid container:a: husk is back in its own PID namespace while PID 1 runs, and exits" {
	husk run -d --name lc2 --network none busybox sleep 1000 >/dev/null
	start_bg "$BATS_TEST_TMPDIR/run.out" run --rm --name lc3 --network none --pid container:lc2 \
		busybox sleep 3
	local run=$BG_PID monitor
	wait_for 10 eval '[ -n "$(pgrep -x -f "sleep 3")" ]'
	own_namespaces "$run"
	# And the monitor that cloned PID 1, whose later children (restarter,
	# prober, log writer) must not be born in lc2's PID namespace either.
	for monitor in $(monitor_of lc3); do
		own_namespaces "$monitor"
	done
	expect_bg_status "$run" 0 "$BATS_TEST_TMPDIR/run.out"
	husk rm -f lc2 >/dev/null
}
