#!/usr/bin/env bats
# Log drivers (issue 18): --log-driver local|json-file|none, --log-opt
# max-size=, max-file=, compress=, labels=, env=, tag=; rotation by the
# monitor and by the foreground run; `logs --since/--until/--details/--tail/-f`
# across rotated (and gzipped) files.

load helpers

setup() { keeping_setup; }

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	husk_teardown
}


directory_of() { echo "$HUSK_ROOT/containers/$(husk inspect -f '{{.Id}}' "$1")"; }

# Waits until the container has exited and no compressor is at work (no
# FILE.N.gz.tmp, no FILE.N beside its FILE.N.gz).
settled() { # NAME
	local dir i
	husk wait "$1" >/dev/null
	dir=$(directory_of "$1")
	for i in $(seq 100); do
		if ! ls "$dir" | grep -q '\.tmp$' &&
			! ls "$dir" | sed -n 's/\.gz$//p' | while read -r f; do [ -e "$dir/$f" ] && echo x; done | grep -q x; then
			return 0
		fi
		sleep 0.1
	done
	fail "a compressor never finished: $(ls "$dir")"
}

# The bytes the log files of NAME take on disk.
log_bytes() { # NAME
	local dir
	dir=$(directory_of "$1")
	find "$dir" -maxdepth 1 \( -name 'container.log*' -o -name '*-json.log*' \) -printf '%s\n' |
		awk '{ total += $1 } END { print total + 0 }'
}

# stdin holds the numbers FIRST..LAST, each once, in order.
contiguous() { # LAST
	python3 -c '
import sys
lines = sys.stdin.read().split("\n")
assert lines[-1] == "", "no final newline"
numbers = [int(x) for x in lines[:-1]]
last = int(sys.argv[1])
assert numbers, "nothing"
assert numbers[-1] == last, "ends at %d, not %d" % (numbers[-1], last)
expected = list(range(numbers[0], last + 1))
assert numbers == expected, "not contiguous: %d lines from %d" % (len(numbers), numbers[0])
print(numbers[0])
' "$1"
}

@test "the default driver is local: husk's format, recorded as LogConfig, LogPath the file" {
	husk run --name d --network none busybox echo hello >/dev/null
	[ "$(husk inspect -f '{{json .HostConfig.LogConfig}}' d)" = '{"Type":"local","Config":{}}' ] ||
		fail "LogConfig: $(husk inspect -f '{{json .HostConfig.LogConfig}}' d)"
	[ "$(husk inspect -f '{{.LogPath}}' d)" = "$(directory_of d)/container.log" ]
	run head -c 2 "$(directory_of d)/container.log"
	[ "$output" = "o " ] || fail "not husk's framed format: $output"
	[ "$(husk logs d)" = hello ]
}

@test "json-file: docker's line format, escapes and invalid UTF-8 as docker, both streams" {
	husk run --name j --network none --log-driver json-file --log-opt max-size=1m busybox \
		sh -c 'echo "a<b>&\"q\" \\"; printf "x\377y\n"; printf "tab\there\n"; echo err >&2; printf partial' >/dev/null 2>&1
	local path
	path=$(husk inspect -f '{{.LogPath}}' j)
	[ "$path" = "$(directory_of j)/$(husk inspect -f '{{.Id}}' j)-json.log" ] || fail "LogPath: $path"
	[ "$(husk inspect -f '{{json .HostConfig.LogConfig}}' j)" = '{"Type":"json-file","Config":{"max-size":"1m"}}' ]
	grep -qF '{"log":"a\u003cb\u003e\u0026\"q\" \\\n","stream":"stdout","time":"' "$path" ||
		fail "not docker's escaping: $(head -1 "$path")"
	python3 - "$path" <<-'PY'
		import json, re, sys
		entries = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
		for e in entries:
		    assert sorted(e) == ["log", "stream", "time"], e
		    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", e["time"]), e["time"]
		logs = [(e["stream"], e["log"]) for e in entries]
		assert ("stdout", "x\ufffdy\n") in logs, logs
		assert ("stdout", "tab\there\n") in logs, logs
		assert ("stderr", "err\n") in logs, logs
		assert ("stdout", "partial") in logs, logs
	PY
	[ "$(husk logs j 2>/dev/null | sed -n 2p)" = "$(printf 'x\357\277\275y')" ]
	[ "$(husk logs j 2>&1 >/dev/null)" = err ]
}

