#!/usr/bin/env bats
# --storage-opt size= (issue 19, bounded resources): a project quota on the
# container's writable layer where the file system under HUSK_ROOT enforces
# project quotas, one clear error where it does not, and docker's syntax.
#
# setup_file makes small loop-mounted file systems on the sandbox's tmpfs:
# QUOTA_FS enforces project quotas (xfs mounted with pquota, else ext4 made
# with the project and quota features and mounted with prjquota) when this
# kernel can (CONFIG_XFS_QUOTA, or CONFIG_QFMT_V2 for ext4); PLAIN_FS is an
# ext4 without them. Tests that need QUOTA_FS are skipped, saying why,
# on a kernel that has neither.

load helpers

setup_file() {
	local dir=$BATS_FILE_TMPDIR
	mkdir -p "$dir/plain" "$dir/quota"
	truncate -s 64M "$dir/plain.img"
	mkfs.ext4 -q -F "$dir/plain.img"
	mount -o loop "$dir/plain.img" "$dir/plain"
	# A kernel without quotas for them refuses these mounts (bats runs
	# setup_file under set -e: hence the ifs).
	truncate -s 300M "$dir/xfs.img"
	if command -v mkfs.xfs >/dev/null && mkfs.xfs -q -f "$dir/xfs.img" &&
		mount -o loop,pquota "$dir/xfs.img" "$dir/quota" 2>/dev/null; then
		return 0
	fi
	truncate -s 200M "$dir/ext4.img"
	if mkfs.ext4 -q -F -O project,quota "$dir/ext4.img" &&
		mount -o loop,prjquota "$dir/ext4.img" "$dir/quota" 2>/dev/null; then :; fi
}

