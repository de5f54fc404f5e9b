#!/usr/bin/env bats
# run/create --security-opt, --device, --device-cgroup-rule and --init
# (issue 17): what each does inside the container, where docker records it,
# that it survives a restart, and the one-line refusals of bad values.

load helpers

setup() {
	keeping_setup
}

teardown() {
	removing_teardown
}

PROFILE=$BATS_TEST_DIRNAME/seccomp_profile.json

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

status_field() { # FIELD: from the container's own /proc/self/status
	echo "sed -n 's/^$1:[[:space:]]*//p' /proc/self/status"
}

# Runs the rest of the command line in a simulated cgroup2-only host (as
# cgroup2.bats does): the device rules are then an eBPF program.
on_pure_cgroup2() {
	unshare --mount --propagation private bash -c '
		for m in $(awk "\$3 == \"cgroup\" || \$3 == \"cgroup2\" {print \$2}" /proc/self/mounts | sort -r); do
			umount -l "$m"
		done
		umount -l /sys/fs/cgroup
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		"$@"' on_pure_cgroup2 "$@"
}

# --- --security-opt ------------------------------------------------------------

@test "security-opt no-new-privileges: on by default, =false turns it off, :true is docker's old form" {
	run husk run --rm --network none busybox sh -c "$(status_field NoNewPrivs)"
	expect_output 1
	run husk run --rm --network none --security-opt no-new-privileges=false busybox sh -c "$(status_field NoNewPrivs)"
	expect_status 0
	expect_output 0
	run husk run --rm --network none --privileged --security-opt no-new-privileges:true busybox sh -c "$(status_field NoNewPrivs)"
	expect_output 1
	run husk run --rm --network none --privileged --security-opt no-new-privileges busybox sh -c "$(status_field NoNewPrivs)"
	expect_output 1
}

@test "security-opt seccomp=unconfined: no filter; builtin: husk's even with --privileged" {
	run husk run --rm --network none --security-opt seccomp=unconfined busybox sh -c "$(status_field Seccomp)"
	expect_status 0
	expect_output 0
	run husk run --rm --network none --privileged --security-opt seccomp=builtin busybox sh -c "exec 2>&1; $(status_field Seccomp); unshare -n true || echo refused"
	expect_output "$(printf '2\nunshare: unshare(0x40000000): Operation not permitted\nrefused')"
}

@test "security-opt seccomp=FILE: every field of docker's profile format takes effect" {
	# One stream for both, in the order written.
	run husk run --rm --network none --security-opt "seccomp=$PROFILE" busybox sh -c 'exec 2>&1
		mkdir /tmp/d; ln -s /a /tmp/l
		ping -6 -c1 -W1 ::1 | grep socket
		ping -c1 -W1 127.0.0.1 >/dev/null && echo ping4
		touch /tmp/f; chmod 600 /tmp/f && echo chmod; ln /tmp/f /tmp/h && echo link
		rm /tmp/f; pwd; uname -s; rmdir /etc/network'
	expect_status 1
	expect_output "mkdir: can't create directory '/tmp/d': Permission denied
ln: /tmp/l: File name too long
ping: can't create raw socket: Address family not supported by protocol
ping4
chmod
link
rm: can't remove '/tmp/f': Device or resource busy
/
Linux
rmdir: '/etc/network': Directory not empty"
	# The caps conditions follow the container's capabilities.
	run husk run --rm --network none --cap-add SYS_ADMIN --cap-drop NET_RAW --security-opt "seccomp=$PROFILE" \
		busybox sh -c 'exec 2>&1; touch /tmp/f; chmod 600 /tmp/f; ln /tmp/f /tmp/h'
	expect_output "chmod: /tmp/f: Read-only file system
ln: /tmp/h: Too many links"
	# As docker, a profile given applies with --privileged too.
	run husk run --rm --network none --privileged --security-opt "seccomp=$PROFILE" busybox sh -c "exec 2>&1; $(status_field Seccomp); mkdir /tmp/d"
	expect_output "2
mkdir: can't create directory '/tmp/d': Permission denied"
	# A relative file name is the caller's.
	cd "$BATS_TEST_DIRNAME"
	run husk run --rm --network none --security-opt seccomp=seccomp_profile.json busybox mkdir /tmp/x
	expect_status 1
}

