#!/usr/bin/env bats
# husk events (issue 18): the journal every husk command and monitor appends
# to (data root/events/events.log, one JSON line per event, rotated by size),
# read back by windows (--since/--until), filters and formats, and followed
# live with inotify.

load helpers

setup() {
	keeping_setup
}

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	"$HUSK" volume rm $("$HUSK" volume ls -q) >/dev/null 2>&1
	for network in $("$HUSK" network ls | awk 'NR > 1 && $2 != "bridge" {print $2}'); do
		"$HUSK" network rm "$network" >/dev/null
	done
	"$HUSK" rmi -f evimg:1 evtag:v1 >/dev/null 2>&1
	husk_teardown
}

JOURNAL() { echo "$HUSK_ROOT/events/events.log"; }

now() { date +%s.%N; }

# window SINCE [husk events flags...]: the events from SINCE to now.
window() {
	local since=$1
	shift
	husk events --since "$since" --until "$(now)" "$@"
}

@test "events: run --rm is create, start, die with its exit code, destroy, in docker's line" {
	husk run --rm --network none busybox true
	local since
	since=$(now)
	run husk run --rm --network none --name ev-rm busybox sh -c 'exit 3'
	expect_status 3
	run window "$since" --filter container=ev-rm --format '{{.Type}} {{.Action}}'
	expect_status 0
	expect_output $'container create\ncontainer start\ncontainer die\ncontainer destroy'
	run window "$since" --filter container=ev-rm --filter event=die
	expect_status 0
	expect_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2}) container die [0-9a-f]{64} \(execDuration=[0-9]+, exitCode=3, image=busybox, name=ev-rm\)$'
}

@test "events: a detached --rm container's die and destroy come from its monitor" {
	local since
	since=$(now)
	husk run -d --rm --network none --name ev-detached busybox sh -c 'exit 7' >/dev/null
	wait_for 10 bash -c "! '$HUSK' inspect ev-detached >/dev/null 2>&1"
	run window "$since" --filter container=ev-detached --format '{{.Action}} {{.Actor.Attributes.name}}'
	expect_status 0
	expect_output $'create ev-detached\nstart ev-detached\ndie ev-detached\ndestroy ev-detached'
	run window "$since" --filter container=ev-detached --filter event=die --format '{{index .Actor.Attributes "exitCode"}}'
	expect_output 7
}

@test "events: kill carries the signal; stop is kill, die, stop; rm is destroy" {
	local since id
	since=$(now)
	id=$(husk run -d --network none --name ev-kill busybox sleep 1000)
	husk kill -s KILL ev-kill
	husk wait ev-kill >/dev/null || true
	husk start ev-kill
	husk stop -t 0 ev-kill
	husk rm ev-kill
	run window "$since" --filter container="${id:0:12}" --format '{{.Action}} {{index .Actor.Attributes "signal"}}'
	expect_status 0
	# As Go's templates: a missing key is <no value>.
	expect_output "$(printf '%s <no value>\n' create start)
kill 9
die <no value>
start <no value>
kill 15
kill 9
$(printf '%s <no value>\n' die stop destroy)"
	run window "$since" --filter container=ev-kill --filter event=die --format '{{index .Actor.Attributes "exitCode"}}'
	expect_output $'137\n137'
}

@test "events: pause, unpause and rename (oldName)" {
	local since
	since=$(now)
	husk run -d --network none --name ev-old busybox sleep 1000 >/dev/null
	husk pause ev-old
	husk unpause ev-old
	husk rename ev-old ev-new
	run window "$since" --filter event=pause --filter event=unpause --filter event=rename \
		--format '{{.Action}} {{.Actor.Attributes.name}} {{index .Actor.Attributes "oldName"}}'
	expect_status 0
	expect_output $'pause ev-old <no value>\nunpause ev-old <no value>\nrename ev-new /ev-old'
	husk rm -f ev-new >/dev/null
}

