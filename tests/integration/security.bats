#!/usr/bin/env bats
# Capabilities, seccomp, no_new_privs, masked and read-only paths, /dev,
# the device cgroup, and what --privileged changes.

load helpers

MASKED="/proc/acpi /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/sched_debug /proc/scsi /sys/firmware"

# status_field FIELD: FIELD of this (host side) process's /proc/self/status.
status_field() {
	awk -v f="$1:" '$1 == f {print $2}' /proc/self/status
}

@test "default capabilities are docker's 14, none inheritable or ambient" {
	run husk run --rm busybox grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status
	expect_status 0
	expect_output "CapInh:	0000000000000000
CapPrm:	$DEFAULT_CAPS
CapEff:	$DEFAULT_CAPS
CapBnd:	$DEFAULT_CAPS
CapAmb:	0000000000000000"
}

@test "default: seccomp filter on, no_new_privs set" {
	run husk run --rm busybox grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
	expect_status 0
	expect_output "NoNewPrivs:	1
Seccomp:	2"
}

@test "a non-root user has no effective capabilities" {
	run husk run --rm -u 1000:1000 busybox grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status
	expect_status 0
	expect_output "CapPrm:	0000000000000000
CapEff:	0000000000000000
CapBnd:	$DEFAULT_CAPS"
}

@test "--privileged: the host's capabilities, no seccomp" {
	local host_eff
	host_eff=$(status_field CapEff)
	run husk run --rm --privileged busybox grep -E '^(CapEff|Seccomp):' /proc/self/status
	expect_status 0
	expect_output "CapEff:	$host_eff
Seccomp:	0"
}

@test "mount is refused by default, allowed with --privileged" {
	run husk run --rm busybox mount -t tmpfs none /mnt
	[ "$status" != 0 ] || fail "mount succeeded"
	run husk run --rm --privileged busybox sh -c 'mount -t tmpfs none /mnt && grep " /mnt " /proc/self/mounts'
	expect_status 0
	expect_match '^none /mnt tmpfs '
}

@test "unshare and new namespaces are refused" {
	run husk run --rm busybox unshare -n true
	[ "$status" != 0 ] || fail "unshare -n succeeded"
	expect_match 'unshare.*not permitted'
	run husk run --rm busybox unshare -m true
	[ "$status" != 0 ] || fail "unshare -m succeeded"
	expect_match 'unshare.*not permitted'
}

@test "module loading is refused (EPERM)" {
	# Not a module: even if everything else failed the kernel would reject it.
	run husk run --rm busybox sh -c 'head -c 64 /dev/zero > /tmp/x.ko; insmod /tmp/x.ko'
	[ "$status" != 0 ] || fail "insmod succeeded"
	expect_match 'not permitted'
}

@test "/proc/sys is read-only" {
	run husk run --rm busybox sh -c 'echo changed > /proc/sys/kernel/hostname'
	[ "$status" != 0 ] || fail "wrote /proc/sys/kernel/hostname"
	run husk run --rm busybox sh -c 'echo 1 > /proc/sys/vm/drop_caches'
	[ "$status" != 0 ] || fail "wrote /proc/sys/vm/drop_caches"
	run husk run --rm busybox awk '$5 == "/proc/sys" {print $6}' /proc/self/mountinfo
	expect_status 0
	expect_match '^ro(,|$)'
}

@test "read-only /proc paths: bus fs irq sys sysrq-trigger" {
	run husk run --rm busybox sh -c '
		for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
			[ -e $p ] || continue
			opts=$(awk -v p=$p '\''$5 == p {print $6}'\'' /proc/self/mountinfo)
			case $opts in ro|ro,*) ;; *) echo "$p: $opts";; esac
		done'
	expect_status 0
	expect_output ""
}

@test "masked paths are empty" {
	run husk run --rm busybox sh -c '
		for p in '"$MASKED"'; do
			if [ -d $p ]; then
				[ -z "$(ls -A $p)" ] || echo "$p lists: $(ls -A $p)"
			elif [ -e $p ]; then
				n=$(head -c 16 $p | wc -c)
				[ "$n" = 0 ] || echo "$p reads $n bytes"
			fi
		done'
	expect_status 0
	expect_output ""
}