@test "none: nothing is written, logs refuses as docker" {
	husk run --name n --network none --log-driver none busybox echo hidden >/dev/null
	[ "$(husk inspect -f '{{.LogPath}}' n)" = "" ]
	[ -z "$(ls "$(directory_of n)" | grep '\.log')" ] || fail "a log was written"
	run --separate-stderr husk logs n
	[ "$status" != 0 ] || fail "logs read a none log"
	expect_match 'configured logging driver does not support reading' "$stderr"
}

@test "bad --log-driver and --log-opt: one line, exit 125, no container" {
	refused "logger: no log driver named 'syslog2' is registered" run --network none --log-driver syslog2 busybox true
	refused "unknown log opt 'bogus' for json-file log driver" run --network none --log-driver json-file --log-opt bogus=1 busybox true
	refused "unknown log opt 'labels' for local log driver" create --log-opt labels=a busybox true
	refused "unknown log opt 'max-size' for none log driver" run --network none --log-driver none --log-opt max-size=1m busybox true
	refused 'invalid --log-opt max-size="ten": a size' run --network none --log-opt max-size=ten busybox true
	refused 'max-size must be a positive number' run --network none --log-opt max-size=0 busybox true
	refused 'max-file cannot be less than 1' run --network none --log-opt max-file=0 busybox true
	refused 'invalid --log-opt max-file="x": not a number' run --network none --log-opt max-file=x busybox true
	refused 'invalid --log-opt compress="maybe": true or false' run --network none --log-opt compress=maybe busybox true
	refused 'max-file cannot be greater than 1 when max-size is not set' run --network none --log-driver json-file --log-opt max-file=3 busybox true
	refused 'compress cannot be true when max-file is less than 2' run --network none --log-driver json-file --log-opt max-size=1m --log-opt compress=true busybox true
	refused 'invalid --log-opt "max-size": use KEY=VALUE' run --network none --log-opt max-size busybox true
	refused 'invalid --log-opt tag=.*\{\{\.Nope\}\}' run -d --network none --log-driver json-file --log-opt 'tag={{.Nope}}' busybox true
}

rotation_bounds() { # DRIVER [--log-opt ...]
	local driver=$1
	shift
	husk run -d --name r --network none --log-driver "$driver" --log-opt max-size=64k --log-opt max-file=3 "$@" \
		busybox seq 1 200000 >/dev/null
	settled r
	local bytes
	bytes=$(log_bytes r)
	# 64k is docker's 64000 bytes; no file outgrows it, as no entry does.
	[ "$bytes" -le 192000 ] || fail "$bytes bytes on disk: $(ls -l "$(directory_of r)")"
	[ "$(ls "$(directory_of r)" | grep -c "log")" -le 3 ] || fail "too many files: $(ls "$(directory_of r)")"
	local first
	first=$(husk logs r | contiguous 200000) || fail "logs is not a contiguous run"
	[ "$first" -gt 1 ] || fail "nothing was rotated away"
	[ "$(husk logs --tail 5 r | tr '\n' ' ')" = "199996 199997 199998 199999 200000 " ] ||
		fail "--tail 5: $(husk logs --tail 5 r | tr '\n' ' ')"
	# More lines than the current file holds: --tail counts across files.
	husk logs --tail 1500 r | contiguous 200000 >/dev/null || fail "--tail 1500 across files"
	# --tail counts entries: a line that came in two reads is two of them.
	local lines
	lines=$(husk logs --tail 1500 r | wc -l)
	[ "$lines" -ge 1480 ] && [ "$lines" -le 1500 ] || fail "--tail 1500 gave $lines lines"
	husk rm r >/dev/null
}

@test "rotation bounds, json-file: total <= max-size x max-file, nothing lost or doubled" {
	rotation_bounds json-file
}

@test "rotation bounds, json-file with compress=true: gzipped files read back in order" {
	rotation_bounds json-file --log-opt compress=true
}

@test "rotation bounds, local (its default compress)" {
	rotation_bounds local
	husk run -d --name c --network none --log-opt max-size=8k --log-opt max-file=3 busybox seq 1 5000 >/dev/null
	settled c
	[ -n "$(ls "$(directory_of c)" | grep 'container\.log\.1\.gz$')" ] || fail "not gzipped: $(ls "$(directory_of c)")"
	husk logs c | contiguous 5000 >/dev/null
}