@test "security-opt seccomp=FILE is recorded as docker does: its compact JSON in HostConfig.SecurityOpt" {
	husk create --name c --network none --security-opt "seccomp=$PROFILE" --security-opt no-new-privileges:true busybox true >/dev/null
	run husk inspect -f '{{len .HostConfig.SecurityOpt}} {{index .HostConfig.SecurityOpt 1}}' c
	expect_output '2 no-new-privileges:true'
	run husk inspect -f '{{index .HostConfig.SecurityOpt 0}}' c
	expect_match '^seccomp=\{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1,"archMap":\[\{'
	# The filter is in the container's spec: the file can go.
	cp "$PROFILE" "$BATS_TEST_TMPDIR/p.json"
	husk create --name d --network none --security-opt "seccomp=$BATS_TEST_TMPDIR/p.json" busybox mkdir /tmp/x >/dev/null
	rm "$BATS_TEST_TMPDIR/p.json"
	run husk start -a d
	expect_status 1
	expect_output "mkdir: can't create directory '/tmp/x': Permission denied"
}

@test "security-opt apparmor= and label=: accepted with a note when the host lacks the LSM" {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || skip "AppArmor runs on this host"
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux runs on this host"
	run --separate-stderr husk run --rm --network none --security-opt apparmor=docker-default busybox echo ran
	expect_status 0
	expect_output ran
	[ "$stderr" = "husk: note: AppArmor is not enabled on this host: --security-opt apparmor=docker-default has no effect" ] || fail "stderr: $stderr"
	run --separate-stderr husk create --name l --network none --security-opt label=type:svirt_lxc_net_t --security-opt label=disable busybox true
	expect_status 0
	[ "$stderr" = "husk: note: SELinux is not enabled on this host: --security-opt label=type:svirt_lxc_net_t has no effect" ] || fail "stderr: $stderr"
	run husk inspect -f '{{json .HostConfig.SecurityOpt}}' l
	expect_output '["label=type:svirt_lxc_net_t","label=disable"]'
}

@test "security-opt systempaths=unconfined: nothing masked or read-only in /proc; recorded as empty lists" {
	run husk run --rm --network none busybox sh -c 'grep -c -e " /proc/keys " -e " /proc/sys " /proc/self/mountinfo'
	expect_output 2
	run husk run --rm --network none --security-opt systempaths=unconfined busybox sh -c 'grep -c -e " /proc/keys " -e " /proc/sys " /proc/self/mountinfo'
	expect_output 0
	husk create --name u --network none --security-opt systempaths=unconfined busybox true >/dev/null
	husk create --name m --network none busybox true >/dev/null
	run husk inspect -f '{{json .HostConfig.MaskedPaths}} {{json .HostConfig.ReadonlyPaths}} {{json .HostConfig.SecurityOpt}}' u
	expect_output '[] [] null'
	run husk inspect -f '{{index .HostConfig.MaskedPaths 1}} {{index .HostConfig.ReadonlyPaths 3}}' m
	expect_output '/proc/kcore /proc/sys'
}

@test "bad --security-opt values: one line, exit 125, nothing left" {
	run --separate-stderr husk run --rm --network none --security-opt foo busybox true
	expect_husk_error 125 '^husk: invalid --security-opt: "foo"$'
	run --separate-stderr husk run --rm --network none --security-opt bogus=1 busybox true
	expect_husk_error 125 'invalid --security-opt: "bogus=1"'
	run --separate-stderr husk create --network none --security-opt seccomp= busybox true
	expect_husk_error 125 'invalid --security-opt: "seccomp="'
	run --separate-stderr husk run --rm --network none --security-opt no-new-privileges=maybe busybox true
	expect_husk_error 125 'invalid --security-opt: "no-new-privileges=maybe": true or false'
	run --separate-stderr husk run --rm --network none --security-opt systempaths=partly busybox true
	expect_husk_error 125 'invalid --security-opt: "systempaths=partly"'
	run --separate-stderr husk run --rm --network none --security-opt label=nonsense busybox true
	expect_husk_error 125 'invalid --security-opt: "label=nonsense"'
	run --separate-stderr husk run --rm --network none --security-opt seccomp=/no/such.json busybox true
	expect_husk_error 125 'opening seccomp profile \(/no/such.json\) failed: open /no/such.json: no such file or directory'
	echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_DENY"}]}' >"$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr husk create --network none --security-opt "seccomp=$BATS_TEST_TMPDIR/bad.json" busybox true
	expect_husk_error 125 'decoding seccomp profile \(.*/bad.json\) failed: syscalls\[0\]: unknown action "SCMP_ACT_DENY"'
	echo '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_VAX"]}' >"$BATS_TEST_TMPDIR/arch.json"
	run --separate-stderr husk create --network none --security-opt "seccomp=$BATS_TEST_TMPDIR/arch.json" busybox true
	expect_husk_error 125 'seccomp profile \(.*/arch.json\): .*unknown SCMP_ARCH_VAX'
	echo '{"defaultAction": ' >"$BATS_TEST_TMPDIR/cut.json"
	run --separate-stderr husk run --rm --network none --security-opt "seccomp=$BATS_TEST_TMPDIR/cut.json" busybox true
	expect_husk_error 125 'decoding seccomp profile \(.*/cut.json\) failed: line'
	[ "$(count_containers)" = 0 ]
	[ -z "$(ls -A "$HUSK_ROOT/names" 2>/dev/null)" ]
}

