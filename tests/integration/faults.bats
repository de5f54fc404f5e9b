#!/usr/bin/env bats
# SIGKILL at every step, injected, not timed: husk-fault (built next to
# husk, see src/util/fault.h) kills the process that reaches the fault point
# HUSK_FAULT names. After each kill the next command -- rm -f, container
# prune, system repair -- must leave nothing: no container directory or
# name, no lease, veth, bridge, nftables table or published port, no cgroup,
# mount or process, and `husk system check` finds nothing. Then a new run
# with the same name and host port must work.
#
# Points (where each sits in the code: grep FAULT_POINT):
#   create.directory create.name create.spec create.record
#   start.mounts start.cgroup start.clone start.network start.record start.go
#   monitor.handover monitor.reaped monitor.exit monitor.recorded
#   exec.clone exec.started
#   child.orphaned (the process husk cloned waits there for the test to
#                   kill its parent: orphaned_at)
#   rm.opened rm.cgroups rm.network rm.volumes rm.directory
#   load.layer load.image
#   pull.layer pull.config pull.manifest

load helpers

setup() {
	keeping_setup
	FAULT_HUSK=$(dirname "$HUSK")/husk-fault
	[ -x "$FAULT_HUSK" ] || skip "no husk-fault next to $HUSK (the build makes it)"
	TRACE=$BATS_TEST_TMPDIR/trace
	# What was wrong before this test (another suite's leftovers on the
	# host's cgroup tree) is not this test's finding.
	"$HUSK" system check >"$BATS_TEST_TMPDIR/check.before" 2>&1 || true
}

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	"$HUSK" system repair >/dev/null 2>&1
	husk_teardown
}

# fault POINT HUSK-ARGS...: runs husk-fault HUSK-ARGS, killed at POINT (by
# whichever husk process reaches it: the command, a monitor, a launcher or a
# network helper; a monitor's point may come after the command returned).
# Fails unless the kill happened there.
fault() {
	local point=$1
	shift
	rm -f "$TRACE"
	env --default-signal HUSK_FAULT="$point" HUSK_FAULT_TRACE="$TRACE" \
		"$FAULT_HUSK" "$@" </dev/null >"$BATS_TEST_TMPDIR/fault.out" 2>&1 3>&- || true
	wait_for 20 grep -q " $point killed\$" "$TRACE" 2>/dev/null ||
		fail "husk was not killed at $point; points passed: $(cut -d' ' -f2 "$TRACE" 2>/dev/null | xargs)"
}

no_links() {
	[ -z "$(ip -o link show | grep -E 'veth|husk')" ]
}

husk_fault_processes() {
	local p
	for p in $(pgrep -x husk-fault); do
		tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qxF "HUSK_ROOT=$HUSK_ROOT" && echo "$p"
	done
}

# A function, so that wait_for asks again each time.
no_husk_fault_processes() {
	[ -z "$(husk_fault_processes)" ]
}

# What `husk system check` finds that it did not before the test.
new_findings() {
	"$HUSK" system check 2>&1 | grep -vxFf "$BATS_TEST_TMPDIR/check.before" || true
}

# Nothing of any container is left, by husk's own check and by looking.
# (Each check returns: set -e does not hold inside a function called with ||.)
nothing_left() {
	local findings
	[ -z "$(list_containers)" ] || fail "container directories left: $(list_containers)" || return 1
	[ -z "$(ls -A "$HUSK_ROOT/names" 2>/dev/null)" ] ||
		fail "names left: $(ls -A "$HUSK_ROOT/names")" || return 1
	[ -z "$(ls -A "$HUSK_ROOT/networks/bridge/leases" 2>/dev/null)" ] ||
		fail "leases left: $(ls -l "$HUSK_ROOT/networks/bridge/leases")" || return 1
	# A dead container's network namespace (and its veth) goes asynchronously.
	wait_for 20 no_links || fail "links left: $(ip -o link show | grep -E 'veth|husk')" || return 1
	! nft list table ip husk >/dev/null 2>&1 ||
		fail "nftables table left: $(nft list table ip husk)" || return 1
	[ -z "$(husk_fault_processes)" ] ||
		fail "husk-fault processes left: $(husk_fault_processes)" || return 1
	findings=$(new_findings)
	[ -z "$findings" ] || fail "system check finds: $findings" || return 1
	[ "$(snapshot_cgroups)" = "$(cat "$BATS_TEST_TMPDIR/cgroups.before")" ] ||
		fail "cgroups left: $(comm -13 "$BATS_TEST_TMPDIR/cgroups.before" <(snapshot_cgroups))" ||
		return 1
	[ "$(snapshot_mounts)" = "$(cat "$BATS_TEST_TMPDIR/mounts.before")" ] || fail "mounts left"
}

