#!/usr/bin/env bats
# Restart policies (issue 18): the monitor runs PID 1 again with docker's
# back-off; stop and kill by the user end the policy until start; after a
# reboot `start --all --filter restart-policy=...` runs what should run.

load helpers

setup() {
	keeping_setup
}

teardown() {
	removing_teardown
}

# state C: "Status RestartCount ExitCode Restarting".
state() {
	husk inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}} {{.State.Restarting}}' "$1"
}

state_is() {
	[ "$(state "$1")" = "$2" ]
}

pid_is_not() {
	local pid
	pid=$(husk inspect -f '{{.State.Pid}}' "$1")
	[ "$pid" != 0 ] && [ "$pid" != "$2" ]
}

@test "on-failure:2 runs PID 1 three times, then keeps its last exit code" {
	husk run -d --name of --network none --restart on-failure:2 busybox sh -c 'exit 3'
	wait_for 10 state_is of "exited 2 3 false"
	run husk inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' of
	expect_output on-failure:2
	run husk ps -a --format '{{.Status}}'
	expect_match '^Exited \(3\)'
	# Its monitor is gone: nothing runs it again.
	wait_for 10 no_monitor of
	# A clean exit is no failure.
	husk run -d --name ok --network none --restart on-failure busybox true
	wait_for 10 status_is ok exited
	sleep 0.3
	run state ok
	expect_output "exited 0 0 false"
}

@test "always runs PID 1 again when the host kills it; stop ends the policy, start resumes it" {
	husk run -d --name al --network none --restart always busybox sleep 1000
	pid=$(husk inspect -f '{{.State.Pid}}' al)
	monitor=$(monitor_of al)
	kill -KILL "$pid"
	wait_for 10 pid_is_not al "$pid"
	run state al
	expect_output "running 1 0 false"
	# The same monitor, the same container.
	run monitor_of al
	expect_output "$monitor"
	run husk exec al echo inside
	expect_output inside
	husk stop -t 1 al
	run state al
	expect_output "exited 1 137 false"
	sleep 0.5
	run state al
	expect_output "exited 1 137 false"
	run monitor_of al
	expect_status 1
	# start: the policy applies again, counted from 0.
	husk start al
	run state al
	expect_output "running 0 0 false"
	pid=$(husk inspect -f '{{.State.Pid}}' al)
	kill -KILL "$pid"
	wait_for 10 pid_is_not al "$pid"
	run state al
	expect_output "running 1 0 false"
}

@test "kill by the user ends the policy too; another signal than SIGKILL or the stop signal does not" {
	husk run -d --name ki --network none --restart unless-stopped busybox sleep 1000
	husk kill ki
	wait_for 10 status_is ki exited
	sleep 0.5
	run state ki
	expect_output "exited 0 137 false"
	# docker's rule: a signal that is not the stop signal is only passed on.
	husk run -d --name usr --network none --restart always busybox \
		sh -c 'trap "exit 5" USR1; sleep 1000 & wait'
	pid=$(husk inspect -f '{{.State.Pid}}' usr)
	husk kill -s USR1 usr
	wait_for 10 pid_is_not usr "$pid"
	run state usr
	expect_output "running 1 0 false"
	# SIGKILL between two runs ends the wait, as stop does.
	husk run -d --name kb --network none --restart always busybox false
	wait_for 10 status_is kb restarting
	husk kill kb
	run state kb
	expect_match '^exited [0-9]+ 1 false$'
	run monitor_of kb
	expect_status 1
}

@test "docker's back-off: 100 ms doubling, so a crashing PID 1 is not run hundreds of times" {
	husk run -d --name bo --network none --restart always busybox false
	sleep 2
	count=$(husk inspect -f '{{.RestartCount}}' bo)
	# 0.1 + 0.2 + 0.4 + 0.8 s: about 4 runs again in 2 s (without back-off: dozens).
	[ "$count" -ge 3 ] && [ "$count" -le 5 ] || fail "restarted $count times in 2 s"
	husk stop bo
}

