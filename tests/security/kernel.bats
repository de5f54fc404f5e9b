#!/usr/bin/env bats
# The host's kernel as a container sees it: every syscall that acts on the
# whole host or undoes the container's isolation, /proc and /sys, setuid
# binaries, and processes outside the container. Each attempt is made for
# real by tests/attack/ (kernel.c lists them and why a success is harmless)
# and must fail with the errno written here: a regression that lets one
# through, or that changes who refuses it, fails the test.

load ../integration/helpers
load attack

setup() {
	keeping_setup
	make_attack_image
}

teardown() {
	removing_teardown
}

# What `husk-attack kernel` must get under husk's default filter: EPERM
# (seccomp or a missing capability), ENOSYS for clone3, whose flags
# seccomp cannot read (libc falls back to clone, which it can), and SIGSYS
# (31) for a mount through the x32 or the 32-bit (int 0x80) syscall ABI,
# which the filter, written for x86_64 numbers, must not let through.
REFUSED_BY_DEFAULT="mount tmpfs: Operation not permitted
mount remount /proc/sys rw: Operation not permitted
umount2 /proc/kcore: Operation not permitted
pivot_root: Operation not permitted
fsopen: Operation not permitted
open_tree: Operation not permitted
move_mount: Operation not permitted
unshare CLONE_NEWNS: Operation not permitted
unshare CLONE_NEWUSER: Operation not permitted
unshare CLONE_NEWNET: Operation not permitted
clone CLONE_NEWUSER: Operation not permitted
clone3: Function not implemented
setns mnt: Operation not permitted
setns net: Operation not permitted
add_key: Operation not permitted
request_key: Operation not permitted
keyctl join session keyring: Operation not permitted
bpf map create: Operation not permitted
perf_event_open: Operation not permitted
io_uring_setup: Operation not permitted
io_uring_enter: Operation not permitted
io_uring_register: Operation not permitted
userfaultfd: Operation not permitted
syslog: Operation not permitted
init_module: Operation not permitted
finit_module: Operation not permitted
delete_module: Operation not permitted
kexec_load: Operation not permitted
clock_settime: Operation not permitted
settimeofday: Operation not permitted
adjtimex ADJ_TICK: Operation not permitted
clock_adjtime: Operation not permitted
reboot CAD_ON: Operation not permitted
swapon: Operation not permitted
acct: Operation not permitted
sethostname: Operation not permitted
iopl: Operation not permitted
ioperm: Operation not permitted
name_to_handle_at: Operation not permitted
open_by_handle_at: Operation not permitted
x32 mount: killed by signal 31
int 0x80 mount: killed by signal 31"

@test "kernel: mount, pivot_root, unshare, setns, keys, bpf, perf, io_uring, modules, time, reboot are refused, also through the x32 and int 0x80 ABIs (run, exec, --userns private)" {
	run husk run --rm --network none secbox /attack kernel
	expect_status 0
	expect_output "$REFUSED_BY_DEFAULT"
	run husk run --rm --network none --userns private secbox /attack kernel
	expect_status 0
	expect_output "$REFUSED_BY_DEFAULT"
	husk run -d --name victim --network none secbox sleep 1000 >/dev/null
	run husk exec victim /attack kernel
	expect_status 0
	expect_output "$REFUSED_BY_DEFAULT"
	husk run -d --name uvictim --userns private --network none secbox sleep 1000 >/dev/null
	run husk exec uvictim /attack kernel
	expect_status 0
	expect_output "$REFUSED_BY_DEFAULT"
}

# The second wall: with no filter at all, the missing capabilities alone
# still refuse what acts on the host (unshare CLONE_NEWUSER, keyrings and
# io_uring are then the kernel's to allow, as for any unprivileged user).
@test "kernel: without seccomp, missing capabilities still refuse mount, pivot_root, setns, modules, time, reboot, swap" {
	run husk run --rm --network none --security-opt seccomp=unconfined secbox /attack kernel
	expect_status 0
	local attempt
	for attempt in "mount tmpfs" "mount remount /proc/sys rw" "pivot_root" "fsopen" "open_tree" \
		"move_mount" "unshare CLONE_NEWNS" "setns mnt" "bpf map create" "syslog" "clock_settime" \
		"settimeofday" "adjtimex ADJ_TICK" "reboot CAD_ON" "swapon" "acct" "sethostname" \
		"open_by_handle_at"; do
		expect_refused "$output" "$attempt" "Operation not permitted"
	done
	for attempt in init_module finit_module delete_module kexec_load iopl ioperm; do
		grep -qxE "$attempt: (Operation not permitted|Function not implemented)" <<<"$output" ||
			fail "$attempt: $(grep "^$attempt: " <<<"$output")"
	done
	expect_refused "$output" "perf_event_open" "Permission denied"
}

# What /attack write and /attack read must get from /proc and /sys in a
# container (files the host's kernel lacks are left out of the comparison).
PROC_SYS_ATTEMPTS="/attack write /proc/sys/kernel/hostname pwned
/attack write /proc/sys/vm/drop_caches 1
/attack write /proc/sysrq-trigger h
/attack write /proc/sys/kernel/core_pattern '|/pwned'
/attack write /proc/sys/kernel/modprobe /pwned
/attack write /sys/kernel/uevent_helper /pwned
/attack write /sys/fs/cgroup/cgroup.procs 1
/attack read /proc/kcore
/attack read /proc/keys
/attack read /proc/key-users
/attack read /proc/timer_list
/attack read /proc/sched_debug"