@test "events: volume and network create, connect, disconnect, destroy" {
	local since id
	since=$(now)
	husk volume create ev-vol >/dev/null
	husk volume rm ev-vol >/dev/null
	husk network create ev-net >/dev/null
	id=$(husk create --name ev-member busybox true)
	husk network connect ev-net ev-member
	husk network disconnect ev-net ev-member
	husk rm ev-member >/dev/null
	husk network rm ev-net >/dev/null
	run window "$since" --filter type=volume
	expect_status 0
	expect_match $'^[^ ]+ volume create ev-vol \\(driver=local\\)\n[^ ]+ volume destroy ev-vol \\(driver=local\\)$'
	run window "$since" --filter type=network --format '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}'
	expect_output $'create ev-net bridge\nconnect ev-net bridge\ndisconnect ev-net bridge\ndestroy ev-net bridge'
	run window "$since" --filter network=ev-net --filter event=connect --format '{{.Actor.Attributes.container}}'
	expect_output "$id"
}

@test "events: image import, tag, untag and delete" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	local since
	since=$(now)
	husk import "$BATS_TEST_TMPDIR/rootfs.tar" evimg:1 >/dev/null
	husk tag evimg:1 evtag:v1
	husk rmi evtag:v1 >/dev/null
	husk rmi evimg:1 >/dev/null
	run window "$since" --filter type=image --format '{{.Action}} {{.Actor.Attributes.name}}'
	expect_status 0
	expect_match $'^import evimg:1\ntag evimg:1\ntag evtag:v1\nuntag evtag:v1\nuntag evimg:1\ndelete sha256:[0-9a-f]{64}$'
	run window "$since" --filter image=evtag --format '{{.Action}}'
	expect_output $'tag\nuntag'
}

@test "events: filters (type, container, event, label, image) and their AND/OR" {
	local since
	since=$(now)
	husk run --rm --network none --label team=ev --label tier=web --name ev-label busybox true
	husk run --rm --network none --name ev-plain busybox true
	husk volume create ev-fvol >/dev/null
	husk volume rm ev-fvol >/dev/null
	run window "$since" --filter label=team=ev --filter event=start --format '{{.Actor.Attributes.name}} {{.Actor.Attributes.team}}'
	expect_output 'ev-label ev'
	run window "$since" --filter label=team --filter label=tier=web --filter event=start --format '{{.Actor.Attributes.name}}'
	expect_output 'ev-label'
	run window "$since" --filter label=team=other
	expect_output ''
	run window "$since" --filter container=ev-label --filter container=ev-plain --filter event=create --format '{{.Actor.Attributes.name}}'
	expect_output $'ev-label\nev-plain'
	run window "$since" --filter image=busybox --filter event=destroy --format '{{.Actor.Attributes.name}}'
	expect_output $'ev-label\nev-plain'
	run window "$since" --filter image=busybox:latest --filter type=volume
	expect_output ''
	run window "$since" --filter type=volume --filter type=container --filter event=create --format '{{.Type}}'
	expect_output $'container\ncontainer\nvolume'
	# system events is the same command.
	run husk system events --since "$since" --until "$(now)" --filter volume=ev-fvol --format '{{.Action}}'
	expect_output $'create\ndestroy'
}

