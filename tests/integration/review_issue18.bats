#!/usr/bin/env bats
# Attacks on issue 18's parts together: restart policies, health checks, log
# drivers and events, where one part's monitor state meets another's.

load helpers

setup() {
	keeping_setup
}

teardown() {
	removing_teardown
}

restarted_at_least() {
	[ "$(husk inspect -f '{{.RestartCount}}' "$1")" -ge "$2" ]
}

# ptys C: how many pty masters C's monitor holds.
ptys() {
	local fd count=0
	for fd in /proc/"$(monitor_of "$1")"/fd/*; do
		case $(readlink "$fd") in *ptmx) count=$((count + 1)) ;; esac
	done
	echo "$count"
}

@test "a -t container crashing under --restart always does not pile up pty masters in its monitor" {
	husk run -d -t --name tl --network none --restart always busybox false >/dev/null
	wait_for 20 restarted_at_least tl 5
	wait_for 10 status_is tl restarting
	# Between two runs no PID 1 has a terminal: the monitor needs none.
	run ptys tl
	[ "$output" -le 1 ] || fail "the monitor holds $output pty masters after 5 runs"
	husk rm -f tl >/dev/null
}

pss_of() {
	awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"
}

# bench/lifecycle.sh's budget, measured after the policy ran PID 1 again:
# record_exit, wait_backoff and relaunch run jansson, the spec parser,
# cgroup and netlink code in the monitor itself, and their pages stay
# mapped for the container's life (1203 KiB vs 226 KiB before they moved to
# the restarter, a child of the monitor).
@test "the idle monitor's Pss stays in budget after its restart policy ran PID 1 again" {
	husk run -d --name ps1 --network none --restart always --health-cmd true \
		--health-interval 1s --log-driver json-file busybox \
		sh -c '[ -e /ran ] || { touch /ran; exit 3; }; exec sleep 1000' >/dev/null
	wait_for 20 restarted_at_least ps1 1
	wait_for 10 status_is ps1 running
	sleep 2.5
	# ASan's shadow memory and allocator make a sanitizer build's monitor
	# ~9 MiB: the budget is the release build's (bench/lifecycle.sh).
	[ -z "${HUSK_SANITIZER_LOGS:-}" ] || skip "a sanitizer build's Pss says nothing of the budget"
	pss=$(pss_of "$(monitor_of ps1)")
	[ "$pss" -le 300 ] || fail "the monitor's Pss is $pss KiB after one restart"
	husk rm -f ps1 >/dev/null
}

log_length_at_least() {
	[ "$(husk inspect -f '{{len .State.Health.Log}}' "$1")" -ge "$2" ]
}

@test "a health probe that floods its output is still killed at --health-timeout" {
	husk run -d --name flood --network none --health-cmd 'cat /dev/zero' --health-timeout 1s \
		--health-interval 1s busybox sleep 1000 >/dev/null
	# The prober must not spin reading for ever: the timeout holds.
	wait_for 15 log_length_at_least flood 1
	run husk inspect -f '{{(index .State.Health.Log 0).ExitCode}}' flood
	expect_output -1
	husk rm -f flood >/dev/null
}

@test "a health probe whose child keeps writing after it exits is recorded" {
	husk run -d --name orphan --network none \
		--health-cmd 'cat /dev/zero & exit 0' --health-timeout 5s \
		--health-interval 1s busybox sleep 1000 >/dev/null
	wait_for 15 log_length_at_least orphan 1
	run husk inspect -f '{{(index .State.Health.Log 0).ExitCode}}' orphan
	expect_output 0
	husk rm -f orphan >/dev/null
}

@test "rm -f and stop racing a crash loop's exits, back-offs and relaunches leave nothing" {
	for i in 1 2 3 4 5 6; do
		husk run -d --name race$i --network none --restart always busybox false >/dev/null
		sleep 0.0$((i * 15))
		if [ $((i % 2)) = 0 ]; then
			husk stop -t 1 race$i >/dev/null
			run husk inspect -f '{{.State.Status}}' race$i
			expect_output exited
			sleep 0.5
			run husk inspect -f '{{.State.Status}}' race$i
			expect_output exited
		fi
		husk rm -f race$i >/dev/null
	done
	run husk ps -aq
	expect_output ""
}

@test "a monitor killed in its back-off: start runs the container again under a new monitor" {
	husk run -d --name mk2 --network none --restart always busybox sh -c 'sleep 0.3; exit 1' >/dev/null
	wait_for 10 restarted_at_least mk2 3
	wait_for 10 status_is mk2 restarting
	kill -KILL "$(monitor_of mk2)"
	wait_for 10 status_is mk2 exited
	husk start mk2 >/dev/null
	run husk inspect -f '{{.State.Status}} {{.RestartCount}}' mk2
	expect_output "running 0"
	husk rm -f mk2 >/dev/null
}