@test "a foreground run rotates its log too" {
	husk run --name f --network none --log-driver json-file --log-opt max-size=8k --log-opt max-file=2 busybox seq 1 3000 >/dev/null
	[ "$(log_bytes f)" -le 16000 ] || fail "$(log_bytes f) bytes"
	[ -e "$(directory_of f)/$(husk inspect -f '{{.Id}}' f)-json.log.1" ]
	husk logs f | contiguous 3000 >/dev/null
}

@test "logs -f follows across rotations (and their gzip) and sees every line once" {
	for driver in local json-file; do
		husk run -d --name "f$driver" --network none --log-driver "$driver" --log-opt max-size=4k \
			--log-opt max-file=6 --log-opt compress=true busybox \
			sh -c 'sleep 1; i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo $i; [ $((i % 50)) = 0 ] && sleep 0.05; done' >/dev/null
		husk logs -f "f$driver" >"$BATS_TEST_TMPDIR/follow" 2>&1
		contiguous 3000 <"$BATS_TEST_TMPDIR/follow" | grep -qx 1 || fail "$driver: the follower missed or doubled lines"
		[ -n "$(ls "$(directory_of "f$driver")" | grep '\.gz$')" ] || fail "$driver: nothing rotated"
	done
}

@test "--since and --until: RFC 3339, Unix times and durations, across rotated files" {
	husk run -d --name s --network none --log-driver json-file --log-opt max-size=2k --log-opt max-file=50 busybox \
		sh -c 'seq 1 100; sleep 1.2; seq 101 200; sleep 1.2; seq 201 300' >/dev/null
	husk wait s >/dev/null
	local t101 t200 t201
	t101=$(husk logs -t s | awk '$2 == 101 {print $1}')
	t200=$(husk logs -t s | awk '$2 == 200 {print $1}')
	t201=$(husk logs -t s | awk '$2 == 201 {print $1}')
	[ "$(husk logs --since "$t101" --until "$t200" s | tr '\n' ' ')" = "$(seq 101 200 | tr '\n' ' ')" ] ||
		fail "window: $(husk logs --since "$t101" --until "$t200" s | head -3)"
	[ "$(husk logs --since "$t201" s | head -1)" = 201 ]
	# Entries of one read share its time: 101 came with some after it.
	local last
	last=$(husk logs --until "$t101" s | tail -1)
	[ "$last" -ge 101 ] && [ "$last" -le 200 ] || fail "--until: $last"
	# A Unix time, with and without nanoseconds.
	local unix
	unix=$(date -d "$t201" +%s.%N)
	[ "$(husk logs --since "$unix" s | head -1)" = 201 ]
	[ "$(husk logs --since 1h s | wc -l)" = 300 ]
	[ "$(husk logs --since 0 s | wc -l)" = 300 ]
	[ "$(husk logs --until 1h s | wc -l)" = 0 ]
	[ "$(husk logs --since "$(date -u +%Y-%m-%d)" s | wc -l)" = 300 ]
	run --separate-stderr husk logs --since yesterday s
	[ "$status" != 0 ]
	expect_match 'invalid value for "since": failed to parse value as time or duration: "yesterday"' "$stderr"
	run --separate-stderr husk logs --until 2024-13-01 s
	[ "$status" != 0 ]
}

@test "--details: docker's attributes of labels=, env= and tag=, sorted, escaped" {
	husk run --name a --network none -l app=web -l other=x -e FOO='b r' --log-driver json-file \
		--log-opt labels=app --log-opt env=FOO --log-opt 'tag={{.Name}}/{{.ImageName}}' busybox echo hi >/dev/null
	[ "$(husk logs --details a)" = "FOO=b+r,app=web,tag=a%2Fbusybox hi" ] || fail "$(husk logs --details a)"
	[ "$(husk logs --details -t a | cut -d' ' -f2-)" = "FOO=b+r,app=web,tag=a%2Fbusybox hi" ]
	husk run --name b --network none busybox echo plain >/dev/null
	[ "$(husk logs --details b)" = " plain" ] || fail "no attributes: '$(husk logs --details b)'"
}

@test "a record from before log drivers (no LogConfig) still reads container.log" {
	husk run --name old --network none busybox echo legacy >/dev/null
	local record
	record=$(directory_of old)/container.json
	python3 - "$record" <<-'PY'
		import json, sys
		record = json.load(open(sys.argv[1]))
		del record["HostConfig"]["LogConfig"]
		del record["LogPath"]
		json.dump(record, open(sys.argv[1], "w"))
	PY
	[ "$(husk logs old)" = legacy ]
	husk start -a old >/dev/null
	[ "$(husk logs old | tr '\n' ' ')" = "legacy legacy " ]
}