@test "events: --since and --until windows (Unix time, RFC 3339, durations), --format json" {
	local t0 t1 t2 rfc
	t0=$(now)
	husk volume create ev-a >/dev/null
	t1=$(now)
	husk volume create ev-b >/dev/null
	t2=$(now)
	husk volume rm ev-a ev-b >/dev/null
	run husk events --since "$t0" --until "$t1" --filter type=volume --format '{{.Actor.ID}}'
	expect_output ev-a
	run husk events --since "$t1" --until "$t2" --filter type=volume --format '{{.Actor.ID}}'
	expect_output ev-b
	rfc=$(date -u -d "@$t1" +%Y-%m-%dT%H:%M:%S.%NZ)
	run husk events --since "$rfc" --until "$t2" --filter type=volume --format '{{.Actor.ID}}'
	expect_output ev-b
	# Durations are whole seconds before now (docker's rule): 1m reaches back far enough.
	run husk events --since 1m --until "$t2" --filter volume=ev-a --filter volume=ev-b --format '{{.Actor.ID}}'
	expect_output $'ev-a\nev-b'
	run husk events --since "$t0" --until "$t2" --filter type=volume --format json
	expect_status 0
	[ "${#lines[@]}" = 2 ]
	run jq -c '[.Type, .Action, .Actor.ID, .Actor.Attributes.driver, .scope, (.time|type), (.timeNano > .time)]' <<<"$output"
	expect_output $'["volume","create","ev-a","local","local","number",true]\n["volume","create","ev-b","local","local","number",true]'
	# Containers carry docker's deprecated status, id and from too.
	husk run --rm --network none --name ev-json busybox true
	run window "$t0" --filter container=ev-json --filter event=start --format json
	run jq -r '"\(.status) \(.from) \(.id == .Actor.ID)"' <<<"$output"
	expect_output 'start busybox true'
}

@test "events: without --until it follows live (inotify), from now on" {
	local out=$BATS_TEST_TMPDIR/follow.out
	husk volume create ev-before >/dev/null
	husk volume rm ev-before >/dev/null
	start_bg "$out" events --filter type=volume --format '{{.Action}} {{.Actor.ID}}'
	local follower=$BG_PID i=0
	# Until the follower is watching: volumes made before that are not shown.
	probe() {
		i=$((i + 1))
		"$HUSK" volume create "ev-probe$i" >/dev/null && "$HUSK" volume rm "ev-probe$i" >/dev/null
		grep -q 'create ev-probe' "$out"
	}
	wait_for 10 probe
	husk run --rm --network none --name ev-live busybox true
	husk volume create ev-live >/dev/null
	husk volume rm ev-live >/dev/null
	wait_for 10 file_has_line "$out" 'destroy ev-live'
	kill "$follower"
	wait "$follower" || true
	run cat "$out"
	expect_match 'create ev-live'
	if grep -q -e ev-before -e container "$out"; then
		fail "the follower showed what it should not: $(cat "$out")"
	fi
}

@test "events: --until in the future follows until then, then exits" {
	local out=$BATS_TEST_TMPDIR/until.out until
	until=$(date -d '+2 seconds' +%s.%N)
	start_bg "$out" events --since "$(now)" --until "$until" --filter volume=ev-soon --format '{{.Action}}'
	husk volume create ev-soon >/dev/null
	husk volume rm ev-soon >/dev/null
	expect_bg_status "$BG_PID" 0 "$out"
	run cat "$out"
	expect_output $'create\ndestroy'
}

@test "events: concurrent writers never tear a line" {
	local since i writers=()
	since=$(now)
	for i in $(seq 20); do
		(for round in 1 2 3; do
			"$HUSK" volume create "ev-c$i-$round" >/dev/null && "$HUSK" volume rm "ev-c$i-$round" >/dev/null
		done) &
		writers+=($!)
	done
	# (Not a bare wait: bats's own timer is a child too.)
	wait "${writers[@]}"
	# Every line of the journal is one JSON object.
	cat "$(JOURNAL).1" "$(JOURNAL)" 2>/dev/null | jq -c . >/dev/null
	[ "$(cat "$(JOURNAL).1" "$(JOURNAL)" 2>/dev/null | wc -l)" = "$(cat "$(JOURNAL).1" "$(JOURNAL)" 2>/dev/null | jq -c . | wc -l)" ]
	run window "$since" --filter volume=ev-c --filter event=create
	[ "${#lines[@]}" = 60 ]
	run window "$since" --filter volume=ev-c --filter event=destroy
	[ "${#lines[@]}" = 60 ]
}

