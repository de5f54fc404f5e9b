#!/usr/bin/env bats
# Every lifecycle command and flag as a docker user would try it: run -d,
# create/start, ps, inspect, exec, logs, stop, kill, restart, wait, rm, prune,
# top, attach, names and ID prefixes, and errors that must change nothing.

load helpers

teardown() {
	# Remove through husk, so monitors and cgroups go too, then the usual checks.
	"$HUSK" rm -f $(ls -A "$HUSK_ROOT/containers" 2>/dev/null) >/dev/null 2>&1
	husk_teardown
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# record_digest NAME: a digest of everything husk keeps for NAME, to show that
# a refused command changed nothing.
record_digest() {
	local id
	id=$(readlink "$HUSK_ROOT/names/$1")
	cat "$HUSK_ROOT/containers/$id/container.json" | md5sum
}

running() {
	[ "$("$HUSK" inspect -f '{{.State.Running}}' "$1")" = true ]
}

not_running() {
	[ "$("$HUSK" inspect -f '{{.State.Running}}' "$1")" = false ]
}

# --- run -d, create, start ------------------------------------------------------

@test "run -d returns at once with the 64-hex ID; ps --no-trunc shows it, ps -q its short form" {
	start=$(now_ms)
	run --separate-stderr "$HUSK" run -d --name d busybox sleep 100
	elapsed=$(($(now_ms) - start))
	expect_status 0
	expect_match "$ID_RE"
	[ -z "$stderr" ]
	[ "$elapsed" -lt 2000 ] || fail "run -d took ${elapsed} ms"
	id=$output
	run "$HUSK" ps --no-trunc --format '{{.ID}}'
	expect_output "$id"
	run "$HUSK" ps -q
	expect_output "${id:0:12}"
	run "$HUSK" ps -q --no-trunc
	expect_output "$id"
}

@test "ps: docker's columns, newest first; -a adds created and exited containers" {
	"$HUSK" create --name made busybox true >/dev/null
	"$HUSK" run --name gone busybox sh -c 'exit 3' || true
	"$HUSK" run -d --name up busybox sleep 100 >/dev/null
	run "$HUSK" ps
	expect_match '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +NAMES$' "${lines[0]}"
	[ "${#lines[@]}" = 2 ] || fail "$output"
	expect_match '^[0-9a-f]{12} +busybox +"sleep 100" +.* ago +Up .* +up$' "${lines[1]}"
	run "$HUSK" ps -a --format '{{.Names}}|{{.Status}}|{{.Command}}'
	expect_match '^up\|Up ' "${lines[0]}"
	expect_match '^gone\|Exited \(3\) .* ago\|"sh -c '"'"'exit 3'"'"'"$' "${lines[1]}"
	expect_output "${lines[0]}
${lines[1]}
made|Created|\"true\""
}

@test "ps --format json: one object per container with docker's keys" {
	"$HUSK" run -d --name j busybox sleep 100 >/dev/null
	run "$HUSK" ps --format json
	expect_status 0
	[ "${#lines[@]}" = 1 ]
	for key in ID Image Command CreatedAt RunningFor Status State Names; do
		[[ "$output" == *"\"$key\":"* ]] || fail "no $key in $output"
	done
	[[ "$output" == *'"Names":"j"'* ]]
	[[ "$output" == *'"State":"running"'* ]]
	run "$HUSK" ps --format 'table {{.Names}}\t{{.State}}'
	expect_match '^NAMES +STATE$' "${lines[0]}"
	expect_match '^j +running$' "${lines[1]}"
}

@test "create makes a container that start runs; start prints the name" {
	run "$HUSK" create --name c busybox sleep 100
	expect_status 0
	expect_match "$ID_RE"
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}' c
	expect_output "created false 0 0001-01-01T00:00:00Z"
	run "$HUSK" start c
	expect_status 0
	expect_output c
	running c
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' c)
	[ "$(tr '\0' ' ' </proc/$pid/cmdline)" = "sleep 100 " ]
}

