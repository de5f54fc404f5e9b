#!/usr/bin/env bats
# Errors: exit status 125 (husk's own), 126 (cannot execute), 127 (not found);
# exactly one "husk: " line on stderr; and no partial state left behind: no
# container directory, name, cgroup or mount (the teardown checks cgroups,
# mounts and processes after every test; these tests check the containers).

load helpers

# husk_fails STATUS [REGEX] -- HUSK-ARGS...: runs husk (without --rm, so a
# leftover would show) and checks the error and that nothing was created.
husk_fails() {
	local expected=$1 regex=
	shift
	if [ "$1" != -- ]; then
		regex=$1
		shift
	fi
	shift
	run --separate-stderr husk "$@"
	expect_husk_error "$expected" "$regex" || return 1
	[ "$(count_containers)" = 0 ] || fail "husk $* left a container: $(list_containers)"
	[ -z "$(ls -A "$HUSK_ROOT/names" 2>/dev/null)" ] || fail "husk $* left a name: $(ls -A "$HUSK_ROOT/names")"
}

@test "unknown image: 125" {
	husk_fails 125 -- run nosuchimage true
	husk_fails 125 -- run --rm nosuchimage true
}

@test "unknown option: 125" {
	husk_fails 125 -- run --bogus busybox true
	husk_fails 125 -- run -Z busybox true
	husk_fails 125 -- --bogus run busybox true
}

@test "unknown command: 125" {
	husk_fails 125 -- nosuchcommand
}

@test "run without an image: 125" {
	husk_fails 125 -- run
	husk_fails 125 -- run --rm
}

@test "option missing its value: 125" {
	husk_fails 125 -- run --name
	husk_fails 125 -- run -e
	husk_fails 125 -- --root
}

@test "malformed -e: 125" {
	husk_fails 125 -- run -e =x busybox true
	husk_fails 125 -- run -e '' busybox true
	husk_fails 125 -- run --env =x busybox true
}

@test "malformed -u: 125" {
	husk_fails 125 -- run -u : busybox true
	husk_fails 125 -- run -u a:b:c busybox true
	husk_fails 125 -- run -u '' busybox true
}

@test "unknown user or group: 125" {
	husk_fails 125 -- run -u nosuchuser busybox true
	husk_fails 125 -- run -u root:nosuchgroup busybox true
	husk_fails 125 -- run --user nosuchuser:0 busybox true
}

@test "nonexistent or relative working directory: 125" {
	husk_fails 125 -- run -w /nonexistent busybox true
	husk_fails 125 -- run --workdir /nonexistent busybox true
	husk_fails 125 -- run -w tmp busybox true
}

@test "working directory that is a file: 125" {
	husk_fails 125 -- run -w /etc/passwd busybox true
}

@test "invalid --name: 125" {
	husk_fails 125 -- run --name -bad busybox true
	husk_fails 125 -- run --name 'a b' busybox true
	husk_fails 125 -- run --name '' busybox true
	husk_fails 125 -- run --name 'a/b' busybox true
	husk_fails 125 -- run --name .. busybox true
}

@test "invalid --network: 125" {
	husk_fails 125 -- run --network bogus busybox true
	husk_fails 125 -- run --net bridge0 busybox true
}

@test "a failed run does not reserve its name" {
	husk_fails 125 -- run --name kept-free nosuchimage true
	husk_fails 125 -- run --name kept-free -u nosuchuser busybox true
	husk_fails 125 -- run --name kept-free -w /nonexistent busybox true
	run husk run --rm --name kept-free busybox true
	expect_status 0
}

@test "command not found: 127" {
	run -127 --separate-stderr husk run --rm busybox nosuchcmd
	expect_husk_error 127
	run -127 --separate-stderr husk run --rm busybox /nonexistent/path
	expect_husk_error 127
	[ "$(count_containers)" = 0 ] || fail "left: $(list_containers)"
}

@test "command not executable: 126" {
	run --separate-stderr husk run --rm busybox /etc/passwd
	expect_husk_error 126
	run --separate-stderr husk run --rm busybox /etc
	expect_husk_error 126
	[ "$(count_containers)" = 0 ] || fail "left: $(list_containers)"
}

@test "options after the image belong to the command" {
	run -127 --separate-stderr husk run --rm busybox --name x
	expect_husk_error 127
	run husk run --rm busybox echo --rm -e X=1
	expect_status 0
	expect_output "--rm -e X=1"
}

@test "a command's own exit 125, 126, 127 pass through" {
	run husk run --rm busybox sh -c 'exit 125'
	expect_status 125
	run husk run --rm busybox sh -c 'exit 126'
	expect_status 126
	run -127 husk run --rm busybox sh -c 'exit 127'
	expect_status 127
}

@test "--root that cannot be created: 125" {
	: >"$BATS_TEST_TMPDIR/a-file"
	run --separate-stderr husk --root "$BATS_TEST_TMPDIR/a-file/root" run --rm busybox true
	expect_husk_error 125
}