# --- --device, --device-cgroup-rule ----------------------------------------------

@test "device: the host's node with its numbers and mode, and the cgroup lets it be opened" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	mode=$(stat -c %a /dev/fuse)
	run husk run --rm --network none --device /dev/fuse busybox sh -c 'stat -c "%F %t:%T %a" /dev/fuse; exec 3<>/dev/fuse && echo opened'
	expect_status 0
	expect_output "character special file a:e5 $mode
opened"
	# Without it, a node the container makes itself is refused by the cgroup.
	run husk run --rm --network none busybox sh -c 'mknod /tmp/fuse c 10 229; exec 3<>/tmp/fuse'
	[ "$status" != 0 ]
	expect_match 'Operation not permitted'
}

@test "device HOST:CONTAINER:r: another name, and only the access given" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	run husk run --rm --network none --device /dev/fuse:/dev/myfuse:r busybox sh -c '
		[ -e /dev/fuse ] || echo no-fuse
		exec 3</dev/myfuse && echo read
		exec 4>/dev/myfuse'
	[ "$status" != 0 ]
	expect_match 'no-fuse'
	expect_match 'read'
	expect_match 'Operation not permitted'
}

@test "device DIRECTORY: every node under it, at the same place under the container path" {
	dir=$BATS_TEST_TMPDIR/devs
	mkdir -p "$dir/sub"
	mknod -m 0640 "$dir/null2" c 1 3
	mknod -m 0600 "$dir/sub/tun" c 10 200
	ln -s /dev/zero "$dir/link"
	echo text >"$dir/file"
	run husk run --rm --network none --device "$dir:/dev/mine" busybox sh -c '
		cd /dev/mine && find . | sort && stat -c "%n %a %t:%T" null2 sub/tun
		echo x >/dev/mine/null2 && echo written
		exec 3<>/dev/mine/sub/tun && echo tun-opened'
	expect_status 0
	expect_output ".
./null2
./sub
./sub/tun
null2 640 1:3
sub/tun 600 a:c8
written
tun-opened"
}

@test "device: recorded in HostConfig.Devices as docker does, made again at every start" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	husk run -d --name d --network none --device /dev/fuse:/dev/f:rw --device-cgroup-rule 'c 10:200 rwm' busybox sleep 1000 >/dev/null
	run husk inspect -f '{{json .HostConfig.Devices}} {{json .HostConfig.DeviceCgroupRules}}' d
	expect_output '[{"PathOnHost":"/dev/fuse","PathInContainer":"/dev/f","CgroupPermissions":"rw"}] ["c 10:200 rwm"]'
	husk restart -t 0 d >/dev/null
	run husk exec d sh -c 'stat -c "%t:%T" /dev/f; exec 3<>/dev/f && echo opened; mknod /tmp/t c 10 200; exec 4<>/tmp/t && echo tun'
	expect_status 0
	expect_output "a:e5
opened
tun"
	run husk inspect -f '{{json .HostConfig.Devices}}' $(husk create --network none busybox true)
	expect_output '[]'
}

@test "device-cgroup-rule: numbers, * and the a, b, c types open what they name and nothing more" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	script='mknod /tmp/fuse c 10 229; mknod /tmp/tun c 10 200
		(exec 3<>/tmp/fuse) 2>/dev/null && echo fuse
		(exec 3<>/tmp/tun) 2>/dev/null && echo tun'
	run husk run --rm --network none busybox sh -c "$script"
	expect_output ""
	run husk run --rm --network none --device-cgroup-rule 'c 10:229 rwm' busybox sh -c "$script"
	expect_output fuse
	run husk run --rm --network none --device-cgroup-rule 'c 10:* rw' busybox sh -c "$script"
	expect_output "fuse
tun"
	run husk run --rm --network none --device-cgroup-rule 'a 10:200 rw' busybox sh -c "$script"
	expect_output tun
	run husk run --rm --network none --device-cgroup-rule 'b *:* rwm' busybox sh -c "$script"
	expect_output ""
}

