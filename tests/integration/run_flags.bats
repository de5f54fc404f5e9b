#!/usr/bin/env bats
# The everyday `run` flags that shape the container's process (issue 17):
# --cap-add, --cap-drop, --ulimit, --oom-score-adj.

load helpers

@test "run --cap-drop ALL --cap-add NET_ADMIN: exactly that capability" {
	run husk run --rm --network none --cap-drop ALL --cap-add net_admin busybox \
		sh -c 'grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status'
	expect_status 0
	expect_output "$(printf 'CapPrm:\t0000000000001000\nCapEff:\t0000000000001000\nCapBnd:\t0000000000001000')"
}

@test "run --cap-drop CHOWN removes one default; --cap-add ALL gives every one husk has" {
	run husk run --rm --network none --cap-drop CAP_CHOWN busybox sh -c 'sed -n "s/^CapEff:\t//p" /proc/self/status'
	expect_status 0
	[ "$output" = "$(printf '%016x' $((0x$DEFAULT_CAPS & ~1)))" ] || fail "got $output"
	run husk run --rm --network none --cap-add ALL --cap-drop MKNOD busybox sh -c 'sed -n "s/^CapEff:\t//p" /proc/self/status'
	expect_status 0
	bound=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
	[ "$output" = "$(printf '%016x' $((0x$bound & ~(1 << 27))))" ] || fail "got $output, husk's bounding set $bound"
}

@test "run --ulimit and --oom-score-adj reach the process" {
	run husk run --rm --network none --ulimit nofile=512:1024 --ulimit core=-1 --oom-score-adj 300 busybox \
		sh -c 'ulimit -n; ulimit -Hn; ulimit -c; cat /proc/self/oom_score_adj'
	expect_status 0
	expect_output "$(printf '512\n1024\nunlimited\n300')"
}

@test "bad --cap-add, --ulimit and --oom-score-adj: one line, exit 125, nothing left" {
	run --separate-stderr husk run --rm --network none --cap-add BOGUS busybox true
	expect_husk_error 125 'unknown capability "BOGUS" in --cap-add'
	run --separate-stderr husk run --rm --network none --cap-drop NOPE busybox true
	expect_husk_error 125 'unknown capability "NOPE" in --cap-drop'
	run --separate-stderr husk run --rm --network none --ulimit nofile=10:5 busybox true
	expect_husk_error 125 'the soft limit is above the hard one'
	run --separate-stderr husk run --rm --network none --ulimit foo=1 busybox true
	expect_husk_error 125 'unknown limit FOO'
	run --separate-stderr husk run --rm --network none --ulimit nofile busybox true
	expect_husk_error 125 'not NAME=SOFT\[:HARD\]'
	run --separate-stderr husk run --rm --network none --ulimit nofile=100000000:100000000 busybox true
	expect_husk_error 125 'RLIMIT_NOFILE 100000000:100000000 refused'
	run --separate-stderr husk run --rm --network none --oom-score-adj 2000 busybox true
	expect_husk_error 125 'from -1000 to 1000'
	[ "$(count_containers)" = 0 ]
}

@test "run --entrypoint replaces the image's entrypoint and Cmd; \"\" leaves none" {
	run husk run --rm --network none --entrypoint echo busybox hello there
	expect_status 0
	expect_output "hello there"
	run husk run --rm --network none --entrypoint "" busybox echo plain
	expect_status 0
	expect_output "plain"
	run --separate-stderr husk run --rm --network none --entrypoint "" busybox
	expect_husk_error 125 'no command given'
	[ "$(count_containers)" = 0 ]
}

@test "run --stop-signal: what stop sends first; an unknown one is refused" {
	keep_containers=1
	husk run -d --network none --name stopsig --stop-signal USR1 busybox \
		sh -c 'trap "exit 7" USR1; while :; do sleep 0.1; done'
	sleep 0.3
	run husk stop -t 20 stopsig
	expect_status 0
	run husk inspect -f '{{.State.ExitCode}} {{.Config.StopSignal}}' stopsig
	expect_output "7 USR1"
	husk rm stopsig
	run --separate-stderr husk run --rm --network none --stop-signal NOPE busybox true
	expect_husk_error 125 'unknown signal "NOPE" in --stop-signal'
}