@test "between two runs: ps says Restarting, stop ends the wait at once, rm needs -f" {
	husk run -d --name bw --network none --restart always busybox false
	# From the 5th run on the wait is 1.6 s or more.
	wait_for 10 eval '[ "$(husk inspect -f "{{.RestartCount}}" bw)" -ge 5 ]'
	wait_for 10 status_is bw restarting
	run husk inspect -f '{{.State.Restarting}} {{.State.Running}} {{.State.Pid}}' bw
	expect_output "true true 0"
	run husk ps --format '{{.Status}}'
	expect_match '^Restarting \(1\) '
	run --separate-stderr husk rm bw
	expect_husk_error 1 'cannot remove restarting container bw'
	# A signal other than SIGKILL or the stop signal has no PID 1 to go to.
	run --separate-stderr husk kill -s HUP bw
	expect_husk_error 1 'is restarting'
	start=$(date +%s%N)
	husk stop bw
	elapsed=$((($(date +%s%N) - start) / 1000000))
	[ "$elapsed" -lt 1000 ] || fail "stop took $elapsed ms"
	run state bw
	expect_match '^exited [0-9]+ 1 false$'
	run monitor_of bw
	expect_status 1
	husk start bw
	wait_for 10 status_is bw restarting
	husk rm -f bw
	run husk ps -aq
	expect_output ""
}

@test "a monitor killed between two runs leaves a container the next command cleans up" {
	husk run -d --name mk --network none --restart always busybox false
	wait_for 10 status_is mk restarting
	kill -KILL "$(monitor_of mk)"
	wait_for 10 status_is mk exited
	run husk ps -a --format '{{.Status}}'
	expect_match '^Exited \(1\)'
	husk rm mk
}

@test "the address on its network is kept across runs when still free" {
	husk network create rnet >/dev/null
	husk run -d --name ad --network rnet --restart always busybox sleep 1000
	ip=$(husk inspect -f '{{.NetworkSettings.Networks.rnet.IPAddress}}' ad)
	[ -n "$ip" ]
	pid=$(husk inspect -f '{{.State.Pid}}' ad)
	kill -KILL "$pid"
	wait_for 10 pid_is_not ad "$pid"
	run husk inspect -f '{{.NetworkSettings.Networks.rnet.IPAddress}}' ad
	expect_output "$ip"
	run husk exec ad ip -4 -o addr show eth0
	expect_match "inet $ip/"
	# What husk keeps for itself stays out of docker's shape.
	husk stop -t 0 ad >/dev/null
	run husk inspect ad
	[[ $output != *PreviousIPAddress* && $output != *HasBeenManuallyStopped* ]] ||
		fail "inspect shows husk's own keys"
	husk start ad >/dev/null
	run husk inspect -f '{{.NetworkSettings.Networks.rnet.IPAddress}}' ad
	expect_output "$ip"
	husk rm -f ad
	husk network rm rnet
}

@test "update --restart changes the policy of a running container" {
	husk run -d --name up --network none busybox sleep 1000
	husk update --restart on-failure:1 up
	run husk inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' up
	expect_output on-failure:1
	pid=$(husk inspect -f '{{.State.Pid}}' up)
	kill -KILL "$pid"
	wait_for 10 pid_is_not up "$pid"
	pid=$(husk inspect -f '{{.State.Pid}}' up)
	kill -KILL "$pid"
	wait_for 10 status_is up exited
	run state up
	expect_output "exited 1 137 false"
	run --separate-stderr husk update --restart sometimes up
	expect_husk_error 125 'invalid restart policy "sometimes"'
	husk run -d --name autorm --rm --network none busybox sleep 1000
	run --separate-stderr husk update --restart always autorm
	expect_husk_error 125 'removed when it exits'
}