# `a` with numbers is a "c" and a "b" rule, never "every device" (the v1
# kernel reads any line starting with "a" as that).
@test "device-cgroup-rule 'a 10:200 rw' or 'a *:* m' does not open the host's block devices (v1 and cgroup2)" {
	[ -e /dev/loop0 ] || skip "no /dev/loop0 on this host"
	(exec 3</dev/loop0) || skip "the host itself cannot open /dev/loop0"
	script='mknod /tmp/loop b 7 0; (exec 3</tmp/loop) 2>&1 || echo refused'
	run husk run --rm --network none --device-cgroup-rule 'a 10:200 rw' busybox sh -c "$script"
	expect_match 'refused'
	run on_pure_cgroup2 "$HUSK" run --rm --network none --device-cgroup-rule 'a 10:200 rw' busybox sh -c "$script"
	expect_match 'refused'
	run husk run --rm --network none --device-cgroup-rule 'b 7:* r' busybox sh -c "$script"
	expect_output ""
	# Only mknod for every device is not every access to every device.
	run husk run --rm --network none --device-cgroup-rule 'a *:* m' busybox sh -c "$script"
	expect_match 'refused'
	run on_pure_cgroup2 "$HUSK" run --rm --network none --device-cgroup-rule 'a *:* m' busybox sh -c "$script"
	expect_match 'refused'
}

@test "cgroup2 only: --device and --device-cgroup-rule go into the eBPF device filter" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	run on_pure_cgroup2 "$HUSK" run --rm --network none --device /dev/fuse:/dev/f:r busybox sh -c '
		exec 3</dev/f && echo read; (exec 4>/dev/f) 2>/dev/null || echo no-write'
	expect_status 0
	expect_output "read
no-write"
	run on_pure_cgroup2 "$HUSK" run --rm --network none --device-cgroup-rule 'c 10:200 rwm' busybox sh -c '
		mknod /tmp/t c 10 200; mknod /tmp/f c 10 229
		exec 3<>/tmp/t && echo tun; (exec 4<>/tmp/f) 2>/dev/null || echo no-fuse'
	expect_status 0
	expect_output "tun
no-fuse"
}

@test "bad --device and --device-cgroup-rule values: one line, exit 125, nothing left" {
	run --separate-stderr husk run --rm --network none --device /dev/nope busybox true
	expect_husk_error 125 '^husk: error gathering device information while adding custom device "/dev/nope": no such file or directory$'
	run --separate-stderr husk create --network none --device /etc/passwd busybox true
	expect_husk_error 125 'adding custom device "/etc/passwd": not a device node'
	run --separate-stderr husk run --rm --network none --device dev/fuse busybox true
	expect_husk_error 125 'invalid --device "dev/fuse": dev/fuse is not an absolute path'
	run --separate-stderr husk run --rm --network none --device /dev/fuse:/f:rwx busybox true
	expect_husk_error 125 'invalid --device "/dev/fuse:/f:rwx": bad mode specified: rwx'
	run --separate-stderr husk run --rm --network none --device /a:/b:r:w busybox true
	expect_husk_error 125 'bad format for path'
	run --separate-stderr husk run --rm --network none --userns private --device /dev/null:/dev/mine busybox true
	expect_husk_error 125 'conflicting options: --device /dev/null:/dev/mine and --userns private'
	for rule in 'x 1:3 rwm' 'c 1:3' 'c 1:3 rwmx' 'c one:3 r' 'c 4096:0 r'; do
		run --separate-stderr husk run --rm --network none --device-cgroup-rule "$rule" busybox true
		expect_husk_error 125 "invalid --device-cgroup-rule \"$rule\""
	done
	[ "$(count_containers)" = 0 ]
}

# --- --init ------------------------------------------------------------------------

@test "init: PID 1 is docker-init, the command its child" {
	run husk run --rm --network none --init busybox ps -o pid,args
	expect_status 0
	expect_output "PID   COMMAND
    1 /sbin/docker-init -- ps -o pid,args
    2 ps -o pid,args"
	run husk run --rm --network none --init busybox sh -c 'cat /proc/1/comm; readlink /proc/1/exe'
	expect_output "docker-init
/memfd:husk-init (deleted)"
}