@test "start -ai: stdin reaches a container created with -i, the exit status comes back" {
	"$HUSK" create -i --name i busybox sh -c 'read line; echo "got $line"; exit 6' >/dev/null
	run sh -c 'echo hello | "$HUSK" start -ai i'
	expect_status 6
	expect_output "got hello"
}

@test "run -d --rm: the monitor removes the container when it exits" {
	id=$("$HUSK" run -d --rm --name gone busybox sh -c 'sleep 0.3')
	wait_for 10 test ! -e "$HUSK_ROOT/containers/$id"
	[ ! -e "$HUSK_ROOT/names/gone" ]
	run "$HUSK" ps -a -q
	expect_output ""
}

# --- inspect ----------------------------------------------------------------------

@test "inspect: docker's shape, one array for several containers" {
	id=$("$HUSK" run -d --name a -w /tmp -h box busybox sleep 100)
	"$HUSK" create --name b busybox echo hi >/dev/null
	run "$HUSK" inspect a b
	expect_status 0
	[ "${lines[0]}" = "[" ] && [ "${lines[-1]}" = "]" ] || fail "$output"
	[ "$(grep -c '"Id":' <<<"$output")" = 2 ]
	run "$HUSK" inspect -f '{{.Id}} {{.Name}} {{.Path}} {{json .Args}} {{.Config.Image}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{.Config.Hostname}} {{.Config.Tty}} {{.Config.User}}|' a
	expect_output "$id /a sleep [\"100\"] busybox [\"sleep\",\"100\"] /tmp box false |"
	run "$HUSK" inspect -f '{{json .State}}' a
	expect_match '^\{"Status":"running","Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"Pid":[0-9]+,"ExitCode":0,"Error":"","StartedAt":"[0-9T:.-]+Z","FinishedAt":"0001-01-01T00:00:00Z"\}$'
	run "$HUSK" inspect -f '{{json .HostConfig}}' a
	expect_output '{"NetworkMode":"bridge","PidMode":"private","IpcMode":"private","UTSMode":"private","UsernsMode":"host","CgroupnsMode":"private","Privileged":false,"AutoRemove":false,"ReadonlyRootfs":false,"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"Binds":null,"Mounts":null,"Tmpfs":null,"VolumesFrom":null,"PortBindings":{},"Sysctls":{},"Memory":0,"MemorySwap":0,"MemoryReservation":0,"OomKillDisable":false,"NanoCpus":0,"CpuShares":0,"CpuPeriod":0,"CpuQuota":0,"CpusetCpus":"","CpusetMems":"","PidsLimit":0,"BlkioWeight":0,"CgroupParent":"","SecurityOpt":null,"MaskedPaths":["/proc/acpi","/proc/kcore","/proc/keys","/proc/key-users","/proc/latency_stats","/proc/timer_list","/proc/sched_debug","/proc/scsi","/sys/firmware"],"ReadonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"],"Devices":[],"DeviceCgroupRules":null,"Init":null,"ContainerIDFile":"","ExtraHosts":null,"Dns":[],"DnsOptions":[],"DnsSearch":[],"GroupAdd":null,"ShmSize":67108864,"LogConfig":{"Type":"local","Config":{}}}'
	run "$HUSK" inspect -f '{{.Created}} {{range .Config.Env}}{{.}};{{end}}' a
	expect_match '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z PATH=[^;]+;HOSTNAME=box;HOME=/root;$'
}

@test "inspect: Namespaces are the kernel's inodes while running, gone once exited" {
	"$HUSK" run -d --name n busybox sleep 100 >/dev/null
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' n)
	for type in cgroup ipc mnt net pid time user uts; do
		run "$HUSK" inspect -f "{{index .Namespaces \"$type\"}}" n
		expect_output "$(stat -L -c %i /proc/$pid/ns/$type)"
	done
	"$HUSK" kill n >/dev/null
	"$HUSK" wait n >/dev/null
	run "$HUSK" inspect -f '{{json .Namespaces}} {{.State.Pid}}' n
	expect_output "{} 0"
}