@test "masked files the host has are /dev/null binds (char devices)" {
	local p checked=0
	for p in /proc/kcore /proc/keys /proc/timer_list /proc/latency_stats /proc/sched_debug; do
		[ -f "$p" ] || continue
		checked=1
		run husk run --rm busybox sh -c "test -c $p"
		[ "$status" = 0 ] || fail "$p is not a character device in the container"
	done
	[ "$checked" = 1 ] || skip "the host has none of them"
}

@test "/sys/firmware is empty, also when the host's is not" {
	run husk run --rm busybox ls -A /sys/firmware
	expect_status 0
	expect_output ""
}

@test "--privileged masks nothing" {
	[ -n "$(ls -A /sys/firmware 2>/dev/null)" ] || skip "the host's /sys/firmware is empty"
	run husk run --rm --privileged busybox ls -A /sys/firmware
	expect_status 0
	expect_output "$(ls -A /sys/firmware)"
}

@test "/sys is read-only by default, writable with --privileged" {
	run husk run --rm busybox awk '$5 == "/sys" {print $6}' /proc/self/mountinfo
	expect_status 0
	expect_match '^ro(,|$)'
	run husk run --rm --privileged busybox awk '$5 == "/sys" {print $6}' /proc/self/mountinfo
	expect_status 0
	expect_match '^rw(,|$)'
}

@test "/dev holds only the standard devices" {
	run husk run --rm busybox ls -A /dev
	expect_status 0
	local allowed=" null zero full random urandom tty console ptmx pts shm mqueue fd stdin stdout stderr core "
	local entry
	for entry in "${lines[@]}"; do
		[[ $allowed == *" $entry "* ]] || fail "unexpected /dev/$entry; /dev: $(echo $output)"
	done
	for entry in null zero full random urandom tty ptmx pts shm fd stdin stdout stderr; do
		[[ " $(echo $output) " == *" $entry "* ]] || fail "no /dev/$entry; /dev: $(echo $output)"
	done
}

@test "the standard devices work" {
	run husk run --rm busybox sh -c '
		echo x > /dev/null || echo "null: cannot write"
		[ "$(head -c 5 /dev/zero | wc -c)" = 5 ] || echo "zero: short read"
		[ "$(head -c 5 /dev/urandom | wc -c)" = 5 ] || echo "urandom: short read"
		! (echo x > /dev/full) 2>/dev/null || echo "full: write succeeded"
		echo shm > /dev/shm/x && [ "$(cat /dev/shm/x)" = shm ] || echo "shm: not writable"
		[ -c /dev/pts/ptmx ] || echo "no /dev/pts/ptmx"
		[ "$(ls /dev/pts)" = ptmx ] || echo "/dev/pts: $(ls /dev/pts)"'
	expect_status 0
	expect_output ""
}

@test "no host disk or memory device in /dev" {
	run husk run --rm busybox sh -c 'ls /dev/vda /dev/sda /dev/nvme0n1 /dev/mem /dev/kmem /dev/port /dev/kmsg 2>/dev/null; echo end'
	expect_output end
}

@test "--privileged exposes the host's devices" {
	local dev
	dev=$(host_block_device)
	[ -n "$dev" ] || skip "no block device on the host"
	run husk run --rm --privileged busybox sh -c "test -b $dev && echo present"
	expect_status 0
	expect_output present
}

@test "the device cgroup: CAP_MKNOD cannot open a host disk" {
	local dev major minor
	dev=$(host_block_device)
	[ -n "$dev" ] || skip "no block device on the host"
	major=$((0x$(stat -c %t "$dev")))
	minor=$((0x$(stat -c %T "$dev")))
	# docker's device cgroup allows mknod ("m") but neither read nor write
	run husk run --rm busybox sh -c "mknod /tmp/disk b $major $minor && echo made; head -c 1 /tmp/disk 2>&1 >/dev/null && echo opened; echo end"
	expect_status 0
	[[ $output != *opened* ]] || fail "the container opened the host's $dev ($major:$minor)"
	expect_match 'end$'
}

@test "the root file system is the container's overlay" {
	run husk run --rm busybox awk '$5 == "/" {print $9}' /proc/self/mountinfo
	expect_status 0
	expect_output overlay
}
