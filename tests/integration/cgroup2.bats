#!/usr/bin/env bats
# A pure cgroup2 host, simulated in a nested private mount namespace: every
# cgroup mount is detached and the kernel's cgroup2 hierarchy is mounted at
# /sys/fs/cgroup alone. husk then discovers one unified hierarchy, clones the
# container straight into its cgroup (CLONE_INTO_CGROUP) and, with no
# devices.allow file there, enforces device rules with an eBPF program.

load helpers

# Runs the rest of the command line in the simulated cgroup2-only view.
on_pure_cgroup2() {
	unshare --mount --propagation private bash -c '
		for m in $(awk "\$3 == \"cgroup\" || \$3 == \"cgroup2\" {print \$2}" /proc/self/mounts | sort -r); do
			umount -l "$m"
		done
		umount -l /sys/fs/cgroup
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		"$@"' on_pure_cgroup2 "$@"
}

@test "cgroup2 only: the container is born in /husk/ID and its cgroup namespace is rooted there" {
	run on_pure_cgroup2 "$HUSK" run --rm busybox sh -c 'grep "^0::" /proc/self/cgroup; readlink /proc/self/ns/cgroup'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0::/" ]
	[ "${lines[1]}" != "$(readlink /proc/self/ns/cgroup)" ]
}

@test "cgroup2 only: the device filter refuses a host block device, allows the standard ones" {
	# loop0 (block 7:0) is one the host itself can open.
	[ -e /dev/loop0 ] || skip "no /dev/loop0 on this host"
	(exec 3</dev/loop0) || skip "the host itself cannot open /dev/loop0"
	run on_pure_cgroup2 "$HUSK" run --rm busybox sh -c '
		mknod /tmp/loop b 7 0 || echo mknod-refused
		(exec 3</tmp/loop) 2>&1 || echo open-refused
		echo x >/dev/null && echo null-ok
		head -c 4 /dev/urandom | wc -c'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *open-refused* ]]
	[[ "$output" == *null-ok* ]]
	[[ "$output" == *4* ]]
}

@test "cgroup2 only: --privileged may open the host's block device" {
	[ -e /dev/loop0 ] || skip "no /dev/loop0 on this host"
	(exec 3</dev/loop0) || skip "the host itself cannot open /dev/loop0"
	run on_pure_cgroup2 "$HUSK" run --rm --privileged busybox sh -c '(exec 3</dev/loop0) && echo opened'
	[ "$status" -eq 0 ]
	[ "$output" = opened ]
}

@test "cgroup2 only: nothing is left under /sys/fs/cgroup/husk" {
	run on_pure_cgroup2 bash -c '"$0" run --rm busybox true && ls /sys/fs/cgroup | grep -c "^husk$" || true' "$HUSK"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}