# recover HOW NAME: the next command after a kill. A repair leaves the
# containers `ps -a` shows (created or exited, the user's to remove) and
# must leave nothing else: the check after it is clean, then rm -f.
recover() {
	local findings
	case $1 in
	rm) "$HUSK" rm -f "$2" >/dev/null 2>&1 || true ;;
	prune) "$HUSK" container prune -f >/dev/null || return 1 ;;
	repair)
		run "$HUSK" system repair
		[ "$status" = 0 ] || fail "system repair left: $output" || return 1
		findings=$(new_findings)
		[ -z "$findings" ] || fail "system check after repair finds: $findings" || return 1
		if "$HUSK" ps -aq --filter "name=^$2\$" | grep -q .; then
			"$HUSK" rm -f "$2" >/dev/null || return 1
		fi
		;;
	esac
}

# The name and host port are free again, and what the run makes goes with rm.
same_name_runs() {
	run "$HUSK" run -d --name faulty -p 127.0.0.1:18080:80 busybox sleep 100
	expect_status 0 || return 1
	"$HUSK" rm -f faulty >/dev/null || return 1
	nothing_left
}

# kill_and_recover POINT "RECOVERIES" HUSK-ARGS...: for each recovery, a
# kill at POINT, the recovery, the checks.
kill_and_recover() {
	local point=$1 how
	for how in $2; do
		fault "$point" "${@:3}" || return 1
		recover "$how" faulty || fail "after a kill at $point and $how" || return 1
		nothing_left || fail "after a kill at $point and $how" || return 1
		same_name_runs || fail "after a kill at $point and $how" || return 1
	done
}

@test "faults: create killed at every step" {
	"$HUSK" run --rm --network none busybox true
	nothing_left
	# Before the name is reserved, rm has no name to find the container by.
	kill_and_recover create.directory "prune repair" create --name faulty busybox true
	local point
	for point in create.name create.spec create.record; do
		kill_and_recover $point "rm prune repair" create --name faulty -p 127.0.0.1:18080:80 busybox true
	done
}

# run -d: every point but create.* is in the launcher (the monitor's
# child) or its network helper; run -d itself reports the failure and
# removes the container.
run_d_points() {
	local point
	"$HUSK" run --rm --network none busybox true
	for point in "$@"; do
		kill_and_recover $point "rm prune repair" run -d --name faulty -p 127.0.0.1:18080:80 \
			busybox sleep 100 || return 1
	done
}

@test "faults: run -d killed after its mounts, cgroups and clone" {
	run_d_points start.mounts start.cgroup start.clone
}

@test "faults: run -d's network helper killed before and after the record (defect 7)" {
	run_d_points start.network start.record
}

@test "faults: run -d killed as PID 1 is let go and as the monitor takes it" {
	run_d_points start.go monitor.handover
}

@test "faults: run in the foreground killed at every step of the start" {
	"$HUSK" run --rm --network none busybox true
	local point
	for point in start.mounts start.cgroup start.clone start.network start.record start.go; do
		kill_and_recover $point "rm repair" run --name faulty -p 127.0.0.1:18080:80 busybox true
	done
}

