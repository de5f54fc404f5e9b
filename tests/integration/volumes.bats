#!/usr/bin/env bats
# Volumes and mounts (issue 17): -v, --mount, --tmpfs, --volumes-from, the
# image's Volumes, copy-up, `husk volume`, rm -v, inspect's Mounts, and
# mount targets that are symlinks planted to reach the host.

load helpers

setup() {
	keeping_setup
}

# Every test removes what it made; what is left is removed here so one
# failure does not cascade, after the checks of the test itself.
teardown() {
	volume_removing_teardown
}

# make_volume_image NAME PLANT: busybox plus /data (seed, a hard link, a
# symlink; 1234:5678, 0750) and what PLANT does, with VOLUME /data.
make_volume_image() {
	volume_image_plant=$2
	busybox_image "$1" plant_volume_data 'VOLUME /data'
}

plant_volume_data() {
	mkdir -p "$1/data/sub"
	echo seed >"$1/data/seed"
	ln "$1/data/seed" "$1/data/sub/hardlink"
	ln -s seed "$1/data/link"
	chown -R 1234:5678 "$1/data"
	chmod 0750 "$1/data"
	"$volume_image_plant" "$1"
}

no_change() { :; }

@test "-v NAME:PATH makes a named volume that outlives the container; copy-up from the image" {
	make_volume_image volimg no_change
	run husk run --rm --network none -v named1:/data volimg \
		sh -c 'cat /data/seed; stat -c "%u:%g %a" /data /data/seed; readlink /data/link;
		       [ /data/seed -ef /data/sub/hardlink ] && echo linked; echo new > /data/new'
	expect_status 0
	expect_output "$(printf 'seed\n1234:5678 750\n1234:5678 644\nseed\nlinked')"
	run husk volume ls -q
	expect_output named1
	run husk run --rm --network none -v named1:/other busybox cat /other/new
	expect_output new
	run husk image rm volimg
	husk volume rm named1
}

@test "--userns private: a new volume and its copy belong to the ids the container's users map to" {
	make_volume_image volimg no_change
	run husk run --rm --network none --userns private -v uv:/data volimg \
		sh -c 'stat -c "%u:%g" /data /data/seed; touch /data/new && stat -c %u /data/new'
	expect_status 0
	expect_output "$(printf '1234:5678\n1234:5678\n0')"
	start=$(stat -c %u "$HUSK_ROOT/volumes/uv/_data/new")
	[ "$start" -ge 65536 ] || fail "container root is host uid $start"
	[ "$(stat -c %u "$HUSK_ROOT/volumes/uv/_data/seed")" = $((start + 1234)) ] || fail "seed not shifted"
	husk volume rm uv
	husk image rm volimg >/dev/null
}

@test "a non-empty volume is not filled again; nocopy and volume-nocopy leave it empty" {
	make_volume_image volimg no_change
	husk volume create keep >/dev/null
	echo mine >"$HUSK_ROOT/volumes/keep/_data/mine"
	run husk run --rm --network none -v keep:/data volimg ls /data
	expect_output mine
	run husk run --rm --network none -v empty1:/data:nocopy volimg ls -A /data
	expect_status 0
	expect_output ""
	run husk run --rm --network none --mount type=volume,source=empty2,target=/data,volume-nocopy volimg ls -A /data
	expect_output ""
	husk volume rm keep empty1 empty2
	husk image rm volimg >/dev/null
}

@test "image Volumes and -v PATH are anonymous volumes: rm -v and --rm remove them, named ones stay" {
	make_volume_image volimg no_change
	id=$(husk create --network none -v /anon -v named2:/n volimg)
	run husk inspect -f '{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}} {{.Driver}}|{{end}}' "$id"
	expect_output "volume /anon true local|volume /data true local|volume /n true local|"
	[ "$(husk volume ls -q | wc -l)" = 3 ] || fail "$(husk volume ls)"
	run husk volume ls -q --filter label=com.docker.volume.anonymous
	[ "${#lines[@]}" = 2 ] || fail "anonymous: $output"
	husk rm -v "$id"
	run husk volume ls -q
	expect_output named2
	run husk run --rm --network none volimg cat /data/seed
	expect_output seed
	run husk volume ls -q
	expect_output named2
	id=$(husk run -d --rm --network none -v /anon volimg sh -c 'touch /anon/x')
	wait_for 10 sh -c "! '$HUSK' inspect $id >/dev/null 2>&1"
	run husk volume ls -q
	expect_output named2
	husk volume rm named2
	husk image rm volimg >/dev/null
}

