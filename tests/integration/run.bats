#!/usr/bin/env bats
# husk run: the basics (CLI, output, exit status, stdio, environment, user,
# working directory, host name, files, --rm, --name, --read-only, --root).

load helpers

@test "husk --help prints usage on stdout and exits 0" {
	run --separate-stderr husk --help
	expect_status 0
	expect_match 'Usage: husk'
	expect_match 'run'
	[ -z "$stderr" ] || fail "unexpected stderr: $stderr"
}

@test "husk --version prints 'husk version X.Y.Z'" {
	run --separate-stderr husk --version
	expect_status 0
	expect_match '^husk version [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "husk run --help prints usage on stdout and exits 0" {
	run --separate-stderr husk run --help
	expect_status 0
	expect_match 'Usage: husk run'
	[ -z "$stderr" ] || fail "unexpected stderr: $stderr"
	[ "$(count_containers)" = 0 ]
}

@test "run prints the command's output and exits 0" {
	run --separate-stderr husk run --rm busybox echo hello world
	expect_status 0
	expect_output "hello world"
	[ -z "$stderr" ] || fail "unexpected stderr: $stderr"
}

@test "the image's default command is sh" {
	run bash -c 'echo "echo from-default-sh; cat /proc/1/comm" | "$HUSK" run --rm -i busybox'
	expect_status 0
	expect_output "from-default-sh
sh"
}

