#!/usr/bin/env bats
# Detached containers and their monitor: the core of the lifecycle commands.

load helpers

teardown() {
	# Remove through husk, so monitors and cgroups go too, then the usual checks.
	"$HUSK" rm -f $(ls -A "$HUSK_ROOT/containers" 2>/dev/null) >/dev/null 2>&1
	husk_teardown
}

@test "run -d prints the ID; PID 1's parent is a monitor named after it" {
	run "$HUSK" run -d --name web busybox sleep 100
	[ "$status" -eq 0 ]
	[[ "$output" =~ $ID_RE ]]
	id=$output
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' web)
	monitor=$(awk '/^PPid/ {print $2}' "/proc/$pid/status")
	[ "$(cat /proc/$monitor/comm)" = "husk-${id:0:10}" ]
	[ "$(stat -L -c %i /proc/$pid/ns/net)" = "$("$HUSK" inspect -f '{{index .Namespaces "net"}}' web)" ]
}

@test "ps shows running and, with -a, exited containers with docker's status" {
	"$HUSK" run -d --name up busybox sleep 100
	"$HUSK" run --name down busybox sh -c 'exit 7' || true
	run "$HUSK" ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == "up Up"* ]]
	[[ "$output" != *down* ]]
	run "$HUSK" ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"down Exited (7)"* ]]
	run "$HUSK" ps -q
	[ "${#lines[@]}" -eq 1 ]
}

@test "exec joins every namespace of PID 1 and keeps its security settings" {
	"$HUSK" run -d --name c busybox sleep 100
	run "$HUSK" exec c sh -c 'for n in cgroup ipc mnt net pid time uts; do [ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] || echo "differs: $n"; done; grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" != *differs* ]]
	[[ "$output" == *"$DEFAULT_CAPS"* ]]
	run "$HUSK" exec c sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run -127 "$HUSK" exec c nosuchcommand
	[ "$status" -eq 127 ]
}

@test "logs keep stdout and stderr apart; --tail; -f ends when the container exits" {
	"$HUSK" run -d --name l busybox sh -c 'echo one; echo two >&2; echo three'
	run "$HUSK" wait l
	[ "$output" = 0 ]
	[ "$("$HUSK" logs l 2>/dev/null | tr '\n' ' ')" = "one three " ]
	[ "$("$HUSK" logs l 2>&1 >/dev/null)" = two ]
	"$HUSK" run -d --name t busybox sh -c 'echo a; echo b; echo c'
	"$HUSK" wait t
	[ "$("$HUSK" logs --tail 2 t | tr '\n' ' ')" = "b c " ]
	run timeout 10 "$HUSK" logs -f l
	[ "$status" -eq 0 ]
}

@test "stop: SIGTERM, then SIGKILL after the timeout" {
	"$HUSK" run -d --name s busybox sleep 100
	start=$(date +%s%N)
	run "$HUSK" stop -t 1 s
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$status" -eq 0 ]
	[ "$elapsed" -ge 1000 ] && [ "$elapsed" -lt 4000 ]
	[ "$("$HUSK" inspect -f '{{.State.ExitCode}}' s)" = 137 ]
	"$HUSK" run -d --name t busybox sh -c 'trap "exit 5" TERM; while :; do sleep 0.1; done'
	"$HUSK" stop -t 10 t
	[ "$("$HUSK" inspect -f '{{.State.ExitCode}}' t)" = 5 ]
}

@test "20 runs racing for one name: exactly one wins" {
	# Wait for these runs only: a monitor may be reparented to this shell
	# (a subreaper above it), and it lives on.
	pids=()
	for i in $(seq 20); do
		(rc=0; "$HUSK" run -d --name same busybox sleep 30 >/dev/null 2>"$BATS_TEST_TMPDIR/err.$i" || rc=$?; echo $rc >"$BATS_TEST_TMPDIR/rc.$i") &
		pids+=($!)
	done
	wait "${pids[@]}" || true # the losers exit 125, checked below
	[ "$(cat "$BATS_TEST_TMPDIR"/rc.* | grep -cx 0)" -eq 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR"/rc.* | grep -cx 125)" -eq 19 ]
	[ "$(cat "$BATS_TEST_TMPDIR"/err.* | grep -c 'already in use')" -eq 19 ]
	[ "$(count_containers)" -eq 1 ]
}

@test "a killed monitor leaves no ghost, and rm still cleans everything" {
	id=$("$HUSK" run -d --name m busybox sleep 100)
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' m)
	monitor=$(awk '/^PPid/ {print $2}' "/proc/$pid/status")
	kill -KILL "$monitor"
	[ "$("$HUSK" inspect -f '{{.State.Running}}' m)" = true ]
	kill -KILL "$pid"
	for _ in $(seq 50); do [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ] || break; sleep 0.1; done
	[ "$("$HUSK" inspect -f '{{.State.Running}}' m)" = false ]
	run "$HUSK" ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == "m Exited"* ]]
	"$HUSK" rm m
	[ "$(count_containers)" -eq 0 ]
	[ -z "$(find /sys/fs/cgroup -type d -name "$id")" ]
	[ ! -e "$HUSK_ROOT/names/m" ]
}

@test "rm refuses a running container without -f; prune removes stopped ones" {
	"$HUSK" run -d --name r busybox sleep 100
	run "$HUSK" rm r
	[ "$status" -ne 0 ]
	[[ "$output" == "husk: cannot remove running container r"* ]]
	"$HUSK" run --name x busybox true
	run "$HUSK" container prune
	[[ "${lines[0]}" == "Deleted Containers:" ]]
	[ "$(count_containers)" -eq 1 ]
	"$HUSK" rm -f r
	[ "$(count_containers)" -eq 0 ]
}

@test "unknown container and ambiguous ID prefix are one-line errors" {
	run "$HUSK" stop nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "husk: No such container: nosuch" ]
	run "$HUSK" inspect -f '{{.Nope' nosuch
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "start -a prints the output and exits with the container's status" {
	"$HUSK" create --name a busybox sh -c 'echo hello; exit 4'
	run "$HUSK" start -a a
	[ "$status" -eq 4 ]
	[ "$output" = hello ]
}