teardown_file() {
	# Mounted with -o loop: the loop devices go with the mounts.
	umount "$BATS_FILE_TMPDIR/quota" "$BATS_FILE_TMPDIR/plain" 2>/dev/null
	rm -f "$BATS_FILE_TMPDIR"/*.img
}

setup() {
	keeping_setup
}

teardown() {
	removing_teardown
}

# Moves this test's husk onto the quota file system, or skips.
use_quota_fs() {
	mountpoint -q "$BATS_FILE_TMPDIR/quota" ||
		skip "this kernel enforces project quotas on neither xfs (CONFIG_XFS_QUOTA) nor ext4 (CONFIG_QFMT_V2)"
	export HUSK_ROOT=$BATS_FILE_TMPDIR/quota/root
}

projects() {
	cat "$HUSK_ROOT/quota/projects.json"
}

@test "--storage-opt size=10m: 5 MB fit, 20 MB fail with 'Disk quota exceeded'; without it, no limit" {
	use_quota_fs
	# ext4 says EDQUOT; xfs says ENOSPC for project quotas.
	run husk run --rm --network none --storage-opt size=10m busybox sh -c '
		dd if=/dev/zero of=/five bs=1M count=5 2>/dev/null && echo five fit
		dd if=/dev/zero of=/twenty bs=1M count=20 2>&1 |
			grep -o -E "Disk quota exceeded|No space left on device"
		echo "twenty: $(($(wc -c </twenty) >> 20)) MB"'
	expect_status 0
	expect_match $'^five fit\n(Disk quota exceeded|No space left on device)\ntwenty: [45] MB$'
	run husk run --rm --network none busybox sh -c \
		'dd if=/dev/zero of=/twenty bs=1M count=20 2>/dev/null && echo twenty fit'
	expect_output "twenty fit"
	run projects
	expect_output '{}'
}

@test "each container has its own limit, recorded as docker does; rm gives it back for the next" {
	use_quota_fs
	husk run --name a --network none --storage-opt size=10m busybox \
		dd if=/dev/zero of=/nine bs=1M count=9 2>/dev/null
	run husk inspect -f '{{json .HostConfig.StorageOpt}}' a
	expect_output '{"size":"10m"}'
	# a's 9 MB do not count against b.
	husk run --name b --network none --storage-opt Size=10M busybox \
		dd if=/dev/zero of=/nine bs=1M count=9 2>/dev/null
	run husk inspect -f '{{json .HostConfig.StorageOpt}}' b
	expect_output '{"Size":"10M"}'
	a=$(husk inspect -f '{{.Id}}' a)
	b=$(husk inspect -f '{{.Id}}' b)
	run jq -r 'to_entries | map(.value) | sort | join(" ")' "$HUSK_ROOT/quota/projects.json"
	expect_output "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ' | sed 's/ $//')"
	a_project=$(jq -r --arg id "$a" 'to_entries[] | select(.value == $id) | .key' \
		"$HUSK_ROOT/quota/projects.json")
	husk rm a >/dev/null
	run jq -r 'keys | length' "$HUSK_ROOT/quota/projects.json"
	expect_output 1
	# The id is free again and its limit lifted: the next container gets
	# it with a fresh 10 MB.
	husk create --name c --network none --storage-opt size=10m busybox \
		dd if=/dev/zero of=/nine bs=1M count=9 >/dev/null
	c=$(husk inspect -f '{{.Id}}' c)
	run jq -r --arg id "$c" 'to_entries[] | select(.value == $id) | .key' \
		"$HUSK_ROOT/quota/projects.json"
	expect_output "$a_project"
	run husk start -a c
	expect_status 0
	husk rm b c >/dev/null
	run projects
	expect_output '{}'
}

@test "a project id whose container directory is gone (a killed rm) is taken back" {
	use_quota_fs
	lost=$(husk create --network none --storage-opt size=10m busybox true)
	project=$(jq -r 'keys[0]' "$HUSK_ROOT/quota/projects.json")
	rm -rf "$HUSK_ROOT/containers/$lost"
	find "$HUSK_ROOT/names" -lname "$lost" -delete
	next=$(husk create --network none --storage-opt size=10m busybox true)
	run projects
	expect_output "{\"$project\":\"$next\"}"
	husk rm "$next" >/dev/null
}

@test "project ids start above HUSK_ROOT/containers' own and skip those the file system already counts" {
	use_quota_fs
	mkdir -p "$HUSK_ROOT/containers"
	chattr -p 100 "$HUSK_ROOT/containers"
	# Project 101 is someone else's: it holds a file.
	mkdir "$BATS_FILE_TMPDIR/quota/other"
	echo data >"$BATS_FILE_TMPDIR/quota/other/file"
	chattr -p 101 "$BATS_FILE_TMPDIR/quota/other/file"
	id=$(husk create --network none --storage-opt size=10m busybox true)
	run projects
	expect_output "{\"102\":\"$id\"}"
	run lsattr -p -d "$HUSK_ROOT/containers/$id/upper"
	expect_match '^ *102 .*P'
	husk rm "$id" >/dev/null
	chattr -p 0 "$HUSK_ROOT/containers"
	rm -r "$BATS_FILE_TMPDIR/quota/other"
}

@test "--storage-opt is refused where project quotas are not enforced: the sandbox's tmpfs, plain ext4" {
	refused "^husk: --storage-opt is supported only where project quotas are enforced \(xfs mounted with pquota, ext4 with the project feature mounted with prjquota\): $HUSK_ROOT/containers is on tmpfs, and " \
		run --rm --network none --storage-opt size=10m busybox true
	# As docker: size=0 (no limit) is refused too, and so is create.
	refused 'is on tmpfs' create --name q --network none --storage-opt size=0 busybox true
	run ls -A "$HUSK_ROOT/names"
	expect_output ""
	[ ! -e "$HUSK_ROOT/quota" ]
	export HUSK_ROOT=$BATS_FILE_TMPDIR/plain/root
	refused "$HUSK_ROOT/containers is on ext4, and " \
		run --rm --network none --storage-opt size=10m busybox true
	run ls -A "$HUSK_ROOT/names"
	expect_output ""
}

@test "bad --storage-opt values: one line, exit 125, nothing made" {
	while IFS='|' read -r value message; do
		refused "^husk: $message" run --rm --network none --storage-opt "$value" busybox true
	done <<'EOF2'
size=10x|invalid size: '10x' \(--storage-opt size= takes a size such as 10g: b, k, m, g, t\)$
size=|invalid size: ''
size=-1|invalid size: '-1'
size=1e3|invalid size: '1e3'
size|invalid storage option "size": missing '=' separator$
inodes=100|unknown storage option "inodes": --storage-opt knows only size=$
EOF2
	refused "invalid size: '1x'" create --network none --storage-opt size=1g --storage-opt size=1x busybox true
	run --separate-stderr husk run --rm --network none --storage-opt
	expect_husk_error 125 'flag --storage-opt needs an argument'
	run ls -A "$HUSK_ROOT/names"
	expect_output ""
}