@test "inspect -f: field paths, json, index, range, if/else and literal text" {
	"$HUSK" run -d --name t -e A=1 busybox sleep 100 >/dev/null
	"$HUSK" run --name u busybox sh -c 'exit 2' || true
	run "$HUSK" inspect -f 'name={{.Name}} {{if .State.Running}}up{{else}}down {{.State.ExitCode}}{{end}} {{index .Config.Cmd 0}} {{len .Config.Env}}' t u
	expect_output "name=/t up sleep 4
name=/u down 2 sh 3"
	run "$HUSK" inspect -f '{{range $i, $a := .Config.Cmd}}{{$i}}={{$a}} {{end}}{{json .Config.Env | len}}' t
	expect_match '^0=sleep 1=100 [0-9]+$'
	run "$HUSK" inspect --format '{{printf "%s:%d" .Name .State.ExitCode}}' u
	expect_output "/u:2"
}

@test "inspect: the PID moves an interface in by hand (ip link set ... netns PID)" {
	"$HUSK" run -d --name w busybox sleep 100 >/dev/null
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' w)
	[ "$(cat /proc/$pid/comm)" = sleep ]
	ip link add lc-host type veth peer name lc-cont
	ip link set lc-cont netns "$(husk inspect -f '{{.State.Pid}}' w)"
	run "$HUSK" exec w ip -o link show lc-cont
	ip link del lc-host
	expect_status 0
	[[ "$output" == *lc-cont* ]]
	! ip link show lc-cont 2>/dev/null
}

@test "inspect: bad template, unknown container: one-line errors" {
	"$HUSK" run -d --name x busybox sleep 100 >/dev/null
	run --separate-stderr "$HUSK" inspect -f '{{.State.Pid' x
	expect_husk_error 1 'template: .*unclosed action'
	run --separate-stderr "$HUSK" inspect -f '{{nosuchfunction .}}' x
	expect_husk_error 1 'function "nosuchfunction" not defined'
	run --separate-stderr "$HUSK" inspect nosuch
	expect_status 1
	expect_output "[]"
	[ "$stderr" = "husk: No such container: nosuch" ]
}

# --- exec ------------------------------------------------------------------------

@test "exec -e -u -w: environment, user and directory of the new process" {
	"$HUSK" run -d --name e -e FROM_RUN=1 busybox sleep 100 >/dev/null
	run "$HUSK" exec -e FOO=bar -u 1000:1001 -w /tmp e sh -c 'echo "$FOO $FROM_RUN"; id -u; id -g; pwd'
	expect_status 0
	expect_output "bar 1
1000
1001
/tmp"
	run "$HUSK" exec -u nobody e id -un
	expect_output nobody
	run --separate-stderr "$HUSK" exec -w /nonexistent e true
	[ "$status" -ne 0 ]
}

@test "exec -i passes stdin; without -i stdin is empty" {
	"$HUSK" run -d --name i busybox sleep 100 >/dev/null
	run sh -c 'printf "a\nb\n" | "$HUSK" exec -i i wc -l'
	expect_output 2
	run sh -c 'printf "a\nb\n" | "$HUSK" exec i wc -l'
	expect_output 0
}

@test "exec -d returns at once while the process goes on in the container" {
	"$HUSK" run -d --name d busybox sleep 100 >/dev/null
	start=$(now_ms)
	run "$HUSK" exec -d d sh -c 'sleep 1; touch /done'
	elapsed=$(($(now_ms) - start))
	expect_status 0
	expect_output ""
	[ "$elapsed" -lt 900 ] || fail "exec -d took $elapsed ms"
	wait_for 10 "$HUSK" exec d test -e /done
}

@test "exec --privileged gets every capability; plain exec the container's" {
	"$HUSK" run -d --name p busybox sleep 100 >/dev/null
	run "$HUSK" exec p awk '/^CapEff/ {print $2}' /proc/self/status
	expect_output "$DEFAULT_CAPS"
	run "$HUSK" exec --privileged p awk '/^(CapEff|Seccomp):/ {print $2}' /proc/self/status
	expect_output "$(awk '/^CapBnd/ {print $2}' /proc/self/status)
0"
}

