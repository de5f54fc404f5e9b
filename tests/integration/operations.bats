#!/usr/bin/env bats
# Operations (issue 18): docker's management commands and `husk version`.

load helpers

setup() {
	keeping_setup
}

teardown() {
	volume_removing_teardown
}

@test "container ls/run/inspect/rm: docker's management commands run husk's own" {
	run husk container run --rm --network none busybox echo hi
	expect_status 0
	expect_output hi
	id=$(husk container create --network none --name mc busybox true)
	run husk container ls -aq
	expect_output "${id:0:12}"
	run husk container list -a --format '{{.Names}}'
	expect_output mc
	run husk container inspect -f '{{.Name}}' mc
	expect_output /mc
	run husk container rm mc
	expect_output mc
	run husk container ps -aq
	expect_output ""
	run --separate-stderr husk container frobnicate
	expect_husk_error 1 'unknown command "container frobnicate"'
}

@test "version: docker's Client and Server fields, --format and json" {
	run husk version
	expect_status 0
	expect_match "^Client:" "${lines[0]}"
	expect_match "Kernel:	$(uname -r)" "$output"
	run husk version --format '{{.Client.Version}} {{.Server.Version}} {{.Server.KernelVersion}}'
	expect_output "$(husk --version | awk '{print $3}') $(husk --version | awk '{print $3}') $(uname -r)"
	run husk version -f json
	expect_match '^\{"Client":\{"Version":' "$output"
	run --separate-stderr husk version --bogus
	expect_husk_error 1 'unknown flag --bogus'
}

@test "ps --filter, -n, -l: docker's keys; stopped containers for status=exited and exited=" {
	husk run --name old --network none -l team=a busybox sh -c 'exit 3' || true
	husk create --name made --network none -v opsvol:/data busybox true >/dev/null
	husk run -d --name live --network none -l team=b busybox sleep 100 >/dev/null
	run husk ps --format '{{.Names}}'
	expect_output live
	run husk ps --filter status=exited --format '{{.Names}}'
	expect_output old
	run husk ps -f exited=3 --format '{{.Names}}'
	expect_output old
	run husk ps -a --filter label=team --format '{{.Names}}'
	expect_output "$(printf 'live\nold')"
	run husk ps -a --filter label=team=a --format '{{.Names}}'
	expect_output old
	run husk ps -a --filter name=^l --filter name=made --format '{{.Names}}'
	expect_output "$(printf 'live\nmade')"
	run husk ps -a --filter volume=opsvol --format '{{.Names}}'
	expect_output made
	run husk ps -a --filter since=old --format '{{.Names}}'
	expect_output "$(printf 'live\nmade')"
	run husk ps -a --filter before=made --format '{{.Names}}'
	expect_output old
	run husk ps -a --filter ancestor=busybox:latest --filter status=created --format '{{.Names}}'
	expect_output made
	run husk ps -n 2 --format '{{.Names}}'
	expect_output "$(printf 'live\nmade')"
	run husk ps -l --format '{{.Names}}'
	expect_output live
	run --separate-stderr husk ps --filter colour=red
	expect_husk_error 1 "invalid filter 'colour'"
	run --separate-stderr husk ps --filter status=sleeping
	expect_husk_error 1 "invalid filter 'status=sleeping'"
	husk rm -f live old >/dev/null
	husk rm -v made >/dev/null
	husk volume rm opsvol >/dev/null
}

@test "info and system info: counts and the host's facts, --format" {
	husk create --name sleeper --network none busybox true >/dev/null
	run husk info
	expect_status 0
	expect_match " Containers: 1" "$output"
	expect_match "  Stopped: 1" "$output"
	expect_match " Kernel Version: $(uname -r)" "$output"
	expect_match " Root Dir: $HUSK_ROOT" "$output"
	run husk system info -f '{{.Containers}} {{.ContainersRunning}} {{.NCPU}} {{.OSType}}'
	expect_output "1 0 $(nproc) linux"
	run husk system info --format json
	expect_match '"CgroupDriver":"cgroupfs"' "$output"
	run --separate-stderr husk system info --volumes
	expect_husk_error 125 'unknown flag --volumes for system info'
	husk rm sleeper >/dev/null
}

