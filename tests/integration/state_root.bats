#!/usr/bin/env bats
# The state root against other local users (issue 14, defect D): records and
# specs hold the -e values, and attach.sock gives a shell as the container's
# root, so another uid must reach none of them, also after a --userns
# private run (whose root, an unprivileged host uid, must reach its own
# container directory) and whatever the caller's umask.
#
# Each test uses a state root of its own that husk creates (so its modes are
# husk's, not the sandbox's), under the sandbox tmpfs root, which anyone may
# search as a --userns private root needs.

load helpers

# The range husk maps when user "husk" has none in /etc/subuid: the README's.
START=1000000000

setup() {
	husk_setup
	ROOT=$(dirname "$HUSK_ROOT")/state-root.$BATS_TEST_NUMBER
	rm -rf "$ROOT"
}

teardown() {
	if [ -d "$ROOT" ]; then
		h rm -f $(h ps -aq) >/dev/null 2>&1
		rm -rf "$ROOT"
	fi
	husk_teardown
}

h() {
	"$HUSK" --root "$ROOT" "$@"
}

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# The host uid and gid of a --userns private container's root.
as_container_root() {
	setpriv --reuid=$START --regid=$START --clear-groups "$@"
}

# "MODE UID:GID NAME" of PATH and of each entry in it.
modes() {
	(cd "$1" && stat -c '%a %u:%g %n' . * | sed "s/ \.\$/ $(basename "$1")/")
}

# Run as uid 65534: enter DIR, connect to attach.sock and write a command to
# the container's stdin (an 'i' frame, see src/engine/attach.h). Prints
# "unreachable" (cannot enter DIR), "refused" (connect failed), "hung up"
# (the monitor closed the connection) or "attached" (it kept it open).
attack() {
	as_nobody perl -MIO::Socket::UNIX -e '
		$SIG{PIPE} = "IGNORE";
		chdir $ARGV[0] or do { print "unreachable\n"; exit 0 };
		my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => "attach.sock")
			or do { print "refused\n"; exit 0 };
		my $cmd = "echo pwned >/pwned\n";
		syswrite $s, "i" . pack("V", length $cmd) . $cmd;
		my $in = ""; vec($in, fileno($s), 1) = 1;
		if (select(my $ready = $in, undef, undef, 2) > 0 && !sysread($s, my $byte, 1)) {
			print "hung up\n";
		} else {
			print "attached\n";
		}' "$1"
}

# Root attaches to container C, checks the attacker's command never ran and
# ends the container's shell with status 7.
root_attaches_and_finds_no_intrusion() {
	run bash -c "printf 'if test -e /pwned; then echo PWNED; fi; echo clean; exit 7\n' |
		\"\$HUSK\" --root '$ROOT' attach $1"
	expect_status 7
	expect_output clean
}

@test "another user cannot list the state root or read a --userns private container's record and spec (-e secrets)" {
	h run --name u --userns private -e SECRET=hunter2-userns busybox true
	id=$(h inspect -f '{{.Id}}' u)
	dir=$ROOT/containers/$id
	grep -q hunter2-userns "$dir/container.json" || fail "the record has no secret to protect"
	grep -q hunter2-userns "$dir/config.json" || fail "the spec has no secret to protect"
	for path in "$ROOT" "$ROOT/containers" "$dir"; do
		! as_nobody ls "$path" >/dev/null 2>&1 || fail "uid 65534 lists $path"
	done
	for file in container.json config.json container.log hosts; do
		! as_nobody cat "$dir/$file" >/dev/null 2>&1 || fail "uid 65534 reads $file"
	done
	run as_nobody grep -rqs hunter2 "$ROOT"
	[ "$status" != 0 ] || fail "uid 65534 found the secret"
	# Container root's host uid may only search down to its own files.
	! as_container_root ls "$ROOT/containers" >/dev/null 2>&1 || fail "container root lists containers/"
	! as_container_root cat "$dir/container.json" >/dev/null 2>&1 || fail "container root reads the record"
	as_container_root cat "$dir/hosts" >/dev/null || fail "container root cannot read its hosts file"
	# The modes the README's "State" section documents.
	[ "$(stat -c '%a %u:%g' "$ROOT")" = "710 0:$START" ]
	run modes "$dir"
	expect_output "710 0:$START $id
600 0:0 config.json
600 0:0 container.json
600 0:0 container.log
644 $START:$START hostname
644 $START:$START hosts
600 0:0 reserve
644 $START:$START resolv.conf
700 0:0 rootfs
755 $START:$START upper
700 $START:$START work"
	run modes "$ROOT/containers"
	expect_output "710 0:$START containers
710 0:$START $id"
}