@test "exec joins PID 1's cgroups and keeps no_new_privs and seccomp" {
	"$HUSK" run -d --name g busybox sleep 100 >/dev/null
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' g)
	"$HUSK" exec -d g sleep 77
	wait_for 10 pgrep -f -x 'sleep 77'
	joined=$(pgrep -f -x 'sleep 77')
	[ "$(cat /proc/$joined/cgroup)" = "$(cat /proc/$pid/cgroup)" ] ||
		fail "exec: $(cat /proc/$joined/cgroup); PID 1: $(cat /proc/$pid/cgroup)"
	grep -q "/husk/$(readlink "$HUSK_ROOT/names/g")\$" /proc/$joined/cgroup
	[ "$(awk '/^(NoNewPrivs|Seccomp):/ {print $2}' /proc/$joined/status | tr '\n' ' ')" = "1 2 " ]
}

@test "exec into a container that is not running: one-line error, nothing changes" {
	"$HUSK" create --name c busybox true >/dev/null
	"$HUSK" run --name x busybox true
	for name in c x; do
		before=$(record_digest $name)
		run --separate-stderr "$HUSK" exec $name true
		expect_husk_error 125 "container $name is not running"
		[ "$(record_digest $name)" = "$before" ]
	done
}

# tmux with a private server for this test.
tmux_start() { # COMMAND
	TMUX_SOCKET=$BATS_TEST_TMPDIR/tmux.sock
	TERM=xterm tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s test -x 80 -y 24 "$1"
}

screen_has() { # REGEX
	tmux -S "$TMUX_SOCKET" capture-pane -p -t test | grep -qE -- "$1"
}

screen() {
	tmux -S "$TMUX_SOCKET" capture-pane -p -t test
}

type_keys() {
	tmux -S "$TMUX_SOCKET" send-keys -t test "$@"
}

@test "exec -it: a shell on a real terminal; window size changes reach it" {
	local rc=$BATS_TEST_TMPDIR/rc
	"$HUSK" run -d --name t busybox sleep 100 >/dev/null
	tmux_start "\"$HUSK\" exec -it t sh; echo \$? > $rc; sleep 100"
	wait_for 10 screen_has '^/ #' || fail "no prompt; screen: $(screen)"
	type_keys 'tty; stty size' Enter
	wait_for 10 screen_has '^24 80$' || fail "size not 24 80; screen: $(screen)"
	screen_has '^/dev/pts/[0-9]+$' || fail "no tty; screen: $(screen)"
	tmux -S "$TMUX_SOCKET" resize-window -t test -x 100 -y 30
	type_keys 'clear; stty size' Enter
	wait_for 10 screen_has '^30 100$' || fail "size not 30 100; screen: $(screen)"
	type_keys 'exit 4' Enter
	wait_for 10 test -s "$rc" || fail "exec did not end; screen: $(screen)"
	[ "$(cat "$rc")" = 4 ]
	running t
}

# --- logs ------------------------------------------------------------------------

@test "logs -t: an RFC 3339 timestamp on every line; --tail 0 prints nothing" {
	"$HUSK" run -d --name l busybox sh -c 'echo one; echo two >&2; sleep 0.1; echo three'
	"$HUSK" wait l >/dev/null
	run "$HUSK" logs -t l
	expect_status 0
	[ "${#lines[@]}" = 3 ]
	for line in "${lines[@]}"; do
		expect_match '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z (one|two|three)$' "$line"
	done
	run "$HUSK" logs --tail 0 l
	expect_output ""
	run "$HUSK" logs -n 1 l
	expect_output three
}

@test "logs: binary output comes back byte for byte" {
	"$HUSK" run -d --name b busybox sh -c 'head -c 200000 /dev/urandom >/data; cat /data; sleep 100' >/dev/null
	wait_for 10 "$HUSK" exec b test -s /data
	"$HUSK" exec b cat /data >"$BATS_TEST_TMPDIR/expected"
	wait_for 10 sh -c "[ \"\$(\"$HUSK\" logs b | wc -c)\" = 200000 ]"
	"$HUSK" logs b >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/got"
}