# No host binary behind /proc/1/exe, nothing of husk's: the init is a sealed
# in-memory copy, run with the container's own restrictions.
@test "init: container root cannot write the init's executable, and the init holds no host fd" {
	run husk run --rm --network none --init --cap-add ALL busybox sh -c 'echo x >>/proc/1/exe'
	expect_status 1
	expect_match 'Text file busy'
	run husk run --rm --network none --init --cap-add ALL busybox sh -c 'ls /proc/1/fd | tr "\n" " "'
	expect_output '0 1 2 '
	# The container's restrictions: capabilities, no_new_privs, seccomp.
	run husk run --rm --network none --init --cap-drop ALL busybox \
		sed -n 's/^\(CapEff\|NoNewPrivs\|Seccomp\):[[:space:]]*//p' /proc/1/status
	expect_output "0000000000000000
1
2"
}

@test "init: exit status passes through; a command killed by signal N gives 128+N" {
	run husk run --rm --network none --init busybox sh -c 'exit 7'
	expect_status 7
	run husk run --rm --network none --init busybox sh -c 'kill -USR1 $$'
	expect_status 138
	run -127 --separate-stderr husk run --rm --network none --init busybox nope
	expect_husk_error 127 'exec: "nope": executable file not found in \$PATH'
}

@test "init: orphans are reaped (a PID 1 that never waits leaves zombies)" {
	zombies='cat /proc/[0-9]*/status | grep -c "^State:.*Z"'
	husk run -d --name z --network none --init busybox sh -c 'sh -c "sleep 0.1 &"; exec sleep 1000' >/dev/null
	husk run -d --name plain --network none busybox sh -c 'sh -c "sleep 0.1 &"; exec sleep 1000' >/dev/null
	sleep 1
	run husk exec plain sh -c "$zombies"
	expect_output 1
	run husk exec z sh -c "$zombies"
	expect_output 0
	run husk exec z ps -o pid,args
	expect_match '    1 /sbin/docker-init -- sh -c'
	expect_match '    2 sleep 1000'
}

@test "init: stop's SIGTERM reaches a command that has no handler for it; plain PID 1 ignores it" {
	husk run -d --name i --network none --init busybox sleep 1000 >/dev/null
	husk run -d --name p --network none busybox sleep 1000 >/dev/null
	start=$(now_ms)
	husk stop -t 20 i >/dev/null
	elapsed=$(($(now_ms) - start))
	[ "$elapsed" -lt 3000 ] || fail "stop took $elapsed ms"
	run husk inspect -f '{{.State.ExitCode}}' i
	expect_output 143
	start=$(now_ms)
	husk stop -t 1 p >/dev/null
	elapsed=$(($(now_ms) - start))
	[ "$elapsed" -ge 1000 ] || fail "plain sleep as PID 1 stopped in $elapsed ms"
	run husk inspect -f '{{.State.ExitCode}}' p
	expect_output 137
}

@test "init: kept across restart, recorded in HostConfig.Init; --init=false is none" {
	husk create --name k --network none --init busybox sleep 1000 >/dev/null
	run husk inspect -f '{{json .HostConfig.Init}} {{.Path}}' k
	expect_output 'true sleep'
	husk start k >/dev/null
	husk restart -t 0 k >/dev/null
	run husk exec k cat /proc/1/comm
	expect_output docker-init
	run husk inspect -f '{{json .HostConfig.Init}}' $(husk create --network none --init=false busybox true)
	expect_output false
	run husk inspect -f '{{json .HostConfig.Init}}' $(husk create --network none busybox true)
	expect_output null
	run husk run --rm --network none --init=false busybox cat /proc/1/comm
	expect_output cat
}

@test "init with --pid host: not PID 1, it is the command's subreaper" {
	run husk run --rm --network none --pid host --init busybox sh -c '
		sh -c "sleep 5 & echo \$!" >/tmp/orphan
		sleep 0.3
		[ "$(sed -n "s/^PPid:[[:space:]]*//p" /proc/$(cat /tmp/orphan)/status)" = "$PPID" ] && echo adopted
		[ "$(cat /proc/$PPID/comm)" = docker-init ] && echo by-init
		kill $(cat /tmp/orphan)'
	expect_status 0
	expect_output "adopted
by-init"
}

@test "init with -t: the command is the terminal's foreground process group" {
	run husk run --rm --network none -t --init busybox sh -c 'set -- $(cat /proc/self/stat); [ "$5" = "$8" ] && [ "$5" != 1 ] && echo foreground'
	expect_status 0
	expect_match foreground
}

@test "bad --init value: one line, exit 125, nothing left" {
	run --separate-stderr husk run --rm --network none --init=maybe busybox true
	expect_husk_error 125 'invalid --init=maybe: true or false'
	[ "$(count_containers)" = 0 ]
}