@test "system df sums images, containers and volumes; system prune removes what nothing uses" {
	husk volume create dfvol >/dev/null
	printf 'x%.0s' $(seq 1000) >"$HUSK_ROOT/volumes/dfvol/_data/k"
	husk run --name wrote --network none -v /anon busybox sh -c 'head -c 5000 /dev/zero > /big' >/dev/null
	run husk system df
	expect_status 0
	expect_match '^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$' "${lines[0]}"
	expect_match '^Containers +1 +0 +5kB +5kB \(100%\)$' "${lines[2]}"
	expect_match '^Local Volumes +2 +1 +1kB +1kB \(100%\)$' "${lines[3]}"
	run husk system prune --volumes -f
	expect_status 0
	expect_match "Deleted Containers:" "${lines[0]}"
	expect_match "Total reclaimed space:" "$output"
	run husk ps -aq
	expect_output ""
	# The anonymous volume went with --volumes; the named one stays (docker 23+).
	run husk volume ls -q
	expect_output dfvol
	husk volume rm dfvol >/dev/null
	run --separate-stderr husk system frob
	expect_husk_error 1 'unknown command "system frob"'
}

@test "ps -s: the upper layer's size, and with the image's (docker's SIZE column)" {
	husk run --name sized --network none busybox sh -c 'head -c 5000 /dev/zero > /big' >/dev/null
	image=$(husk images --format '{{.Size}}' busybox)
	run husk ps -as --format '{{.Size}}'
	expect_match '^5kB \(virtual [0-9.]+[kMG]?B\)$' "$output"
	run husk ps -as
	expect_match 'SIZE$' "${lines[0]}"
	expect_match '5kB \(virtual ' "${lines[1]}"
	run husk ps -a --format '{{.Size}}'
	expect_output ""
	husk rm sized >/dev/null
}

# has_line ERE: a line of $output matches.
has_line() {
	grep -Eq -- "$1" <<<"$output" || fail "no line matches /$1/ in: $output"
}

@test "system df -v: each image (shared and unique size), container and volume; --format" {
	husk volume create dfv >/dev/null
	husk run --name dfc --network none -v dfv:/data busybox \
		sh -c 'head -c 3000 /dev/zero > /data/f; head -c 5000 /dev/zero > /big' >/dev/null
	# A second image on busybox's layer: that layer is shared now.
	husk commit dfc dfimage:1 >/dev/null
	base=$(husk images --format '{{.Size}}' busybox)
	run husk system df -v
	expect_status 0
	expect_match '^Images space usage:$' "${lines[0]}"
	expect_match '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS$' "${lines[1]}"
	has_line "^busybox +latest +[0-9a-f]{12} +.* $base +$base +0B +1$"
	has_line "^dfimage +1 +[0-9a-f]{12} +.* $base +[0-9.]+kB +0$"
	has_line "^Containers space usage:$"
	has_line "^[0-9a-f]{12} +busybox +\"sh -c 'head -c 3000…\" +1 +5kB +.* +Exited \(0\) .* +dfc$"
	has_line "^VOLUME NAME +LINKS +SIZE$"
	has_line "^dfv +1 +3kB$"
	has_line "^Build cache usage: 0B$"
	run husk system df -v --format json
	expect_status 0
	# Other tests' images may be in the store: look at this test's own.
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
image = [i for i in d["Images"] if "dfimage:1" in i["RepoTags"]][0]
assert image["Containers"] == 0 and image["SharedSize"] > 0, image
assert [c["SizeRw"] for c in d["Containers"] if c["Name"] == "/dfc"] == [5000], d["Containers"]
assert [v["UsageData"] for v in d["Volumes"] if v["Name"] == "dfv"] == [{"Size": 3000, "RefCount": 1}]'
	images=$(husk images -q | sort -u | wc -l)
	run husk system df --format '{{.Type}}={{.TotalCount}}/{{.Active}}'
	expect_output "$(printf 'Images=%s/1\nContainers=1/0\nLocal Volumes=1/1' "$images")"
	run husk system df --format json
	expect_match '^\{"Type":"Images","TotalCount":"'"$images"'","Active":"1","Size":"[^"]+","Reclaimable":"[^"]+"\}$' "${lines[0]}"
	run --separate-stderr husk system df -v --format '{{.Type}}'
	expect_husk_error 1 'takes --format json only'
	husk rm dfc >/dev/null
	husk volume rm dfv >/dev/null
	husk rmi dfimage:1 >/dev/null
}