@test "logs -f prints lines as they come and ends when the container exits" {
	"$HUSK" run -d --name f busybox sh -c 'echo first; sleep 1; echo second; sleep 0.5; exit 3' >/dev/null
	start=$(now_ms)
	run timeout 10 "$HUSK" logs -f f
	elapsed=$(($(now_ms) - start))
	expect_status 0
	expect_output "first
second"
	[ "$elapsed" -ge 1000 ] || fail "logs -f ended after $elapsed ms"
}

# --- stop, kill, restart, wait ---------------------------------------------------

@test "stop -t 0 kills at once; stop prints every name" {
	"$HUSK" run -d --name a busybox sleep 100 >/dev/null
	"$HUSK" run -d --name b busybox sleep 100 >/dev/null
	start=$(now_ms)
	run "$HUSK" stop -t 0 a b
	elapsed=$(($(now_ms) - start))
	expect_status 0
	expect_output "a
b"
	[ "$elapsed" -lt 1500 ] || fail "stop -t 0 took $elapsed ms"
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.ExitCode}}' a b
	expect_output "exited 137
exited 137"
}

@test "stop of a process that ignores SIGTERM takes about the timeout" {
	"$HUSK" run -d --name s busybox sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null
	start=$(now_ms)
	run "$HUSK" stop -t 2 s
	elapsed=$(($(now_ms) - start))
	expect_status 0
	[ "$elapsed" -ge 2000 ] && [ "$elapsed" -lt 3500 ] || fail "stop -t 2 took $elapsed ms"
	run "$HUSK" inspect -f '{{.State.ExitCode}} {{.State.FinishedAt}}' s
	expect_match '^137 20[0-9]{2}-'
}

@test "stop and kill of a container that is not running: one-line error, nothing changes" {
	"$HUSK" create --name c busybox true >/dev/null
	"$HUSK" run --name x busybox true
	for name in c x; do
		before=$(record_digest $name)
		run --separate-stderr "$HUSK" stop $name
		expect_husk_error 1 "container $name is not running"
		run --separate-stderr "$HUSK" kill $name
		expect_husk_error 1 "container $name is not running"
		[ "$(record_digest $name)" = "$before" ]
	done
}

@test "kill: SIGKILL by default; -s takes names, SIG names and numbers" {
	"$HUSK" run -d --name k busybox sh -c 'trap "echo usr1" USR1; trap "exit 42" HUP; while :; do sleep 0.1; done' >/dev/null
	# One at a time: the shell runs a trap once for signals that arrive
	# together.
	count=0
	for sig in USR1 SIGUSR1 usr1 10; do
		run "$HUSK" kill -s $sig k
		expect_status 0
		expect_output k
		count=$((count + 1))
		wait_for 10 sh -c "[ \"\$(\"$HUSK\" logs k | grep -c usr1)\" = $count ]"
	done
	"$HUSK" kill --signal HUP k
	run "$HUSK" wait k
	expect_output 42
	"$HUSK" run -d --name d busybox sleep 100 >/dev/null
	"$HUSK" kill d
	run "$HUSK" wait d
	expect_output 137
}

@test "kill -s with a bad signal: one-line error, the container keeps running" {
	"$HUSK" run -d --name k busybox sleep 100 >/dev/null
	before=$(record_digest k)
	for sig in BOGUS SIGNOPE 0 99 -3 ""; do
		run --separate-stderr "$HUSK" kill -s "$sig" k
		expect_husk_error 1 "invalid signal"
	done
	running k
	[ "$(record_digest k)" = "$before" ]
}