@test "bind mounts: -v creates a missing host directory, ro, propagation, --mount refuses a missing source" {
	src=$BATS_TEST_TMPDIR/src
	run husk run --rm --network none -v "$src/made:/m" busybox sh -c 'echo x > /m/f'
	expect_status 0
	[ "$(cat "$src/made/f")" = x ] || fail "no file through the bind"
	run husk run --rm --network none -v "$src/made:/m:ro" busybox sh -c 'cat /m/f; touch /m/g'
	expect_status 1
	expect_match 'Read-only file system' "$output"
	run husk run --rm --network none --mount "type=bind,src=$src/made,dst=/m,readonly" busybox \
		sh -c 'grep " /m " /proc/self/mountinfo'
	expect_match ' ro,' "$output"
	run husk run --rm --network none -v "$src/made:/m:rshared" busybox grep " /m " /proc/self/mountinfo
	expect_match 'shared:' "$output"
	run --separate-stderr husk run --rm --network none --mount "type=bind,source=$src/absent,target=/m" busybox true
	expect_husk_error 125 'bind source path does not exist'
	[ ! -e "$src/absent" ] || fail "--mount made the source"
	cd "$src"
	run husk run --rm --network none -v ./made:/m busybox cat /m/f
	expect_output x
}

@test "--tmpfs and --mount type=tmpfs: size, mode, noexec by default; --read-only keeps volumes writable" {
	run husk run --rm --network none --tmpfs /t:size=1m,mode=1770 \
		--mount type=tmpfs,target=/u,tmpfs-size=2m,tmpfs-mode=700 busybox \
		sh -c 'stat -c %a /t /u; grep -E " /(t|u) " /proc/self/mountinfo | awk "{print \$5, \$6, \$NF}"'
	expect_status 0
	expect_output "$(printf '1770\n700\n/t rw,nosuid,nodev,noexec,relatime rw,size=1024k,mode=1770\n/u rw,nosuid,nodev,noexec,relatime rw,size=2048k,mode=700')"
	run husk run --rm --network none --read-only -v /w --tmpfs /tmp busybox \
		sh -c 'touch /w/a /tmp/a && echo writable; touch /a'
	expect_match 'writable' "${lines[0]}"
	expect_match 'Read-only file system' "$output"
	run husk volume ls -q
	expect_output ""
}

@test "--volumes-from takes another container's volumes and binds, :ro makes them read-only" {
	src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src"
	husk create --name donor --network none -v shared1:/s -v "$src:/b" busybox true >/dev/null
	run husk run --rm --network none --volumes-from donor busybox sh -c 'echo hi > /s/f; ls /b >/dev/null && echo bind'
	expect_output bind
	run husk run --rm --network none --volumes-from donor:ro busybox sh -c 'cat /s/f; touch /s/g'
	expect_match '^hi' "$output"
	expect_match 'Read-only' "$output"
	run --separate-stderr husk run --rm --network none --volumes-from nope busybox true
	expect_husk_error 125 'No such container: nope'
	husk rm donor >/dev/null
	husk volume rm shared1
}

@test "volume rm is refused while a container, even a stopped one, uses it" {
	husk volume create busy >/dev/null
	id=$(husk create --network none -v busy:/x busybox true)
	run --separate-stderr husk volume rm busy
	expect_husk_error 1 "remove busy: volume is in use - \[$id\]"
	run husk volume prune -a
	expect_output "Total reclaimed space: 0B"
	husk rm "$id" >/dev/null
	run husk volume rm busy
	expect_output busy
	run --separate-stderr husk volume rm busy
	expect_husk_error 1 'No such volume: busy'
	run husk volume rm -f busy
	expect_status 0
}