@test "another user cannot read a plain container's record and spec: they are 0600 in 0700 directories" {
	h run --name p -e SECRET=hunter2-plain busybox true
	id=$(h inspect -f '{{.Id}}' p)
	dir=$ROOT/containers/$id
	grep -q hunter2-plain "$dir/container.json" || fail "the record has no secret to protect"
	for path in "$ROOT" "$ROOT/containers" "$dir"; do
		! as_nobody ls "$path" >/dev/null 2>&1 || fail "uid 65534 lists $path"
	done
	run as_nobody grep -rqs hunter2 "$ROOT"
	[ "$status" != 0 ] || fail "uid 65534 found the secret"
	[ "$(stat -c '%a %u:%g' "$ROOT")" = "700 0:0" ]
	run modes "$dir"
	expect_output "700 0:0 $id
600 0:0 config.json
600 0:0 container.json
600 0:0 container.log
644 0:0 hostname
644 0:0 hosts
600 0:0 reserve
644 0:0 resolv.conf
700 0:0 rootfs
755 0:0 upper
700 0:0 work"
	# husk update rewrites the spec: still 0600.
	h update --pids-limit 50 p >/dev/null
	[ "$(stat -c %a "$dir/config.json")" = 600 ]
}

@test "another user cannot reach a --userns private container's attach.sock, even under umask 000; root still attaches" {
	(
		umask 000
		h run -d -i --name a --userns private -e SECRET=hunter2-attach busybox sh >/dev/null
	)
	id=$(h inspect -f '{{.Id}}' a)
	dir=$ROOT/containers/$id
	socket=$(find "$dir" -name attach.sock)
	[ -S "$socket" ] || fail "no attach.sock in $dir"
	run attack "$(dirname "$socket")"
	expect_output unreachable
	run modes "$dir/sock"
	expect_output "700 0:0 sock
600 0:0 attach.sock"
	[ "$(stat -c '%a' "$dir/container.json")" = 600 ]
	! as_nobody cat "$dir/container.json" >/dev/null 2>&1 || fail "uid 65534 reads the record"
	root_attaches_and_finds_no_intrusion a
}

@test "the monitor hangs up on a peer that is neither root nor the owner, even one that reaches attach.sock" {
	h run -d -i --name a busybox sh >/dev/null
	id=$(h inspect -f '{{.Id}}' a)
	socket=$(find "$ROOT/containers/$id" -name attach.sock)
	[ -S "$socket" ] || fail "no attach.sock under $ROOT/containers/$id"
	# As if any permission on the way were wrong: only the peer check is left.
	chmod o+x "$ROOT" "$ROOT/containers" "$ROOT/containers/$id" "$(dirname "$socket")"
	chmod 0777 "$socket"
	run attack "$(dirname "$socket")"
	expect_output "hung up"
	root_attaches_and_finds_no_intrusion a
}

@test "a state root an older husk opened to others (o+x) is closed again by the next --userns private run" {
	h run --rm busybox true
	chmod o+x "$ROOT" "$ROOT/containers"
	h run --name u --userns private -e SECRET=hunter2-old busybox true
	id=$(h inspect -f '{{.Id}}' u)
	[ "$(stat -c '%a %u:%g' "$ROOT/containers")" = "710 0:$START" ]
	[ "$(stat -c '%a %u:%g' "$ROOT/containers/$id")" = "710 0:$START" ]
	! as_nobody cat "$ROOT/containers/$id/container.json" >/dev/null 2>&1 || fail "uid 65534 reads the record"
	# A plain run keeps containers/ closed to others, searchable by container roots.
	h run --rm busybox true
	[ "$(stat -c '%a %u:%g' "$ROOT/containers")" = "710 0:$START" ]
}

@test "--userns private refuses a state root another group uses rather than take it away, leaving nothing" {
	mkdir -m 0750 "$ROOT"
	chgrp 100 "$ROOT"
	run --separate-stderr h run --rm --userns private busybox true
	expect_husk_error 125 "--userns private: $ROOT belongs to group 100 \(mode 0750\)"
	[ "$(stat -c '%a %u:%g' "$ROOT")" = "750 0:100" ]
	[ -z "$(ls -A "$ROOT/containers" 2>/dev/null)" ]
	[ -z "$(ls -A "$ROOT/names" 2>/dev/null)" ]
}