@test "faults: start killed at every step" {
	"$HUSK" run --rm --network none busybox true
	local point how
	for point in start.mounts start.cgroup start.clone start.network start.record start.go; do
		for how in rm repair; do
			"$HUSK" create --name faulty -p 127.0.0.1:18080:80 busybox sleep 100 >/dev/null
			fault $point start faulty
			recover $how faulty
			nothing_left || fail "start killed at $point, then $how"
		done
	done
}

@test "faults: the monitor killed as it records the exit; a restart policy's monitor killed" {
	"$HUSK" run --rm --network none busybox true
	local point
	for point in monitor.exit monitor.recorded; do
		kill_and_recover $point "rm prune repair" run -d --name faulty -p 127.0.0.1:18080:80 \
			busybox true
	done
	kill_and_recover monitor.exit "rm prune repair" run -d --restart always --name faulty \
		-p 127.0.0.1:18080:80 busybox true
}

# PID of the process that stopped itself at POINT (HUSK_FAULT=POINT:stop).
stopped_at() {
	wait_for 20 grep -q " $1 stopped\$" "$TRACE" 2>/dev/null || return 1
	awk -v point="$1" '$2 == point && $3 == "stopped" {print $1; exit}' "$TRACE"
}

@test "faults: wait, inspect, ps and kill between PID 1's reaping and its recorded exit get the real status" {
	"$HUSK" run --rm --network none busybox true
	rm -f "$TRACE"
	env --default-signal HUSK_FAULT=monitor.reaped:stop HUSK_FAULT_TRACE="$TRACE" \
		"$FAULT_HUSK" run -d --name faulty --network none busybox sleep 100 >/dev/null
	"$HUSK" kill faulty
	# The monitor reaped PID 1; the process that records the exit is
	# stopped before it took the container's lock.
	restarter=$(stopped_at monitor.reaped) || fail "the exit's recorder never reached monitor.reaped"
	"$HUSK" wait faulty >"$BATS_TEST_TMPDIR/wait.out" 2>&1 &
	waiter=$!
	"$HUSK" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}' faulty \
		>"$BATS_TEST_TMPDIR/inspect.out" 2>&1 &
	inspector=$!
	"$HUSK" ps -a --format '{{.Names}} {{.Status}}' >"$BATS_TEST_TMPDIR/ps.out" 2>&1 &
	lister=$!
	"$HUSK" kill -s USR1 faulty >"$BATS_TEST_TMPDIR/kill.out" 2>&1 &
	killer=$!
	# Each waits (on the record, with inotify) or, wrongly, is already done.
	for pid in $waiter $inspector $lister $killer; do
		wait_for 20 sh -c "! kill -0 $pid 2>/dev/null || ls -l /proc/$pid/fd | grep -q inotify"
	done
	kill -CONT "$restarter"
	wait $waiter $inspector $lister $killer || true
	[ "$(cat "$BATS_TEST_TMPDIR/wait.out")" = 137 ] ||
		fail "wait printed '$(cat "$BATS_TEST_TMPDIR/wait.out")', not the SIGKILL's 137"
	[ "$(cat "$BATS_TEST_TMPDIR/inspect.out")" = "exited 137 " ] ||
		fail "inspect printed '$(cat "$BATS_TEST_TMPDIR/inspect.out")', not 'exited 137 '"
	grep -Eq '^faulty Exited \(137\) ' "$BATS_TEST_TMPDIR/ps.out" ||
		fail "ps printed '$(cat "$BATS_TEST_TMPDIR/ps.out")', not Exited (137)"
	[ "$(cat "$BATS_TEST_TMPDIR/kill.out")" = "husk: container faulty is not running" ] ||
		fail "kill -s USR1 said '$(cat "$BATS_TEST_TMPDIR/kill.out")'"
}