@test "volume create -o type=tmpfs and -o type=none,o=bind share one file system between containers" {
	husk volume create -o type=tmpfs -o device=tmpfs -o o=size=3m,mode=0750 --label team=a tv >/dev/null
	run husk volume inspect -f '{{.Options.type}} {{.Options.o}} {{.Labels.team}} {{.Driver}}' tv
	expect_output "tmpfs size=3m,mode=0750 a local"
	run husk run --rm --network none -v tv:/x busybox sh -c 'df -k /x | tail -1; echo a > /x/a'
	expect_match ' 3072 ' "$output"
	run husk run --rm --network none -v tv:/y busybox cat /y/a
	expect_output a
	husk volume rm tv
	dir=$BATS_TEST_TMPDIR/bound
	mkdir "$dir"
	husk volume create -o type=none -o o=bind -o "device=$dir" bv >/dev/null
	husk run --rm --network none -v bv:/x busybox sh -c 'echo b > /x/b'
	[ "$(cat "$dir/b")" = b ] || fail "not the bound directory"
	husk volume rm bv
	run --separate-stderr husk volume create -o type=none -o o=bind -o device=/nonexistent bad
	expect_husk_error 1 'not a directory'
	run --separate-stderr husk volume create -o foo=bar bad
	expect_husk_error 1 'invalid option key'
	[ -z "$(husk volume ls -q)" ] || fail "left: $(husk volume ls -q)"
}

@test "volume ls --filter and --format, inspect, prune" {
	husk volume create --label a=1 va >/dev/null
	husk volume create vb >/dev/null
	anon=$(husk volume create)
	[[ "$anon" =~ ^[0-9a-f]{64}$ ]] || fail "anonymous name $anon"
	id=$(husk create --network none -v vb:/x busybox true)
	run husk volume ls -q --filter dangling=true
	expect_output "$(printf '%s\n' "$anon" va | sort)"
	run husk volume ls -q --filter label=a=1
	expect_output va
	run husk volume ls -q -f name=v
	expect_output "$(printf 'va\nvb')"
	run husk volume ls --format '{{.Name}} {{.Driver}} {{.Labels}}' --filter name=va
	expect_output "va local a=1"
	run husk volume ls --filter name=vb
	expect_output "$(printf 'DRIVER    VOLUME NAME\nlocal     vb')"
	run husk volume inspect -f '{{.Mountpoint}}' va
	expect_output "$HUSK_ROOT/volumes/va/_data"
	run --separate-stderr husk volume ls --filter bogus=1
	expect_husk_error 1 "invalid filter 'bogus'"
	echo 12345 >"$HUSK_ROOT/volumes/$anon/_data/f"
	run husk volume prune
	expect_output "$(printf 'Deleted Volumes:\n%s\n\nTotal reclaimed space: 6B' "$anon")"
	run husk volume prune -a --filter label=a=1
	expect_match '^Deleted Volumes:' "${lines[0]}"
	expect_output "$(printf 'Deleted Volumes:\nva\n\nTotal reclaimed space: 0B')"
	run husk volume ls -q
	expect_output vb
	husk rm -v "$id" >/dev/null
	husk volume rm vb
}

@test "bad -v, --mount, --tmpfs: one line, exit 125, nothing left" {
	for bad in '/a:/b:c:d' '/a:rel' 'x:/b' '/a:/b:ro,rw' '/a:/b:nocopy' '/a:/' 'v!:/b'; do
		run --separate-stderr husk run --rm --network none -v "$bad" busybox true
		expect_husk_error 125 || fail "-v $bad"
	done
	for bad in 'type=bind,target=/x' 'type=volume' 'type=nfs,target=/x' 'target=/x,foo=1' \
		'type=tmpfs,source=a,target=/x' 'type=volume,target=/x,bind-propagation=shared' \
		'type=tmpfs,target=/x,tmpfs-size=lots' 'type=tmpfs,target=/x,tmpfs-mode=999' 'junk'; do
		run --separate-stderr husk run --rm --network none --mount "$bad" busybox true
		expect_husk_error 125 || fail "--mount $bad"
	done
	run --separate-stderr husk run --rm --network none --mount type=volume,target=/x busybox true
	expect_status 0
	run --separate-stderr husk run --rm --network none --tmpfs rel busybox true
	expect_husk_error 125 'must be absolute'
	run --separate-stderr husk run --rm --network none -v /tmp/d1:/x -v v1:/x busybox true
	expect_husk_error 125 'Duplicate mount point: /x'
	[ ! -e /tmp/d1 ] || fail "made /tmp/d1 although the run was refused"
	run husk ps -aq
	expect_output ""
	run husk volume ls -q
	expect_output ""
}