@test "restart: a new PID 1 for a running container; a stopped one is started" {
	"$HUSK" run -d --name r busybox sleep 100 >/dev/null
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' r)
	started=$("$HUSK" inspect -f '{{.State.StartedAt}}' r)
	run "$HUSK" restart -t 0 r
	expect_status 0
	expect_output r
	running r
	[ "$("$HUSK" inspect -f '{{.State.Pid}}' r)" != "$pid" ]
	[ "$("$HUSK" inspect -f '{{.State.StartedAt}}' r)" != "$started" ]
	[ ! -d /proc/$pid ]
	"$HUSK" stop -t 0 r >/dev/null
	"$HUSK" restart r >/dev/null
	running r
}

@test "wait prints each container's exit code, in order" {
	"$HUSK" run -d --name a busybox sh -c 'sleep 0.5; exit 3' >/dev/null
	"$HUSK" run -d --name b busybox sh -c 'exit 5' >/dev/null
	"$HUSK" create --name c busybox true >/dev/null
	"$HUSK" start c >/dev/null
	run "$HUSK" wait a b c
	expect_status 0
	expect_output "3
5
0"
	run --separate-stderr "$HUSK" wait a nosuch
	expect_status 1
	expect_output 3
	[ "$stderr" = "husk: No such container: nosuch" ]
}

# --- rm, prune, top, attach ------------------------------------------------------

@test "rm removes several containers; -f also running ones; an unknown one is reported" {
	"$HUSK" run --name a busybox true
	"$HUSK" create --name b busybox true >/dev/null
	"$HUSK" run -d --name c busybox sleep 100 >/dev/null
	run --separate-stderr "$HUSK" rm a c b
	expect_status 1
	expect_output "a
b"
	[[ "$stderr" == "husk: cannot remove running container c"* ]]
	running c
	run --separate-stderr "$HUSK" rm -f c nosuch
	expect_status 1
	expect_output c
	[ "$stderr" = "husk: No such container: nosuch" ]
	[ "$(count_containers)" = 0 ]
	[ -z "$(ls -A "$HUSK_ROOT/names")" ]
}

@test "container prune removes only stopped containers and lists them" {
	a=$("$HUSK" create --name a busybox true)
	"$HUSK" run --name b busybox true
	b=$(readlink "$HUSK_ROOT/names/b")
	"$HUSK" run -d --name c busybox sleep 100 >/dev/null
	run "$HUSK" container prune
	expect_status 0
	[ "${lines[0]}" = "Deleted Containers:" ]
	[ "$(printf '%s\n' "${lines[@]:1:2}" | sort)" = "$(printf '%s\n' "$a" "$b" | sort)" ]
	[ "${lines[-1]}" = "Total reclaimed space: 0B" ]
	run "$HUSK" ps -a --format '{{.Names}}'
	expect_output c
}

@test "top lists the container's processes with host PIDs" {
	"$HUSK" run -d --name t busybox sh -c 'sleep 100 & wait' >/dev/null
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' t)
	wait_for 10 pgrep -P "$pid" -x sleep
	child=$(pgrep -P "$pid" -x sleep)
	run "$HUSK" top t
	expect_status 0
	expect_match '^UID +PID +PPID +CMD$' "${lines[0]}"
	[ "${#lines[@]}" = 3 ] || fail "$output"
	expect_match "^0 +$pid +[0-9]+ +sh -c sleep 100 & wait$" "${lines[1]}"
	expect_match "^0 +$child +$pid +sleep 100$" "${lines[2]}"
	"$HUSK" stop -t 0 t >/dev/null
	run --separate-stderr "$HUSK" top t
	expect_husk_error 1 "container t is not running"
}

@test "attach shows new output and exits with the container's status" {
	"$HUSK" run -d --name a busybox sh -c 'trap "echo bye; exit 9" TERM; while :; do echo tick; sleep 0.2; done' >/dev/null
	start_bg "$BATS_TEST_TMPDIR/attach.out" attach a
	attach=$BG_PID
	wait_for 10 grep -q tick "$BATS_TEST_TMPDIR/attach.out"
	"$HUSK" kill -s TERM a >/dev/null
	expect_bg_status "$attach" 9 "$BATS_TEST_TMPDIR/attach.out"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/attach.out")" = bye ]
	run --separate-stderr "$HUSK" attach a
	expect_husk_error 1 "not running"
}

