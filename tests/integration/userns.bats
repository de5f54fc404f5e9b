#!/usr/bin/env bats
# --userns private: container root is an unprivileged host uid, image files
# still look root-owned inside (idmapped image layer), nothing is copied.

load helpers

# The range husk maps when user "husk" has none in /etc/subuid: the README's.
DEFAULT_START=1000000000

@test "--userns private: root inside, an unprivileged uid on the host, its own user namespace" {
	keep_containers=1
	"$HUSK" run -d --name u --userns private busybox sleep 1001 >/dev/null
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' u)
	run "$HUSK" exec u id -u
	expect_output 0
	# The kernel's view from the host: real, effective, saved, fs uid and gid.
	run grep -E '^(Uid|Gid):' "/proc/$pid/status"
	expect_output "Uid:	$DEFAULT_START	$DEFAULT_START	$DEFAULT_START	$DEFAULT_START
Gid:	$DEFAULT_START	$DEFAULT_START	$DEFAULT_START	$DEFAULT_START"
	run "$HUSK" exec u cat /proc/self/uid_map /proc/self/gid_map
	expect_output "$(printf '%10s %10s %10s\n%10s %10s %10s' 0 $DEFAULT_START 65536 0 $DEFAULT_START 65536)"
	[ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ]
	run "$HUSK" exec u readlink /proc/self/ns/user
	expect_output "$(readlink /proc/$pid/ns/user)"
	run "$HUSK" inspect -f '{{.HostConfig.UsernsMode}}' u
	expect_output private
	run "$HUSK" ns u
	expect_match "u +user +$(stat -L -c %i /proc/$pid/ns/user) +private"
	"$HUSK" rm -f u >/dev/null
}

@test "--userns private: image files appear root-owned, new files too; the image is not copied" {
	keep_containers=1
	"$HUSK" run -d --name u --userns private busybox sleep 1001 >/dev/null
	run "$HUSK" exec u stat -c '%u:%g %n' / /bin/busybox /etc/passwd /etc/hosts
	expect_output "0:0 /
0:0 /bin/busybox
0:0 /etc/passwd
0:0 /etc/hosts"
	"$HUSK" exec u sh -c 'echo new >/made && echo more >>/etc/passwd'
	run "$HUSK" exec u stat -c '%u:%g' /made
	expect_output 0:0
	# On disk: the image layer still host root's, written files are the
	# container root's host uid, and only they are in the upper layer.
	id=$("$HUSK" inspect -f '{{.Id}}' u)
	upper=$HUSK_ROOT/containers/$id/upper
	[ "$(stat -c %u:%g "$upper/made")" = "$DEFAULT_START:$DEFAULT_START" ]
	[ "$(stat -c %u "$upper/etc/passwd")" = "$DEFAULT_START" ]
	[ ! -e "$upper/bin" ] || fail "the image was copied up: $(ls "$upper/bin" | head -3)"
	lower=$(find "$HUSK_ROOT" -path '*/images/*' -name busybox -type f | head -1)
	[ -n "$lower" ] && [ "$(stat -c %u "$lower")" = 0 ] || fail "image file $lower"
	"$HUSK" rm -f u >/dev/null
}

@test "--userns private: container root holds no power over the host's files" {
	keep_containers=1
	"$HUSK" run -d --name u --userns private busybox sleep 1001 >/dev/null
	# /dev/null is a bind of the host's node: owned by an unmapped uid.
	run "$HUSK" exec u stat -c '%u' /dev/null
	expect_output 65534
	run "$HUSK" exec u sh -c 'echo x >/proc/sys/kernel/hostname'
	[ "$status" -ne 0 ]
	[ "$(hostname)" != x ]
	# A user of the image maps to START + its uid.
	"$HUSK" exec -d -u 1000 u sleep 1002
	wait_for 5 pgrep -f 'sleep 1002'
	[ "$(stat -c %u /proc/$(pgrep -n -f 'sleep 1002'))" = $((DEFAULT_START + 1000)) ]
	"$HUSK" rm -f u >/dev/null
}

@test "--userns host (the default): the host's user namespace, root is root" {
	run "$HUSK" run --rm --userns host busybox readlink /proc/self/ns/user
	expect_output "$(readlink /proc/self/ns/user)"
	run "$HUSK" run --rm busybox cat /proc/self/uid_map
	expect_output "$(cat /proc/self/uid_map)"
}

@test "--userns errors: bad mode, uid outside the range, conflicting host or joined namespaces, --privileged" {
	run --separate-stderr "$HUSK" run --rm --userns remap busybox true
	expect_husk_error 125 'invalid --userns mode "remap": use host or private'
	run --separate-stderr "$HUSK" run --rm --userns private -u 70000 busybox true
	expect_husk_error 125 'user 70000:0 is outside the 65536 ids the --userns private namespace maps'
	run --separate-stderr "$HUSK" run --rm --userns private --privileged busybox true
	expect_husk_error 125 'conflicting options: --privileged and --userns private'
	for flag in --pid --ipc --uts --network; do
		run --separate-stderr "$HUSK" run --rm --userns private $flag host busybox true
		expect_husk_error 125 "conflicting options: --userns private and $flag host"
	done
	run --separate-stderr "$HUSK" run --rm --userns private --pid container:x busybox true
	expect_husk_error 125 'conflicting options: --userns private and --pid container:x'
	[ "$(count_containers)" = 0 ]
}

@test "--userns private refuses a state root the container's uid cannot reach, leaving nothing" {
	locked=$BATS_TEST_TMPDIR/locked
	mkdir -m 0700 "$locked"
	run --separate-stderr "$HUSK" --root "$locked/root" run --rm --userns private busybox true
	expect_husk_error 125 "--userns private: $locked \(mode 0700\) is not searchable by others"
	[ -z "$(ls -A "$locked/root/containers" 2>/dev/null)" ]
	[ -z "$(ls -A "$locked/root/names" 2>/dev/null)" ]
}