# A container sharing the host's PID namespace can SIGSTOP its monitor: a
# command that only reports must not wait for it for ever.
@test "faults: a stopped exit recorder holds up inspect, ps and kill -s for a few seconds, not for ever" {
	"$HUSK" run --rm --network none busybox true
	rm -f "$TRACE"
	env --default-signal HUSK_FAULT=monitor.reaped:stop HUSK_FAULT_TRACE="$TRACE" \
		"$FAULT_HUSK" run -d --name faulty --network none busybox sleep 100 >/dev/null
	"$HUSK" kill faulty >/dev/null
	restarter=$(stopped_at monitor.reaped) || fail "the exit's recorder never reached monitor.reaped"
	run timeout 15 "$HUSK" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}' faulty
	kill -CONT "$restarter" 2>/dev/null || true
	expect_status 0
	expect_output "exited -1 its monitor has not recorded the exit status yet"
	run "$HUSK" wait faulty
	expect_output 137
	# Again, for ps and kill -s.
	"$HUSK" rm faulty >/dev/null
	rm -f "$TRACE"
	env --default-signal HUSK_FAULT=monitor.reaped:stop HUSK_FAULT_TRACE="$TRACE" \
		"$FAULT_HUSK" run -d --name faulty --network none busybox sleep 100 >/dev/null
	"$HUSK" kill faulty >/dev/null
	restarter=$(stopped_at monitor.reaped) || fail "the exit's recorder never reached monitor.reaped"
	run timeout 15 "$HUSK" ps -a --format '{{.Names}}'
	local ps_status=$status ps_output=$output
	run --separate-stderr timeout 15 "$HUSK" kill -s USR1 faulty
	kill -CONT "$restarter" 2>/dev/null || true
	[ "$ps_status" = 0 ] && [ "$ps_output" = faulty ] || fail "ps: $ps_status '$ps_output'"
	expect_husk_error 1 "container faulty is not running"
}

@test "faults: the monitor SIGKILLed while running, paused, restarting, with PID 1" {
	"$HUSK" run --rm --network none busybox true
	local state how monitor pid
	for state in running paused restarting; do
		for how in rm prune repair; do
			case $state in
			restarting) "$HUSK" run -d --name faulty --restart always -p 127.0.0.1:18080:80 \
				busybox sh -c 'exit 3' >/dev/null
				wait_for 20 status_is faulty restarting ;;
			*) "$HUSK" run -d --name faulty -p 127.0.0.1:18080:80 busybox sleep 100 >/dev/null ;;
			esac
			[ $state != paused ] || "$HUSK" pause faulty
			monitor=$(monitor_of faulty)
			pid=$("$HUSK" inspect -f '{{if .State.Pid}}{{.State.Pid}}{{end}}' faulty)
			kill -KILL $monitor $pid
			# A frozen PID 1 dies of SIGKILL only once thawed.
			[ $state != paused ] || "$HUSK" unpause faulty
			[ -z "$pid" ] || wait_for 20 sh -c "! kill -0 $pid 2>/dev/null"
			# prune keeps a running container: PID 1 is killed with it
			# above, so prune finds it exited.
			recover $how faulty
			nothing_left || fail "monitor killed while $state, then $how"
		done
	done
}

# kill_monitor_and_pid1: as a crash of the whole container would. The
# monitor is PID 1's parent (during a probe its prober has its name too).
kill_monitor_and_pid1() {
	local monitor pid
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' faulty)
	monitor=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")
	kill -KILL "$monitor" "$pid"
	wait_for 20 sh -c "! kill -0 $pid 2>/dev/null"
}