# The attacks: the image, or an earlier run of the container, makes a mount
# target a symlink to a host path. The mount must land inside the container.
@test "attack: an image whose VOLUME and -v targets are symlinks to host paths (absolute, ../..)" {
	host=$BATS_TEST_TMPDIR/hostdir host2=$BATS_TEST_TMPDIR/hostdir2
	mkdir -p "$host" "$host2"
	echo canary >"$host/canary"
	echo canary >"$host2/canary"
	plant() {
		rm -rf "$1/data"
		ln -s "$host" "$1/data"
		ln -s "../../../../../../../../..$host2" "$1/climb"
	}
	make_volume_image evilimg plant
	run husk run --rm --network none -v "$BATS_TEST_TMPDIR/src:/climb" evilimg \
		sh -c 'echo pwned > /data/x; echo pwned > /climb/y; ls /data /climb; readlink /data'
	expect_status 0
	[ "$(ls "$host")" = canary ] || fail "the host directory changed: $(ls "$host")"
	[ "$(ls "$host2")" = canary ] || fail "the host directory changed: $(ls "$host2")"
	[ -f "$BATS_TEST_TMPDIR/src/y" ] || fail "the bind did not land at the resolved target"
	grep -qE " ($host|$host2) " /proc/self/mountinfo && fail "a mount on the host path"
	husk image rm evilimg >/dev/null
}

@test "attack: a container that left a symlink at a mount target for its next start" {
	host=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$host" "$BATS_TEST_TMPDIR/src"
	echo canary >"$host/canary"
	husk run --name planter --network none -v "$BATS_TEST_TMPDIR/src:/mnt/target" busybox \
		sh -c "true" >/dev/null
	# Its upper layer now gets the symlink, as the container itself would
	# make it if /mnt/target were not covered by the bind while it runs.
	upper=$HUSK_ROOT/containers/$(husk inspect -f "{{.Id}}" planter)/upper
	rm -rf "$upper/mnt"
	mkdir "$upper/mnt"
	ln -s "$host" "$upper/mnt/target"
	run husk start -a planter
	expect_status 0
	[ "$(ls "$host")" = canary ] || fail "the host directory changed: $(ls "$host")"
	grep -q " $host " /proc/self/mountinfo && fail "a mount on the host path"
	husk rm planter >/dev/null
}

@test "attack: nothing is mounted over the container's /proc, by name or through a symlink; lxcfs's files are" {
	plant_proc() { ln -s /proc/sys/kernel "$1/kernel-knobs"; }
	make_volume_image procimg plant_proc
	run --separate-stderr husk run --rm --network none -v "$BATS_TEST_TMPDIR/d:/kernel-knobs" procimg true
	expect_husk_error 125 'mount /kernel-knobs: the target is inside /proc'
	run --separate-stderr husk run --rm --network none --tmpfs /proc/sys busybox true
	expect_husk_error 125 'inside /proc'
	echo "MemTotal: 1 kB" >"$BATS_TEST_TMPDIR/meminfo"
	run husk run --rm --network none -v "$BATS_TEST_TMPDIR/meminfo:/proc/meminfo:ro" busybox head -1 /proc/meminfo
	expect_output "MemTotal: 1 kB"
	run husk volume ls -q
	expect_output ""
	husk image rm procimg >/dev/null
}
