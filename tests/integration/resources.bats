#!/usr/bin/env bats
# Resource limits, as a user checks them: enforced by the kernel (OOM kill,
# fork bomb, CPU share, cpuset), pause/unpause, update, stats. This host is
# hybrid: every controller that limits is a v1 hierarchy, so these run on v1;
# the v2 file mapping is covered by tests/unit/test_resources.c.

load helpers

setup() { keeping_setup; }

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	rmdir /sys/fs/cgroup/*/husk-test-parent 2>/dev/null || true
	husk_teardown
}

# counter_value CONTAINER: the loop's count (re-read while the file is being rewritten).
counter_value() {
	local value=
	while [ -z "$value" ]; do value=$("$HUSK" exec "$1" cat /tmp/n); done
	echo "$value"
}

cgroup_file() { # CONTAINER CONTROLLER FILE
	cat "/sys/fs/cgroup/$2/husk/$("$HUSK" inspect -f '{{.Id}}' "$1")/$3"
}

@test "--memory: a process allocating past it is OOM-killed; OOMKilled true, exit 137 (foreground and detached)" {
	run "$HUSK" run --name fg -m 16m busybox sh -c 'head -c 200m /dev/zero | tail'
	expect_status 137
	run "$HUSK" inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' fg
	expect_output "true 137"
	"$HUSK" run -d --name bg -m 16m busybox sh -c 'sleep 0.2; head -c 200m /dev/zero | tail' >/dev/null
	run "$HUSK" wait bg
	expect_output 137
	run "$HUSK" inspect -f '{{.State.OOMKilled}}' bg
	expect_output true
	# Within the limit nothing is killed, and the flag says so.
	run "$HUSK" run --name ok -m 64m busybox sh -c 'head -c 8m /dev/zero | tail | wc -c'
	expect_status 0
	run "$HUSK" inspect -f '{{.State.OOMKilled}}' ok
	expect_output false
}

@test "--pids-limit 20 contains a fork bomb; the host stays responsive" {
	"$HUSK" run -d --name bomb --pids-limit 20 busybox sh -c 'f() { f | f & }; f; sleep 1000' >/dev/null
	# eval: asked again each time, not once when wait_for is called.
	wait_for 10 eval '[ "$(cgroup_file bomb pids pids.events | awk "{print \$2}")" -gt 0 ]'
	[ "$(cgroup_file bomb pids pids.current)" -le 20 ]
	[ "$(cgroup_file bomb pids pids.max)" = 20 ]
	# The host still starts processes at once.
	start=$(date +%s%N)
	for i in 1 2 3 4 5; do /bin/true; done
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 ]
	"$HUSK" rm -f bomb >/dev/null
}

@test "--cpus 0.5 holds a busy loop near half a CPU (tolerance: 0.35 to 0.65)" {
	"$HUSK" run -d --name busy --cpus 0.5 busybox sh -c 'while :; do :; done' >/dev/null
	[ "$(cgroup_file busy cpu cpu.cfs_quota_us)" = 50000 ]
	[ "$(cgroup_file busy cpu cpu.cfs_period_us)" = 100000 ]
	sleep 0.5
	a=$(cgroup_file busy cpuacct cpuacct.usage)
	sleep 2
	b=$(cgroup_file busy cpuacct cpuacct.usage)
	share=$(awk -v d=$((b - a)) 'BEGIN { printf "%.2f", d / 2e9 }')
	echo "CPU share over 2 s: $share" >&2
	awk -v s="$share" 'BEGIN { exit !(s >= 0.35 && s <= 0.65) }' || fail "share $share"
	run "$HUSK" inspect -f '{{.HostConfig.NanoCpus}}' busy
	expect_output 500000000
}

@test "--cpuset-cpus pins the container; shares, reservation, swap and blkio weight reach the v1 files" {
	run "$HUSK" run --rm --cpuset-cpus 0 busybox grep Cpus_allowed_list /proc/self/status
	expect_match 'Cpus_allowed_list:[[:space:]]+0$'
	"$HUSK" run -d --name set -m 64m --memory-swap 96m --memory-reservation 32m -c 512 --blkio-weight 300 --cpuset-mems 0 busybox sleep 1000 >/dev/null
	[ "$(cgroup_file set memory memory.limit_in_bytes)" = $((64 << 20)) ]
	[ "$(cgroup_file set memory memory.memsw.limit_in_bytes)" = $((96 << 20)) ]
	[ "$(cgroup_file set memory memory.soft_limit_in_bytes)" = $((32 << 20)) ]
	[ "$(cgroup_file set cpu cpu.shares)" = 512 ]
	[ "$(cgroup_file set cpuset cpuset.mems)" = 0 ]
	weight=$(cgroup_file set blkio blkio.bfq.weight 2>/dev/null || cgroup_file set blkio blkio.weight)
	[ "${weight##* }" = 300 ] || fail "blkio weight: $weight"
	run "$HUSK" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpuShares}} {{.HostConfig.BlkioWeight}}' set
	expect_output "$((64 << 20)) $((96 << 20)) $((32 << 20)) 512 300"
}

@test "pause stops all progress, unpause resumes it; paused shows in ps and inspect; exec and kill are refused" {
	"$HUSK" run -d --name counter busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; done' >/dev/null
	sleep 0.3
	run "$HUSK" pause counter
	expect_output counter
	[ "$(cgroup_file counter freezer freezer.state)" = FROZEN ]
	a=$(cgroup_file counter cpuacct cpuacct.usage)
	sleep 0.5
	[ "$(cgroup_file counter cpuacct cpuacct.usage)" = "$a" ] || fail "it ran while paused"
	run "$HUSK" ps --format '{{.Names}} {{.Status}}'
	expect_match '^counter Up .* \(Paused\)$'
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' counter
	expect_output "paused true true"
	run --separate-stderr "$HUSK" exec counter true
	expect_husk_error 125 'container counter is paused: unpause it first'
	run --separate-stderr "$HUSK" kill counter
	expect_husk_error 1 'is paused: unpause it first'
	run --separate-stderr "$HUSK" pause counter
	expect_husk_error 1 'already paused'
	"$HUSK" unpause counter >/dev/null
	first=$(counter_value counter)
	sleep 0.3
	[ "$(counter_value counter)" -gt "$first" ] || fail "no progress after unpause"
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.Paused}}' counter
	expect_output "running false"
	# rm -f of a paused container thaws it so it can die.
	"$HUSK" pause counter >/dev/null
	"$HUSK" rm -f counter >/dev/null
}

@test "update changes live limits: the cgroup files, the effect, and the record" {
	"$HUSK" run -d --name live -m 64m --pids-limit 100 busybox sleep 1000 >/dev/null
	run "$HUSK" update -m 128m --pids-limit 4 --cpus 0.25 live
	expect_output live
	[ "$(cgroup_file live memory memory.limit_in_bytes)" = $((128 << 20)) ]
	[ "$(cgroup_file live pids pids.max)" = 4 ]
	[ "$(cgroup_file live cpu cpu.cfs_quota_us)" = 25000 ]
	# PID 1 and the exec's sh are 2 of the 4 tasks: of 5 background sleeps
	# (which hold no pipe of the exec open) the 3rd fails.
	run "$HUSK" exec live sh -c 'for i in 1 2 3 4 5; do sleep 100 </dev/null >/dev/null 2>&1 & done'
	expect_match "(can't fork|Resource temporarily unavailable)"
	run "$HUSK" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' live
	expect_output "$((128 << 20)) 4 250000000"
	# A stopped container keeps the new limits for its next start.
	"$HUSK" stop -t 1 live >/dev/null
	"$HUSK" start live >/dev/null
	[ "$(cgroup_file live pids pids.max)" = 4 ]
	run --separate-stderr "$HUSK" update live
	expect_husk_error 125 'needs at least one limit'
	run --separate-stderr "$HUSK" update --memory 1x live
	expect_husk_error 125 'invalid --memory "1x"'
}

@test "stats --no-stream: the numbers are the cgroup files'; json and templates" {
	"$HUSK" run -d --name s -m 64m busybox sh -c 'sleep 1000 & sleep 1000 & wait' >/dev/null
	wait_for 10 eval '[ "$(cgroup_file s pids pids.current)" = 3 ]'
	run "$HUSK" stats --no-stream --format json s
	expect_status 0
	expect_match '"Name": ?"s"'
	expect_match '"PIDs": ?3[,}]'
	expect_match "\"MemLimit\": ?$((64 << 20))[,}]"
	run "$HUSK" stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemUsageText}}' s
	expect_match '^s 3 [0-9.]+(B|KiB|MiB) / 64.00MiB$'
	run "$HUSK" stats --no-stream
	expect_match 'CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS'
	expect_match ' s +[0-9.]+% +.* / 64.00MiB +[0-9.]+% +.* 3$'
	run --separate-stderr "$HUSK" stats --no-stream nosuch
	expect_husk_error 125 'No such container: nosuch'
}

@test "--cgroup-parent: the container's cgroups go under it, and it stays after the container" {
	"$HUSK" run -d --name child --cgroup-parent /husk-test-parent --pids-limit 7 busybox sleep 1000 >/dev/null
	id=$("$HUSK" inspect -f '{{.Id}}' child)
	[ "$(cat /sys/fs/cgroup/pids/husk-test-parent/$id/pids.max)" = 7 ]
	grep -qx "$("$HUSK" inspect -f '{{.State.Pid}}' child)" /sys/fs/cgroup/pids/husk-test-parent/$id/cgroup.procs
	"$HUSK" rm -f child >/dev/null
	[ ! -e "/sys/fs/cgroup/pids/husk-test-parent/$id" ]
	[ -d /sys/fs/cgroup/pids/husk-test-parent ]
}

@test "bad limits: one-line error naming the problem, nothing created" {
	cases=(
		"-m -5m|invalid --memory \"-5m\""
		"-m lots|invalid --memory \"lots\""
		"-m 3m|the minimum is 6m"
		"--memory-swap 1g|--memory-swap needs --memory"
		"-m 64m --memory-swap 32m|it is memory \+ swap"
		"--memory-reservation 1g -m 64m|--memory-reservation must be below --memory"
		"--cpus 99|is more than the [0-9]+ CPUs this host has"
		"--cpus -1|invalid --cpus \"-1\""
		"--cpus 0.5 --cpu-quota 50000|conflicting options: --cpus and --cpu-period/--cpu-quota"
		"--cpuset-cpus 0-64|CPU 64 does not exist"
		"--cpuset-cpus zero|invalid --cpuset-cpus \"zero\""
		"--cpu-shares 1|invalid --cpu-shares \"1\""
		"--pids-limit many|invalid --pids-limit \"many\""
		"--blkio-weight 5|invalid --blkio-weight \"5\""
		"--cgroup-parent ../x|invalid --cgroup-parent"
	)
	for case in "${cases[@]}"; do
		flags=${case%%|*} message=${case#*|}
		run --separate-stderr "$HUSK" run --rm $flags busybox true
		expect_husk_error 125 "$message" || fail "flags: $flags"
	done
	[ "$(count_containers)" = 0 ]
}

@test "cgroup v2: with the v1 freezer hidden, pause and unpause use cgroup2's cgroup.freeze" {
	# This hybrid host's cgroup2 tree holds no limiting controller, but freezing
	# is part of cgroup2 itself: in a mount namespace without the v1 freezer
	# mount, husk finds no v1 freezer and must use cgroup.freeze.
	unified=/sys/fs/cgroup/unified
	[ "$(stat -f -c %T $unified 2>/dev/null)" = cgroup2fs ] || skip "no cgroup2 hierarchy on this host"
	run unshare --mount --propagation private sh -c "
		umount /sys/fs/cgroup/freezer || exit 3
		'$HUSK' run -d --name v2 busybox sh -c 'while :; do :; done' >/dev/null || exit 4
		id=\$('$HUSK' inspect -f '{{.Id}}' v2)
		'$HUSK' pause v2 >/dev/null || exit 5
		echo frozen=\$(cat $unified/husk/\$id/cgroup.freeze) \$(grep frozen $unified/husk/\$id/cgroup.events)
		a=\$(awk '/usage_usec/ {print \$2}' $unified/husk/\$id/cpu.stat); sleep 0.3
		b=\$(awk '/usage_usec/ {print \$2}' $unified/husk/\$id/cpu.stat)
		echo progress=\$((b - a))
		'$HUSK' unpause v2 >/dev/null || exit 6
		echo thawed=\$(cat $unified/husk/\$id/cgroup.freeze)
		'$HUSK' rm -f v2 >/dev/null"
	expect_status 0
	expect_output "frozen=1 frozen 1
progress=0
thawed=0"
}