@test "start --all --filter restart-policy: what a boot starts" {
	husk run -d --name b-always --network none --restart always busybox sleep 1000
	husk run -d --name b-unless --network none --restart unless-stopped busybox sleep 1000
	husk run -d --name b-crashed --network none --restart unless-stopped busybox sleep 1000
	husk run -d --name b-no --network none busybox sleep 1000
	husk create --name b-created --network none --restart always busybox sleep 1000 >/dev/null
	husk stop -t 0 b-always b-unless b-no >/dev/null
	# A reboot: the monitor and PID 1 die without a word.
	monitor=$(monitor_of b-crashed)
	pid=$(husk inspect -f '{{.State.Pid}}' b-crashed)
	kill -KILL "$monitor" "$pid"
	wait_for 10 status_is b-crashed exited
	run husk start --all --filter restart-policy=always --filter restart-policy=unless-stopped
	expect_status 0
	[ "${#lines[@]}" = 2 ] || fail "started: $output"
	run husk ps --format '{{.Names}}'
	expect_output "$(printf 'b-crashed\nb-always')"
	run husk start --all
	expect_status 0
	run --separate-stderr husk start --all --filter restart-policy=sometimes
	expect_husk_error 1 'invalid restart policy "sometimes"'
	run --separate-stderr husk start --all --filter name=x
	expect_husk_error 1 'unsupported filter'
	run --separate-stderr husk start --filter restart-policy=always b-no
	expect_husk_error 1 'needs --all'
}

@test "a foreground run with a policy gets PID 1's first exit; the monitor goes on" {
	run husk run --name fg --network none --restart on-failure:1 busybox sh -c 'echo once; exit 4'
	expect_status 4
	expect_output once
	wait_for 10 state_is fg "exited 1 4 false"
	run husk logs fg
	expect_output "$(printf 'once\nonce')"
}

@test "bad --restart values: one line, exit 125, nothing created" {
	for bad in sometimes always:3 on-failure:-1 on-failure:x no:1; do
		run --separate-stderr husk run -d --network none --restart "$bad" busybox true
		expect_husk_error 125 'invalid restart policy'
	done
	run --separate-stderr husk run --rm --network none --restart always busybox true
	expect_husk_error 125 'conflicting options: --restart always and --rm'
	run --separate-stderr husk create --restart bogus busybox true
	expect_husk_error 125 'invalid restart policy'
	run husk ps -aq
	expect_output ""
}

@test "events: die and restart at each run of the policy, restart for husk restart" {
	since=$(date +%s.%N)
	husk run -d --name ev --network none --restart on-failure:1 busybox sh -c 'exit 3' >/dev/null
	wait_for 10 state_is ev "exited 1 3 false"
	wait_for 10 no_monitor ev
	run husk events --since "$since" --until "$(date +%s.%N)" --filter container=ev --format '{{.Action}}'
	expect_output "$(printf 'create\nstart\ndie\nstart\nrestart\ndie')"
	run husk events --since "$since" --until "$(date +%s.%N)" --filter event=die --format '{{index .Actor.Attributes "exitCode"}}'
	expect_output "$(printf '3\n3')"
	since=$(date +%s.%N)
	husk restart ev >/dev/null
	run husk events --since "$since" --until "$(date +%s.%N)" --filter container=ev --format '{{.Action}}'
	expect_match '^start'$'\n''restart'
	husk rm -f ev >/dev/null
}

health_is() {
	[ "$(husk inspect -f '{{json .State}}' "$1" | python3 -c 'import json,sys; print((json.load(sys.stdin).get("Health") or {}).get("Status"))')" = "$2" ]
}

@test "a health check begins again at each run of the policy, and says so in events" {
	since=$(date +%s.%N)
	husk run -d --name hc --network none --restart always --health-cmd true --health-interval 1s \
		busybox sleep 1000 >/dev/null
	wait_for 10 health_is hc healthy
	pid=$(husk inspect -f '{{.State.Pid}}' hc)
	kill -KILL "$pid"
	wait_for 10 pid_is_not hc "$pid"
	run health_is hc starting
	expect_status 0
	wait_for 10 health_is hc healthy
	run husk ps --format '{{.Status}}'
	expect_match '^Up .* \(healthy\)$'
	run husk events --since "$since" --until "$(date +%s.%N)" --filter event=health_status \
		--format '{{.Action}}'
	expect_output "$(printf 'health_status: healthy\nhealth_status: healthy')"
	husk rm -f hc >/dev/null
}
