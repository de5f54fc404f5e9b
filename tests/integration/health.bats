#!/usr/bin/env bats
# Health checks (issue 18): --health-* and --no-healthcheck, the image's
# HEALTHCHECK, the monitor's probes (State.Health, ps), `healthcheck run`.

load helpers

setup() {
	keeping_setup
}

teardown() {
	removing_teardown
}

# State.Health.Status, or none (husk's templates refuse a missing key).
health_status() {
	local state
	state=$(husk inspect -f '{{json .State}}' "$1") || return 1
	if [[ $state =~ \"Health\":\{\"Status\":\"([a-z]+)\" ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo none
	fi
}

# health_is CONTAINER STATUS: for wait_for.
health_is() {
	[ "$(health_status "$1")" = "$2" ]
}

log_length_at_least() {
	[ "$(husk inspect -f '{{len .State.Health.Log}}' "$1")" -ge "$2" ]
}

no_process() {
	! pgrep -fx "$1" >/dev/null
}

plant_nothing() {
	:
}

@test "health: a passing --health-cmd turns healthy; State.Health, Config.Healthcheck, ps" {
	husk run -d --name hc --network none --health-cmd 'echo ok' --health-interval 1s \
		busybox sleep 100 >/dev/null
	run husk ps --format '{{.Status}}' --filter name=hc
	expect_match '^Up .* \(health: starting\)$'
	run husk ps -q --filter health=starting
	expect_output "$(husk inspect -f '{{.Id}}' hc | cut -c1-12)"
	wait_for 10 health_is hc healthy
	run husk inspect -f '{{json .Config.Healthcheck}}' hc
	expect_output '{"Test":["CMD-SHELL","echo ok"],"Interval":1000000000}'
	run husk inspect -f '{{.State.Health.FailingStreak}} {{(index .State.Health.Log 0).ExitCode}} {{json (index .State.Health.Log 0).Output}}' hc
	expect_output '0 0 "ok\n"'
	run husk inspect -f '{{json (index .State.Health.Log 0)}}' hc
	expect_match '^\{"Start":"[0-9-]+T[0-9:.]+Z","End":"[0-9-]+T[0-9:.]+Z","ExitCode":0,"Output":"ok\\n"\}$'
	run husk ps --format '{{.Status}}' --filter name=hc
	expect_match '^Up .* \(healthy\)$'
	run husk ps -q --filter health=healthy
	expect_output "$(husk inspect -f '{{.Id}}' hc | cut -c1-12)"
	run husk ps -q --filter health=none
	expect_output ""
}

@test "health: a failing check is unhealthy after --health-retries failures; the Log keeps 5" {
	husk run -d --name sick --network none --health-cmd 'echo bad >&2; false' \
		--health-interval 1s --health-retries 2 busybox sleep 100 >/dev/null
	wait_for 10 log_length_at_least sick 1
	run husk inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' sick
	expect_output 'starting 1'
	wait_for 10 health_is sick unhealthy
	run husk inspect -f '{{(index .State.Health.Log 0).ExitCode}} {{json (index .State.Health.Log 0).Output}}' sick
	expect_output '1 "bad\n"'
	run husk ps --format '{{.Status}}' --filter name=sick
	expect_match '^Up .* \(unhealthy\)$'
	wait_for 15 eval '[ "$(husk inspect -f "{{.State.Health.FailingStreak}}" sick)" -ge 6 ]'
	run husk inspect -f '{{len .State.Health.Log}}' sick
	expect_output 5
}

@test "health: failures in the start period do not count; a pass ends it" {
	husk run -d --name slow --network none --health-cmd false --health-interval 1s \
		--health-start-period 4s --health-start-interval 1s --health-retries 1 \
		busybox sleep 100 >/dev/null
	husk run -d --name quick --network none --health-cmd true --health-start-period 60s \
		--health-start-interval 1s busybox sleep 100 >/dev/null
	wait_for 10 log_length_at_least slow 2
	run husk inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' slow
	expect_output 'starting 0'
	wait_for 15 health_is slow unhealthy
	run husk inspect -f '{{.State.Health.FailingStreak}}' slow
	expect_output 1
	# The interval is docker's 30s: only the start interval probes this soon.
	wait_for 10 health_is quick healthy
}

@test "health: a probe past --health-timeout is killed and fails with exit code -1" {
	husk run -d --name late --network none --health-cmd 'sleep 37' --health-timeout 1s \
		--health-interval 1s --health-retries 1 busybox sleep 100 >/dev/null
	wait_for 15 health_is late unhealthy
	run husk inspect -f '{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}' late
	expect_output '-1 Health check exceeded timeout (1s)'
	husk rm -f late >/dev/null
	run pgrep -fx 'sleep 37'
	expect_status 1
}

@test "health: --no-healthcheck over an image's HEALTHCHECK; the image's applies otherwise" {
	busybox_image hcimg plant_nothing 'HEALTHCHECK --interval=1s --retries=4 CMD echo from-image'
	run husk image inspect -f '{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Retries}}' hcimg
	expect_output '["CMD-SHELL","echo from-image"] 1000000000 4'
	husk run -d --name off --network none --no-healthcheck hcimg sleep 100 >/dev/null
	husk run -d --name img --network none hcimg sleep 100 >/dev/null
	husk run -d --name mixed --network none --health-retries 7 --health-timeout 2s hcimg \
		sleep 100 >/dev/null
	run husk inspect -f '{{json .Config.Healthcheck}}' off
	expect_output '{"Test":["NONE"],"Interval":1000000000,"Retries":4}'
	run husk inspect -f '{{json .Config.Healthcheck}}' mixed
	expect_output '{"Test":["CMD-SHELL","echo from-image"],"Interval":1000000000,"Timeout":2000000000,"Retries":7}'
	wait_for 10 health_is img healthy
	run husk inspect -f '{{json (index .State.Health.Log 0).Output}}' img
	expect_output '"from-image\n"'
	run health_status off
	expect_output none
	run husk ps --format '{{.Status}}' --filter name=off
	expect_match '^Up [^(]*$'
	run husk ps --format '{{.Names}}' --filter health=none
	expect_output off
	husk rm -f off img mixed >/dev/null
	husk rmi hcimg >/dev/null
}

@test "healthcheck run: one probe by hand, recorded; exit 0 or 1 and unhealthy" {
	husk run -d --name manual --network none --health-cmd 'cat /tmp/ok' --health-interval 1h \
		busybox sleep 100 >/dev/null
	run --separate-stderr husk healthcheck run manual
	expect_status 1
	expect_output unhealthy
	run husk inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{(index .State.Health.Log 0).ExitCode}}' manual
	expect_output 'starting 1 1'
	husk exec manual sh -c 'echo fine >/tmp/ok'
	run husk healthcheck run manual
	expect_status 0
	expect_output ""
	run husk inspect -f '{{.State.Health.Status}} {{len .State.Health.Log}} {{json (index .State.Health.Log 1).Output}}' manual
	expect_output 'healthy 2 "fine\n"'
	# A probe past its timeout, by hand: killed, with its children.
	husk run -d --name manual-late --network none --health-cmd 'sleep 37; true' \
		--health-timeout 500ms --health-interval 1h busybox sleep 100 >/dev/null
	run husk healthcheck run manual-late
	expect_status 1
	run husk inspect -f '{{(index .State.Health.Log 0).Output}}' manual-late
	expect_output 'Health check exceeded timeout (500ms)'
	run pgrep -fx 'sleep 37'
	expect_status 1
}

@test "healthcheck run: no health check, not running, no such container, usage" {
	husk run -d --name plain --network none busybox sleep 100 >/dev/null
	husk create --name made --network none --health-cmd true busybox true >/dev/null
	run --separate-stderr husk healthcheck run plain
	expect_husk_error 125 'container plain has no health check configured'
	run --separate-stderr husk healthcheck run made
	expect_husk_error 125 'container made is not running'
	run health_status made
	expect_output none
	run --separate-stderr husk healthcheck run nosuch
	expect_husk_error 125 'No such container: nosuch'
	run --separate-stderr husk healthcheck
	expect_husk_error 125 'requires a command'
	run --separate-stderr husk healthcheck run
	expect_husk_error 125 'requires exactly 1 argument'
	run --separate-stderr husk healthcheck check plain
	expect_husk_error 125 'unknown command "healthcheck check"'
	run --separate-stderr husk healthcheck run a b
	expect_husk_error 125 'requires exactly 1 argument'
}

@test "health flags: bad durations, negative values and conflicts: one line, 125, nothing made" {
	local bad
	for bad in '--health-interval 5:missing unit in duration "5"' \
		'--health-interval abc:invalid duration "abc"' \
		'--health-timeout 3d:unknown unit in duration "3d"' \
		'--health-timeout -1s:--health-timeout cannot be negative' \
		'--health-start-period -2m:--health-start-period cannot be negative' \
		'--health-start-interval 500us:StartInterval in Healthcheck cannot be less than 1ms' \
		'--health-retries -1:--health-retries cannot be negative' \
		'--health-retries x:invalid argument "x" for "--health-retries" flag' \
		'--no-healthcheck --health-cmd=true:--no-healthcheck conflicts with --health-\* options'; do
		run --separate-stderr husk run -d --network none ${bad%%:*} busybox true
		expect_husk_error 125 "${bad#*:}"
		run --separate-stderr husk create --network none ${bad%%:*} busybox true
		expect_husk_error 125 "${bad#*:}"
	done
	run husk ps -aq
	expect_output ""
	# docker's: 0 is the default, and an empty command leaves the image's.
	run husk create --network none --no-healthcheck --health-interval 0s --health-cmd '' busybox true
	expect_status 0
	run husk inspect -f '{{json .Config.Healthcheck}}' "$output"
	expect_output '{"Test":["NONE"]}'
}

@test "health: stop, start and rm -f mid-probe leave no probe or prober behind" {
	husk run -d --name busy --network none --health-cmd 'sleep 37' --health-interval 1s \
		busybox sleep 100 >/dev/null
	wait_for 10 eval 'pgrep -fx "sleep 37" >/dev/null'
	run husk stop -t 1 busy
	expect_status 0
	wait_for 5 no_process 'sleep 37'
	run husk inspect -f '{{.State.Status}} {{.State.Health.Status}}' busy
	expect_output 'exited starting'
	husk start busy >/dev/null
	run husk inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' busy
	expect_output 'starting 0'
	wait_for 10 eval 'pgrep -fx "sleep 37" >/dev/null'
	husk rm -f busy >/dev/null
	wait_for 5 no_process 'sleep 37'
	run husk ps -aq
	expect_output ""
}