# --- names and IDs -----------------------------------------------------------------

@test "names: generated when not given, unique, docker's form" {
	for _ in 1 2 3 4 5; do "$HUSK" create busybox true >/dev/null; done
	run "$HUSK" ps -a --format '{{.Names}}'
	[ "${#lines[@]}" = 5 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" = 5 ]
	for name in "${lines[@]}"; do
		expect_match '^[a-z]+_[a-z]+(_[0-9a-f]+)?$' "$name"
		running_or_not=$("$HUSK" inspect -f '{{.Name}}' "$name")
		[ "$running_or_not" = "/$name" ]
	done
}

@test "names: invalid ones are refused and leave nothing" {
	for name in -x _x .x 'a b' 'a/b' 'é' ''; do
		run --separate-stderr "$HUSK" run -d --name "$name" busybox true
		expect_husk_error 125 'invalid container name'
	done
	[ "$(count_containers)" = 0 ]
	run "$HUSK" run -d --name A.b_c-9 busybox true
	expect_status 0
}

@test "IDs: any unique prefix resolves; an ambiguous one names the candidates" {
	ids=()
	for _ in $(seq 17); do ids+=("$("$HUSK" create busybox true)"); done
	# 17 IDs over 16 hex digits: some first digit is shared.
	shared=$(printf '%s\n' "${ids[@]}" | cut -c1 | sort | uniq -d | head -1)
	run --separate-stderr "$HUSK" inspect -f '{{.Id}}' "$shared"
	expect_status 1
	expect_match "^husk: container ID prefix \"$shared\" is ambiguous: it matches ${shared}[0-9a-f]{11}, ${shared}[0-9a-f]{11}" "$stderr"
	id=${ids[0]}
	for length in 4 12 64; do
		run "$HUSK" inspect -f '{{.Id}}' "${id:0:$length}"
		expect_output "$id"
	done
	run "$HUSK" rm "${id:0:12}"
	expect_output "${id:0:12}"
}

# --- the monitor ----------------------------------------------------------------

@test "the monitor survives its terminal closing; it has no terminal of its own" {
	TMUX_SOCKET=$BATS_TEST_TMPDIR/tmux.sock
	tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s test -x 80 -y 24 \
		"\"$HUSK\" run -d --name m busybox sleep 100 > $BATS_TEST_TMPDIR/id; sleep 100"
	wait_for 10 test -s "$BATS_TEST_TMPDIR/id"
	wait_for 10 running m
	tmux -S "$TMUX_SOCKET" kill-server
	sleep 0.3
	running m
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' m)
	monitor=$(awk '/^PPid/ {print $2}' /proc/$pid/status)
	[ "$(cat /proc/$monitor/comm)" = "husk-$(head -c 10 "$BATS_TEST_TMPDIR/id")" ]
	# stat fields 6 and 7: session (its own) and controlling terminal (none).
	[ "$(awk '{print $6, $7}' /proc/$monitor/stat)" = "$monitor 0" ]
	run "$HUSK" exec m echo alive
	expect_output alive
}

@test "50 run -d / rm -f cycles leave no process, mount, cgroup or record behind" {
	fds_before=$(ls /proc/$$/fd | wc -l)
	pids=()
	for i in $(seq 50); do
		"$HUSK" run -d --name cycle busybox sleep 100 >/dev/null || fail "run $i"
		pids+=("$("$HUSK" inspect -f '{{.State.Pid}}' cycle)")
		"$HUSK" rm -f cycle >/dev/null || fail "rm $i"
	done
	[ "$(count_containers)" = 0 ]
	[ -z "$(ls -A "$HUSK_ROOT/names")" ]
	for pid in "${pids[@]}"; do
		[ ! -d /proc/$pid ] || [ "$(cat /proc/$pid/comm)" != sleep ] || fail "PID 1 $pid still runs"
	done
	[ "$(ls /proc/$$/fd | wc -l)" = "$fds_before" ]
	# teardown checks mounts, cgroups and husk processes against the snapshot
}