@test "events: the journal rotates by size (HUSK_EVENTS_MAX_SIZE), readers and followers cross it" {
	local since out=$BATS_TEST_TMPDIR/rotate.out i
	rm -f "$(JOURNAL)" "$(JOURNAL).1"
	since=$(now)
	start_bg "$out" events --since "$since" --filter volume=ev-r --format '{{.Action}} {{.Actor.ID}}'
	export HUSK_EVENTS_MAX_SIZE=4000
	for i in $(seq -w 20); do
		husk volume create "ev-r$i" >/dev/null
		husk volume rm "ev-r$i" >/dev/null
	done
	unset HUSK_EVENTS_MAX_SIZE
	[ -s "$(JOURNAL).1" ]
	[ "$(stat -c %s "$(JOURNAL).1")" -ge 4000 ]
	[ "$(stat -c %s "$(JOURNAL)")" -lt 4000 ]
	run window "$since" --filter volume=ev-r
	[ "${#lines[@]}" = 40 ]
	wait_for 10 file_has_line "$out" 'destroy ev-r20'
	kill "$BG_PID"
	wait "$BG_PID" || true
	[ "$(grep -c . "$out")" = 40 ]
	# Concurrent writers around rotations: both files hold whole lines only.
	export HUSK_EVENTS_MAX_SIZE=3000
	local writers=()
	for i in $(seq 10); do
		(for round in 1 2; do
			"$HUSK" volume create "ev-x$i-$round" >/dev/null && "$HUSK" volume rm "ev-x$i-$round" >/dev/null
		done) &
		writers+=($!)
	done
	wait "${writers[@]}"
	unset HUSK_EVENTS_MAX_SIZE
	[ "$(cat "$(JOURNAL).1" "$(JOURNAL)" | wc -l)" = "$(cat "$(JOURNAL).1" "$(JOURNAL)" | jq -c . | wc -l)" ]
}

@test "events: the default rotation size is 1 MiB" {
	local since
	mkdir -p "$HUSK_ROOT/events"
	rm -f "$(JOURNAL)" "$(JOURNAL).1"
	# Just under 1 MiB of old, valid events.
	python3 -c '
import json, sys
line = json.dumps({"Type": "volume", "Action": "create", "Actor": {"ID": "old", "Attributes": {}},
                   "scope": "local", "time": 1, "timeNano": 1000000000}, separators=(",", ":")) + "\n"
sys.stdout.write(line * ((1024 * 1024 - 1) // len(line)))' >"$(JOURNAL)"
	since=$(now)
	husk volume create ev-big >/dev/null
	[ -s "$(JOURNAL).1" ]
	[ ! -e "$(JOURNAL)" ]
	husk volume rm ev-big >/dev/null
	[ "$(grep -c . "$(JOURNAL)")" = 1 ]
	run window "$since" --filter volume=ev-big --format '{{.Action}}'
	expect_output $'create\ndestroy'
	run husk events --since 0 --until 1 --format '{{.Actor.ID}}'
	[ "${#lines[@]}" -gt 1000 ]
}

@test "events: bad filters, times, formats and arguments: one line, exit 125" {
	run --separate-stderr husk events --filter colour=red --until 0
	expect_husk_error 125 "invalid filter 'colour'"
	run --separate-stderr husk events --filter type=box --until 0
	expect_husk_error 125 "invalid filter 'type=box'"
	run --separate-stderr husk events --filter container --until 0
	expect_husk_error 125 'bad format of filter'
	run --separate-stderr husk events --since yesterday
	expect_husk_error 125 'invalid --since: failed to parse value as time or duration: "yesterday"'
	run --separate-stderr husk events --until 2026-13-01
	expect_husk_error 125 'invalid --until'
	run --separate-stderr husk events --since 20 --until 10
	expect_husk_error 125 'is after --until'
	run --separate-stderr husk events --format '{{.Action' --until 0
	expect_husk_error 125 'template'
	run --separate-stderr husk events extra
	expect_husk_error 125 'accepts no arguments'
	run --separate-stderr husk events --colour
	expect_husk_error 125 'unknown flag --colour'
	run --separate-stderr husk system events --since
	expect_husk_error 125 'needs an argument'
}