@test "faults: the monitor SIGKILLed during a health probe and while it relays an attach" {
	"$HUSK" run --rm --network none busybox true
	local how client
	for how in rm prune repair; do
		"$HUSK" run -d --name faulty -p 127.0.0.1:18080:80 --health-cmd 'sleep 31' \
			--health-interval 1s busybox sleep 100 >/dev/null
		wait_for 20 pgrep -fx 'sleep 31' >/dev/null
		kill_monitor_and_pid1
		# The probe and the monitor's prober go with them.
		wait_for 20 sh -c "! pgrep -fx 'sleep 31'" || fail "the probe outlived its monitor"
		recover $how faulty
		nothing_left || fail "monitor killed during a probe, then $how"

		"$HUSK" run -d -i --name faulty -p 127.0.0.1:18080:80 busybox cat >/dev/null
		mkfifo "$BATS_TEST_TMPDIR/in"
		"$HUSK" attach faulty <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/attached" 2>&1 3>&- &
		client=$!
		exec 4>"$BATS_TEST_TMPDIR/in"
		echo relayed >&4
		wait_for 20 grep -qx relayed "$BATS_TEST_TMPDIR/attached" || fail "attach relays nothing"
		kill_monitor_and_pid1
		# The client sees its monitor gone: it ends with a word, it does not
		# spin (it read EOF forever) or hang.
		wait_for 20 sh -c "! kill -0 $client 2>/dev/null" || fail "attach outlived its monitor"
		exec 4>&-
		wait "$client" || true
		grep -q "monitor went away" "$BATS_TEST_TMPDIR/attached" ||
			fail "attach said: $(cat "$BATS_TEST_TMPDIR/attached")"
		rm -f "$BATS_TEST_TMPDIR/in"
		recover $how faulty
		nothing_left || fail "monitor killed while relaying an attach, then $how"
	done
}

@test "faults: exec killed at every step" {
	"$HUSK" run --rm --network none busybox true
	local point how
	for point in exec.clone exec.started; do
		for how in rm repair; do
			"$HUSK" run -d --name faulty -p 127.0.0.1:18080:80 busybox sleep 100 >/dev/null
			fault $point exec faulty sleep 50
			# The container runs on: only rm ends it.
			status_is faulty running || fail "exec killed at $point stopped the container"
			[ $how = rm ] || recover repair faulty
			recover rm faulty
			nothing_left || fail "exec killed at $point, then $how"
		done
	done
}

# live_in_pid_namespace PID: the processes, not zombies, that share PID's
# PID namespace.
live_in_pid_namespace() {
	local ns p state
	ns=$(readlink "/proc/$1/ns/pid") || return 1
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
		state=$(awk '{print $3}' "$p/stat" 2>/dev/null) || continue
		[ "$state" = Z ] || echo "${p#/proc/}"
	done
}

# orphaned_at HUSK-ARGS...: runs husk-fault HUSK-ARGS and SIGKILLs it while
# the process it cloned waits at child.orphaned, before its PDEATHSIG.
orphaned_at() {
	rm -f "$TRACE"
	env --default-signal HUSK_FAULT=child.orphaned HUSK_FAULT_TRACE="$TRACE" \
		"$FAULT_HUSK" "$@" </dev/null >"$BATS_TEST_TMPDIR/fault.out" 2>&1 3>&- &
	local parent=$!
	wait_for 20 grep -q " child.orphaned waiting\$" "$TRACE" 2>/dev/null ||
		fail "no child waited at child.orphaned: $(cat "$TRACE" 2>/dev/null | xargs)" || return 1
	kill -9 "$parent"
	wait "$parent" || true
	# Decided once no husk-fault of this root is left: the child exited,
	# or it exec'd the command.
	wait_for 20 no_husk_fault_processes ||
		fail "husk-fault left: $(ps -o pid,ppid,stat,wchan:20,args -p "$(husk_fault_processes | xargs | tr ' ' ,)"); trace: $(xargs <"$TRACE")"
}

# The PDEATHSIG the child asks for comes too late for a parent that died
# before: it must see that on its own. The exec child is the one that would
# otherwise go on, orphaned, into the container; run's would find its
# socket closed, and what it made must go with the next command.
@test "faults: a child whose husk died before its PDEATHSIG runs nothing (exec, run)" {
	"$HUSK" run -d --name faulty --network none busybox sleep 100 >/dev/null
	local pid1 how
	pid1=$("$HUSK" inspect -f '{{.State.Pid}}' faulty)
	orphaned_at exec faulty sleep 51
	[ "$(live_in_pid_namespace "$pid1")" = "$pid1" ] ||
		fail "the orphaned exec child went on: $(ps -o pid,args -p "$(live_in_pid_namespace "$pid1" | xargs | tr ' ' ,)")"
	status_is faulty running
	recover rm faulty
	nothing_left
	for how in rm repair; do
		orphaned_at run --name faulty -p 127.0.0.1:18080:80 busybox sleep 52
		! pgrep -fx "sleep 52" || fail "the orphaned run child went on"
		recover $how faulty || fail "after $how"
		nothing_left || fail "after $how"
		same_name_runs || fail "after $how"
	done
}