PROC_SYS_REFUSED="write /proc/sys/kernel/hostname: Read-only file system
write /proc/sys/vm/drop_caches: Read-only file system
write /proc/sysrq-trigger: Read-only file system
write /proc/sys/kernel/core_pattern: Read-only file system
write /proc/sys/kernel/modprobe: Read-only file system
write /sys/kernel/uevent_helper: Read-only file system
write /sys/fs/cgroup/cgroup.procs: Read-only file system
read /proc/kcore: 0 bytes
read /proc/keys: 0 bytes
read /proc/key-users: 0 bytes
read /proc/timer_list: 0 bytes
read /proc/sched_debug: 0 bytes"

# on_host_paths: the lines of stdin whose path (second word) the host has.
on_host_paths() {
	local line path
	while IFS= read -r line; do
		path=$(cut -d' ' -f2 <<<"$line")
		path=${path%:}
		if [ -e "$path" ]; then echo "$line"; fi
	done
}

@test "/proc/sys, /sys, sysrq-trigger, core_pattern are read-only; kcore, keys, key-users, timer_list read nothing (run, exec, --userns private)" {
	local expected
	expected=$(on_host_paths <<<"$PROC_SYS_REFUSED")
	[ -n "$expected" ] || skip "the host has none of these files"
	husk run -d --name victim --network none secbox sleep 1000 >/dev/null
	local how
	for how in "run --rm --network none secbox" "run --rm --network none --userns private secbox" \
		"exec victim"; do
		run husk $how sh -c "$PROC_SYS_ATTEMPTS"
		# In a user namespace the kernel answers EACCES before EROFS.
		[[ $how != *userns* ]] || output=${output//Permission denied/Read-only file system}
		run on_host_paths <<<"$output"
		expect_output "$expected"
	done
	[ "$(cat /proc/sys/kernel/core_pattern)" != "|/pwned" ] || fail "core_pattern was changed"
}

@test "no_new_privs: a setuid-root binary run by a user gains no uid and no capability (run, exec, --userns private)" {
	local refused="uids 1000 1000 1000
CapPrm:	0000000000000000
CapEff:	0000000000000000
setuid(0): Operation not permitted"
	run husk run --rm --network none -u 1000 secbox /suid-attack ids
	expect_output "$refused"
	run husk run --rm --network none -u 1000 --userns private secbox /suid-attack ids
	expect_output "$refused"
	husk run -d --name victim --network none secbox sleep 1000 >/dev/null
	run husk exec -u 1000 victim /suid-attack ids
	expect_output "$refused"
	# Not vacuous: the same binary without no_new_privs becomes root.
	run husk run --rm --network none -u 1000 --security-opt no-new-privileges=false secbox /suid-attack ids
	expect_match "^uids 1000 0 0"
	expect_match "setuid\(0\): ok"
}

# --pid host shows the host's processes to container root (uid 0, as the
# host's root): it may signal them, as docker's, but neither read their
# memory, environment or fds, nor trace them, nor reach their executables.
@test "ptrace, mem, process_vm_readv, environ, fds and exe of a host process are refused (--pid host)" {
	local marker=host-secret-$RANDOM$RANDOM
	env HOST_SECRET=$marker sleep 1000 &
	local hostpid=$!
	BG_PIDS+=("$hostpid")
	run husk run --rm --network none --pid host secbox /attack probe "$hostpid" "$marker"
	kill "$hostpid"
	echo "$output"
	local attempt
	for attempt in "read environ" "marker in environ" "open mem" "ptrace" "process_vm_readv" \
		"reopen fds" "open exe"; do
		grep -q "^$attempt: " <<<"$output" || fail "no result for $attempt"
		! grep -qx "$attempt: ok" <<<"$output" || fail "container root could: $attempt"
	done
	expect_refused "$output" "ptrace" "Operation not permitted"
	expect_refused "$output" "process_vm_readv" "Operation not permitted"
	expect_refused "$output" "open mem" "Permission denied"
}

# CVE-2019-5736: any process whose /proc/PID/exe is husk's binary and that a
# container can open is a way to rewrite husk. With --pid host every husk
# process of the host is visible (the foreground `husk run` itself, the
# monitors of detached containers).
@test "CVE-2019-5736: no /proc/PID/exe a container can reach is husk's binary (default, exec, --pid host)" {
	local dev ino
	read -r dev ino <<<"$(stat -L -c '%d %i' "$HUSK")"
	husk run -d --name victim --network none secbox sleep 1000 >/dev/null
	monitor_of victim >/dev/null || fail "no monitor to attack"
	local attempt
	for attempt in "run --rm --network none secbox" "exec victim" \
		"run --rm --network none --pid host secbox" "run --rm --network none --pid container:victim secbox"; do
		run husk $attempt /attack exe-scan "$dev" "$ino"
		expect_refused "$output" "reach husk's exe" "No such file or directory"
		expect_refused "$output" "open husk's exe for writing" "No such file or directory"
	done
	# Not vacuous: the scan saw the host's processes, and as host root it
	# finds husk's binary behind the monitor's exe.
	run husk run --rm --network none --pid host secbox /attack exe-scan "$dev" "$ino"
	[ "$(sed -n 's/^processes seen: //p' <<<"$output")" -gt 10 ] || fail "the scan saw little: $output"
	run "$ATTACK" exe-scan "$dev" "$ino"
	expect_match "reach husk's exe: ok"
}