@test "exit status is the command's: 0, 1, 7" {
	run husk run --rm busybox true
	expect_status 0
	run husk run --rm busybox false
	expect_status 1
	run husk run --rm busybox sh -c 'exit 7'
	expect_status 7
	# a failing command is not an error of husk's: nothing on stderr
	run --separate-stderr husk run --rm busybox false
	expect_status 1
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "stdout and stderr stay separate" {
	run --separate-stderr husk run --rm busybox sh -c 'echo out; echo err >&2'
	expect_status 0
	expect_output out
	[ "$stderr" = err ] || fail "stderr: $stderr"
}

@test "-i passes stdin to the container" {
	run bash -c 'echo hello | "$HUSK" run --rm -i busybox cat'
	expect_status 0
	expect_output hello
}

@test "-i relays a megabyte of binary data both ways unchanged" {
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	run bash -c '"$HUSK" run --rm -i busybox cat <"$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/in"'
	expect_status 0
}

@test "large output arrives completely" {
	run bash -c '"$HUSK" run --rm busybox head -c 3000000 /dev/zero | wc -c'
	expect_status 0
	expect_output 3000000
}

@test "without -i stdin is /dev/null" {
	run bash -c 'echo hi | timeout 20 "$HUSK" run --rm busybox cat'
	expect_status 0
	expect_output ""
}

@test "-e sets variables, -e K copies K from husk's environment" {
	export HUSK_TEST_COPIED=copied-value
	run husk run --rm -e FOO=bar -e EQ=a=b -e EMPTY= -e HUSK_TEST_COPIED busybox \
		sh -c 'echo "$FOO|$EQ|${EMPTY-unset}|$HUSK_TEST_COPIED"'
	expect_status 0
	expect_output "bar|a=b||copied-value"
}

@test "-e K of a variable husk's environment lacks sets nothing" {
	run env -u HUSK_TEST_NOT_SET "$HUSK" run --rm -e HUSK_TEST_NOT_SET busybox \
		sh -c 'echo "${HUSK_TEST_NOT_SET-unset}"'
	expect_status 0
	expect_output unset
}

@test "the host's environment does not leak into the container" {
	export HUSK_TEST_SECRET=from-the-host
	run husk run --rm busybox sh -c 'echo "${HUSK_TEST_SECRET-absent}"'
	expect_status 0
	expect_output absent
}

@test "default environment has PATH, HOSTNAME and HOME=/root" {
	run husk run --rm busybox sh -c 'echo "$PATH"; echo "$HOSTNAME"; hostname; echo "$HOME"'
	expect_status 0
	[ "${lines[0]}" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ] ||
		fail "PATH: ${lines[0]}"
	[ -n "${lines[1]}" ] || fail "HOSTNAME empty"
	[ "${lines[1]}" = "${lines[2]}" ] || fail "HOSTNAME ${lines[1]} != hostname ${lines[2]}"
	[ "${lines[3]}" = /root ] || fail "HOME: ${lines[3]}"
}

@test "-e overrides an image variable" {
	run husk run --rm -e PATH=/bin busybox sh -c 'echo "$PATH"'
	expect_status 0
	expect_output /bin
}

@test "default working directory is /, -w changes it" {
	run husk run --rm busybox pwd
	expect_status 0
	expect_output /
	run husk run --rm -w /tmp busybox pwd
	expect_status 0
	expect_output /tmp
	run husk run --rm --workdir /etc busybox pwd
	expect_status 0
	expect_output /etc
}

@test "default user is root" {
	run husk run --rm busybox sh -c 'id -u; id -g; id -un'
	expect_status 0
	expect_output "0
0
root"
}

@test "-u UID:GID" {
	run husk run --rm -u 1000:1000 busybox sh -c 'id -u; id -g'
	expect_status 0
	expect_output "1000
1000"
}

@test "-u NAME takes uid and gid from the image's /etc/passwd" {
	run husk run --rm -u nobody busybox sh -c 'id -un; id -u; id -g'
	expect_status 0
	expect_output "nobody
65534
65534"
	run husk run --rm --user daemon busybox id -u
	expect_status 0
	expect_output 1
}

@test "-u NAME:GROUP resolves the group in the image's /etc/group" {
	run husk run --rm -u nobody:users busybox sh -c 'id -u; id -g'
	expect_status 0
	expect_output "65534
100"
}

@test "default host name is the first 12 hex digits of the container id" {
	keep_containers=1
	run husk run busybox hostname
	expect_status 0
	expect_match "$SHORT_ID_RE"
	local id
	id=$(only_container_id)
	expect_match "$ID_RE" "$id"
	[ "$output" = "${id:0:12}" ] || fail "hostname $output, id $id"
}

@test "--hostname sets the host name, the host's is unchanged" {
	local before
	before=$(hostname)
	run husk run --rm --hostname foo busybox sh -c 'hostname; cat /etc/hostname; echo $HOSTNAME'
	expect_status 0
	expect_output "foo
foo
foo"
	[ "$(hostname)" = "$before" ] || fail "host name changed to $(hostname)"
}

@test "/etc/hostname, /etc/hosts and /etc/resolv.conf exist" {
	run husk run --rm --hostname web busybox sh -c \
		'test -s /etc/hostname && test -s /etc/hosts && test -e /etc/resolv.conf && grep -qw localhost /etc/hosts'
	expect_status 0
}

@test "/etc/resolv.conf is a copy of the host's" {
	[ -r /etc/resolv.conf ] || skip "the host has no /etc/resolv.conf"
	run husk run --rm busybox cat /etc/resolv.conf
	expect_status 0
	expect_output "$(cat /etc/resolv.conf)"
}

@test "--read-only makes / read-only" {
	run husk run --rm --read-only busybox touch /x
	[ "$status" != 0 ] || fail "touch /x succeeded"
	run husk run --rm --read-only busybox sh -c 'grep " / " /proc/self/mounts'
	expect_status 0
	expect_match '[ ,]ro[ ,]'
}

@test "without --read-only / is writable, changes stay in the container" {
	husk run --rm busybox true
	local image
	image=$(husk image inspect -f '{{.GraphDriver.Data.UpperDir}}' busybox)
	[ -f "$image/etc/passwd" ] || fail "no busybox layer at $image"
	run husk run --rm busybox sh -c 'echo changed > /etc/passwd && echo new > /newfile && cat /newfile'
	expect_status 0
	expect_output new
	[ ! -e "$image/newfile" ] || fail "the image got /newfile"
	grep -q '^root:' "$image/etc/passwd" || fail "the image's /etc/passwd was changed"
	run husk run --rm busybox sh -c 'test ! -e /newfile && grep -q ^root: /etc/passwd'
	expect_status 0
}

@test "--rm leaves nothing in the state directory" {
	run husk run --rm busybox true
	expect_status 0
	[ "$(count_containers)" = 0 ] || fail "left: $(list_containers)"
	run husk run --rm --name removed busybox false
	expect_status 1
	[ "$(count_containers)" = 0 ] || fail "left: $(list_containers)"
	[ -z "$(ls -A "$HUSK_ROOT/names" 2>/dev/null)" ] || fail "names left: $(ls -A "$HUSK_ROOT/names")"
}

@test "--rm frees the name: the same --name runs again" {
	run husk run --rm --name again busybox true
	expect_status 0
	run husk run --rm --name again busybox true
	expect_status 0
}

@test "without --rm the container stays in \$HUSK_ROOT/containers/<id>" {
	keep_containers=1
	run husk run busybox true
	expect_status 0
	local id
	id=$(only_container_id)
	expect_match "$ID_RE" "$id"
	[ -s "$HUSK_ROOT/containers/$id/config.json" ] || fail "no config.json"
}

@test "--name already in use fails with 125 and creates nothing" {
	keep_containers=1
	run husk run --name a busybox true
	expect_status 0
	[ "$(count_containers)" = 1 ]
	run --separate-stderr husk run --name a busybox true
	expect_husk_error 125 'already in use'
	[ "$(count_containers)" = 1 ] || fail "containers: $(list_containers)"
	# also with --rm, and the kept container is untouched
	run --separate-stderr husk run --rm --name a busybox true
	expect_husk_error 125 'already in use'
	[ "$(count_containers)" = 1 ] || fail "containers: $(list_containers)"
}

@test "--root DIR overrides HUSK_ROOT" {
	local other=$BATS_TEST_TMPDIR/other-root
	run husk --root "$other" run --rm busybox echo elsewhere
	expect_status 0
	expect_output elsewhere
	run husk --root "$other" images --format '{{.Repository}}:{{.Tag}}'
	expect_output busybox:latest
	[ -n "$(ls -A "$other/images/layers")" ] || fail "no layer under --root"
	[ -z "$(ls -A "$other/containers" 2>/dev/null)" ] || fail "containers left under --root"
	keep_containers=1
	run husk --root "$other" run busybox true
	expect_status 0
	[ "$(ls -A "$other/containers" | wc -l)" = 1 ] || fail "no container under --root"
	[ "$(count_containers)" = 0 ] || fail "container made under HUSK_ROOT"
	rm -rf "$other"
}

@test "two containers at once are isolated from each other" {
	start_bg "$BATS_TEST_TMPDIR/one" run --rm --name one busybox sh -c 'echo one > /marker; echo ready; sleep 3'
	local one=$BG_PID
	wait_for 10 file_has_line "$BATS_TEST_TMPDIR/one" ready
	run husk run --rm --name two busybox sh -c 'cat /marker 2>/dev/null || echo no-marker; ps -o comm | grep -c sleep || true'
	expect_status 0
	expect_output "no-marker
0"
	pkill -KILL -P "$one"
	expect_bg_status "$one" 137 "$BATS_TEST_TMPDIR/one"
}

@test "a foreground run's output is kept for husk logs, both streams, byte for byte" {
	keep_containers=1
	husk run --name fg busybox sh -c 'echo out; echo err >&2; printf "\000\001\377"' >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(od -An -c "$BATS_TEST_TMPDIR/out" | tr -s ' ')" = "$(printf 'out\n\000\001\377' | od -An -c | tr -s ' ')" ] ||
		fail "direct output changed: $(od -An -c "$BATS_TEST_TMPDIR/out")"
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = err ] || fail "direct stderr: $(cat "$BATS_TEST_TMPDIR/err")"
	[ "$(husk logs fg 2>/dev/null | od -An -c | tr -s ' ')" = "$(printf 'out\n\000\001\377' | od -An -c | tr -s ' ')" ] ||
		fail "logged stdout differs: $(husk logs fg 2>/dev/null | od -An -c)"
	[ "$(husk logs fg 2>&1 >/dev/null)" = err ] || fail "logged stderr differs"
	husk rm fg
}