@test "faults: rm killed at every step, then rm -f, prune or repair" {
	"$HUSK" run --rm --network none busybox true
	local point how
	for point in rm.opened rm.cgroups rm.network rm.volumes rm.directory; do
		for how in rm prune repair; do
			"$HUSK" run -d --name faulty -v /data -p 127.0.0.1:18080:80 busybox sleep 100 >/dev/null
			fault $point rm -fv faulty
			recover $how faulty
			# What prune and repair leave to rm -v: the anonymous volume.
			"$HUSK" volume prune -f >/dev/null
			nothing_left || fail "rm killed at $point, then $how"
		done
	done
}

@test "faults: load killed after a layer and after the image: the next load and image prune finish" {
	local archive=$BATS_TEST_TMPDIR/image.tar point
	busybox_image faulty_image true
	"$HUSK" save -o "$archive" faulty_image
	"$HUSK" rmi faulty_image >/dev/null
	for point in load.layer load.image; do
		fault $point load -i "$archive"
		run "$HUSK" load -i "$archive"
		expect_status 0
		run "$HUSK" run --rm --network none faulty_image true
		expect_status 0
		"$HUSK" rmi faulty_image >/dev/null
		"$HUSK" image prune -f >/dev/null
		[ -z "$(ls -A "$HUSK_ROOT/images/tmp" 2>/dev/null)" ] ||
			fail "image store tmp left: $(ls -A "$HUSK_ROOT/images/tmp")"
	done
	nothing_left
}

# A plain registry of this test's own (as pull.bats starts them), with one
# image of two layers pushed by skopeo.
registry_with_image() {
	local layout=$BATS_TEST_TMPDIR/layout
	registry_start faults 127.0.0.1:5090
	REGISTRY_PID=$(cat "$BATS_FILE_TMPDIR/faults/pid")
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	python3 "$(dirname "$BATS_TEST_FILENAME")/make_image.py" "$layout" <<JSON
{"config": {"Cmd": ["cat", "/message"]}, "layers": [
  {"compression": "gzip", "tar": "$BATS_TEST_TMPDIR/rootfs.tar"},
  {"compression": "gzip", "entries": [{"path": "message", "type": "file", "content": "pulled"}]}]}
JSON
	skopeo copy -q --dest-tls-verify=false "oci:$layout" docker://127.0.0.1:5090/faulty:1 >/dev/null
}

@test "faults: pull killed after a layer, after the config, before the manifest is named" {
	command -v docker-registry >/dev/null && command -v skopeo >/dev/null ||
		skip "docker-registry and skopeo are needed"
	registry_with_image
	local point
	for point in pull.layer pull.config pull.manifest; do
		fault $point pull 127.0.0.1:5090/faulty:1
		# Killed before the name was published: there is no such image yet.
		! "$HUSK" image inspect 127.0.0.1:5090/faulty:1 >/dev/null 2>&1 ||
			fail "killed at $point, the image has a name"
		run "$HUSK" pull 127.0.0.1:5090/faulty:1
		expect_status 0
		run "$HUSK" run --rm --network none 127.0.0.1:5090/faulty:1
		expect_output "pulled"
		"$HUSK" rmi 127.0.0.1:5090/faulty:1 >/dev/null
		"$HUSK" image prune -f >/dev/null
		[ -z "$(ls -A "$HUSK_ROOT/images/tmp" 2>/dev/null)" ] ||
			fail "image store tmp left: $(ls -A "$HUSK_ROOT/images/tmp")"
	done
	kill "$REGISTRY_PID"
	wait "$REGISTRY_PID" 2>/dev/null || true
	nothing_left
}
