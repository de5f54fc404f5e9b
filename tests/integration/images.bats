#!/usr/bin/env bats
# The image store from the outside: import, load (archives made by skopeo
# and by tests/integration/make_image.py), run on layers, images, tag, rmi,
# prune, inspect; hostile layers refused with the store unchanged.

load helpers

MAKE_IMAGE=$(dirname "$BATS_TEST_FILENAME")/make_image.py

setup() {
	keeping_setup
}

teardown() {
	removing_teardown
}

# make_layout DIR < SPEC: an OCI layout; make_archive FILE < SPEC: the same as
# an oci-archive tarball.
make_layout() {
	python3 "$MAKE_IMAGE" "$1"
}

make_archive() {
	local dir=$BATS_TEST_TMPDIR/layout.$RANDOM
	python3 "$MAKE_IMAGE" "$dir" && tar -C "$dir" -cf "$1" .
}


# Three layers, one per compression: files, owners and modes, a setuid
# binary, an xattr, hard and symbolic links, then whiteouts and an opaque
# directory that hide what the first layer had.
layered() { # the spec, with busybox's layer at the bottom
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	cat <<EOF
{"ref": "layered:1", "config": {"Cmd": ["sh"], "Env": ["FROM_IMAGE=yes"]},
  "layers": [
    {"compression": "gzip", "tar": "$BATS_TEST_TMPDIR/rootfs.tar"},
    {"compression": "gzip", "entries": [
      {"path": "etc", "type": "dir"},
      {"path": "etc/keep", "type": "file", "content": "kept\n"},
      {"path": "etc/gone", "type": "file", "content": "deleted later\n"},
      {"path": "cache", "type": "dir"},
      {"path": "cache/old", "type": "file", "content": "hidden by an opaque dir\n"},
      {"path": "usr/local/bin/tool", "type": "file", "content": "#!/bin/sh\n", "mode": 2541,
       "uid": 1000, "gid": 1000},
      {"path": "usr/local/bin/same", "type": "hardlink", "target": "usr/local/bin/tool"},
      {"path": "marked", "type": "file", "content": "x", "xattrs": {"user.mark": "yes"}}]},
    {"compression": "zstd", "entries": [
      {"path": "etc/.wh.gone", "type": "file"},
      {"path": "cache", "type": "dir"},
      {"path": "cache/.wh..wh..opq", "type": "file"},
      {"path": "cache/new", "type": "file", "content": "new\n"}]},
    {"compression": "none", "entries": [
      {"path": "link", "type": "symlink", "target": "/etc/keep"},
      {"path": "etc/keep", "type": "file", "content": "replaced\n"}]}]}
EOF
}


@test "import: a rootfs tarball becomes an image whose --change settings run uses" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	run husk import -c 'CMD ["sh", "-c", "echo $GREETING from $(pwd)"]' -c 'ENV GREETING=hello' \
		-c 'WORKDIR /tmp' -c 'LABEL team=infra' -c 'EXPOSE 8080' -m 'made by a test' \
		"$BATS_TEST_TMPDIR/rootfs.tar" imported:1
	expect_status 0
	expect_match '^sha256:[0-9a-f]{64}$'
	local id=$output
	run husk run --rm imported:1
	expect_output "hello from /tmp"
	run husk image inspect -f '{{.Id}} {{.RepoTags}} {{.Comment}} {{.Config.Labels.team}}' imported:1
	expect_output "$id [imported:1] made by a test infra"
	# From stdin, compressed: the same layer, so the same diffID.
	run bash -c "gzip -c '$BATS_TEST_TMPDIR/rootfs.tar' | '$HUSK' import - imported:2"
	expect_status 0
	[ "$(husk image inspect -f '{{.RootFS.Layers}}' imported:1)" = \
		"$(husk image inspect -f '{{.RootFS.Layers}}' imported:2)" ] || fail "diffIDs differ"
}

@test "load an oci-archive: layers of three compressions, whiteouts, opaque dirs, owners, setuid, xattrs, links" {
	layered | make_archive "$BATS_TEST_TMPDIR/layered.tar"
	run husk load -i "$BATS_TEST_TMPDIR/layered.tar"
	expect_status 0
	expect_output "Loaded image: layered:1"
	run husk image inspect -f '{{len .RootFS.Layers}}' layered:1
	expect_output 4
	run husk run --rm layered:1 sh -c 'cat /etc/keep; ls /etc | grep -E "^(keep|gone)$"; ls /cache
		readlink /link; stat -c "%a %u:%g %h" /usr/local/bin/tool; echo $FROM_IMAGE'
	expect_output "replaced
keep
new
/etc/keep
4755 1000:1000 2
yes"
	local second
	second=$(husk image inspect -f '{{.GraphDriver.Data.LowerDir}}' layered:1 | tr ':' '\n' | tail -n 2 | head -n 1)
	[ "$(getfattr --only-values -n user.mark "$second/marked" 2>/dev/null)" = yes ] ||
		fail "xattr user.mark not kept in $second"
}

@test "load a docker-archive written by skopeo: the same image ID as its OCI source" {
	# docker-archive has no zstd layers: the same image, gzip throughout.
	layered | sed 's/"zstd"/"gzip"/' | make_layout "$BATS_TEST_TMPDIR/oci"
	skopeo copy -q "oci:$BATS_TEST_TMPDIR/oci:layered:1" "docker-archive:$BATS_TEST_TMPDIR/d.tar:from/skopeo:2"
	skopeo copy -q "oci:$BATS_TEST_TMPDIR/oci:layered:1" "oci-archive:$BATS_TEST_TMPDIR/o.tar:layered:1"
	run husk load -i "$BATS_TEST_TMPDIR/o.tar"
	expect_output "Loaded image: layered:1"
	run bash -c "zstd -q -c '$BATS_TEST_TMPDIR/d.tar' | '$HUSK' load"
	expect_status 0
	expect_output "Loaded image: from/skopeo:2"
	[ "$(husk image inspect -f '{{.Id}}' layered:1)" = "$(husk image inspect -f '{{.Id}}' from/skopeo:2)" ] ||
		fail "different IDs for the same config"
	run husk images --format '{{.Repository}}:{{.Tag}}' --filter reference='from/*'
	expect_output "from/skopeo:2"
}

@test "a multi-platform index loads this machine's image" {
	local arch
	arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
	make_archive "$BATS_TEST_TMPDIR/multi.tar" <<EOF
{"ref": "multi:1", "platforms": ["linux/s390x", "linux/$arch", "linux/riscv64"],
 "layers": [{"entries": [{"path": "hello", "type": "file", "content": "hi"}]}]}
EOF
	run husk load -i "$BATS_TEST_TMPDIR/multi.tar"
	expect_output "Loaded image: multi:1"
	run husk image inspect -f '{{.Architecture}}' multi:1
	expect_output "$arch"
}

@test "hostile layers are refused with one line and leave the store as it was" {
	husk run --rm --network none busybox true
	local before
	before=$(store_state)
	local entry
	for entry in '{"path": "../escape", "type": "file", "content": "x"}' \
		'{"path": "/abs", "type": "file", "content": "x"}' \
		'{"path": "a/../../escape", "type": "file", "content": "x"}' \
		'{"path": "h", "type": "hardlink", "target": "../../etc/passwd"}' \
		'{"path": "d", "type": "dir", "xattrs": {"trusted.overlay.redirect": "/etc"}}'; do
		make_archive "$BATS_TEST_TMPDIR/bad.tar" <<<"{\"ref\": \"bad:1\", \"layers\": [{\"entries\": [$entry]}]}"
		run --separate-stderr husk load -i "$BATS_TEST_TMPDIR/bad.tar"
		[ "$status" != 0 ] || fail "loaded a layer with $entry"
		[ "${#stderr_lines[@]}" = 1 ] || fail "not one line: $stderr"
		[[ "$stderr" == husk:*layer* ]] || fail "unclear: $stderr"
		[ "$(store_state)" = "$before" ] || fail "the store changed after $entry"
		[ -z "$(ls -A "$HUSK_ROOT/images/tmp")" ] || fail "tmp left: $(ls "$HUSK_ROOT/images/tmp")"
	done
	[ ! -e "$HUSK_ROOT/escape" ] && [ ! -e /abs ] && [ ! -e "$HUSK_ROOT/images/escape" ] ||
		fail "something escaped"
}

@test "a symlink in a layer cannot carry a later entry out of it" {
	local outside=$BATS_TEST_TMPDIR/outside
	mkdir "$outside"
	make_archive "$BATS_TEST_TMPDIR/redirect.tar" <<EOF
{"ref": "redirect:1", "layers": [{"entries": [
  {"path": "out", "type": "symlink", "target": "$outside"},
  {"path": "out/planted", "type": "file", "content": "pwned"},
  {"path": "up", "type": "symlink", "target": "../../../../../../.."},
  {"path": "up$outside/planted2", "type": "file", "content": "pwned"}]}]}
EOF
	run husk load -i "$BATS_TEST_TMPDIR/redirect.tar"
	expect_status 0
	[ -z "$(ls -A "$outside")" ] || fail "written outside: $(ls "$outside")"
	local layer
	layer=$(husk image inspect -f '{{.GraphDriver.Data.UpperDir}}' redirect:1)
	[ -f "$layer$outside/planted" ] && [ -f "$layer$outside/planted2" ] ||
		fail "the files did not land inside the layer"
}

@test "a truncated or damaged archive fails and publishes nothing" {
	layered | make_archive "$BATS_TEST_TMPDIR/good.tar"
	husk run --rm --network none busybox true
	local before
	before=$(store_state)
	head -c 30000 "$BATS_TEST_TMPDIR/good.tar" >"$BATS_TEST_TMPDIR/cut.tar"
	run --separate-stderr husk load -i "$BATS_TEST_TMPDIR/cut.tar"
	[ "$status" != 0 ] || fail "a cut archive loaded"
	[ "$(store_state)" = "$before" ] || fail "the store changed"
	echo 'not an archive' >"$BATS_TEST_TMPDIR/junk"
	run --separate-stderr husk load -i "$BATS_TEST_TMPDIR/junk"
	[ "$status" != 0 ] || fail "junk loaded"
	expect_match_stderr() { [[ "$stderr" == *"$1"* ]] || fail "stderr: $stderr"; }
	expect_match_stderr "archive"
	run --separate-stderr husk load -i "$BATS_TEST_TMPDIR/nonexistent"
	[ "$status" != 0 ] && [[ "$stderr" == *nonexistent* ]] || fail "$stderr"
}

@test "rmi refuses an image a stopped container uses; -f only untags; prune keeps it" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	husk import "$BATS_TEST_TMPDIR/rootfs.tar" used:1 >/dev/null
	local id
	id=$(husk image inspect -f '{{.Id}}' used:1)
	husk run --name user used:1 true
	run --separate-stderr husk rmi used:1
	[ "$status" != 0 ] || fail "removed an image in use"
	[[ "$stderr" == *"container"*"is using its referenced image"* ]] || fail "$stderr"
	run husk rmi -f used:1
	expect_output "Untagged: used:1"
	run husk image inspect -f '{{.Id}}' "$id"
	expect_output "$id"
	run husk image prune -a
	expect_status 0
	husk image inspect "$id" >/dev/null || fail "prune removed an image in use"
	husk rm user
	run husk image prune -a
	expect_match "Deleted: $id"
	run --separate-stderr husk image inspect "$id"
	[ "$status" != 0 ] || fail "still there"
}

@test "tag, rmi by tag and by ID, and what rmi leaves" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	husk import "$BATS_TEST_TMPDIR/rootfs.tar" one:1 >/dev/null
	husk tag one:1 localhost:5000/team/two:v2
	run bash -c "'$HUSK' images --format '{{.Repository}}:{{.Tag}}' --filter reference='*o*' | sort"
	expect_output "busybox:latest
localhost:5000/team/two:v2
one:1"
	run husk images --format '{{.Repository}}:{{.Tag}}' --filter reference='one'
	expect_output "one:1"
	local id
	id=$(husk image inspect -f '{{.Id}}' one:1)
	run --separate-stderr husk rmi "${id:7:12}"
	[[ "$stderr" == *"referenced in multiple repositories"* ]] || fail "$stderr"
	run husk rmi one:1
	expect_output "Untagged: one:1"
	run husk rmi "${id:7:12}"
	expect_output "Untagged: localhost:5000/team/two:v2
Deleted: $id"
	run --separate-stderr husk run --rm one:1 true
	[ "$status" = 125 ] && [[ "$stderr" == *"No such image: one:1"* ]] || fail "$status $stderr"
	run --separate-stderr husk tag busybox 'Bad:Name'
	[ "$status" != 0 ] && [[ "$stderr" == *"invalid reference format"* ]] || fail "$stderr"
}

@test "run uses the image config: Entrypoint with Cmd, Env, WorkingDir, User, Labels, StopSignal" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	husk import -c 'ENTRYPOINT ["echo", "entry"]' -c 'CMD ["default"]' -c 'ENV A=1' \
		-c 'WORKDIR /var' -c 'USER nobody' -c 'LABEL role=web' -c 'STOPSIGNAL SIGQUIT' \
		"$BATS_TEST_TMPDIR/rootfs.tar" configured:1 >/dev/null
	run husk run --rm configured:1
	expect_output "entry default"
	run husk run --rm configured:1 given
	expect_output "entry given"
	husk import -c 'CMD ["sh", "-c", "echo $A $(pwd) $(id -un)"]' -c 'ENV A=1' -c 'WORKDIR /var' \
		-c 'USER nobody' "$BATS_TEST_TMPDIR/rootfs.tar" plain:1 >/dev/null
	run husk run --rm plain:1
	expect_output "1 /var nobody"
	husk create --name cfg configured:1 >/dev/null
	run husk inspect -f '{{.Config.Labels.role}} {{.Config.StopSignal}} {{.Image}}' cfg
	expect_output "web SIGQUIT $(husk image inspect -f '{{.Id}}' configured:1)"
	husk rm cfg
}

@test "a 40-layer image runs (one lowerdir+ per layer) and sees its top layer" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	local layers="{\"tar\": \"$BATS_TEST_TMPDIR/rootfs.tar\"}," i
	for i in $(seq 1 40); do
		layers+="{\"compression\": \"none\", \"entries\": [{\"path\": \"n\", \"type\": \"file\", \"content\": \"$i\"}]},"
	done
	make_archive "$BATS_TEST_TMPDIR/deep.tar" <<<"{\"ref\": \"deep:1\", \"layers\": [${layers%,}]}"
	husk load -i "$BATS_TEST_TMPDIR/deep.tar" >/dev/null
	run husk image inspect -f '{{len .RootFS.Layers}}' deep:1
	expect_output 41
	run husk run --rm deep:1 cat /n
	expect_output 40
}

@test "commit: a container's changes, deletions included, become a layer; history shows it" {
	husk run --name changer busybox sh -c 'echo changed >/etc/motd; rm /bin/vi; mkdir -p /srv/app; echo data >/srv/app/f; cp /bin/busybox /srv/ping'
	# A file capability, set from the host (busybox has no setcap): kept by commit.
	setfattr -n security.capability -v 0x0100000200200000000000000000000000000000 \
		"$HUSK_ROOT/containers/$(husk inspect -f '{{.Id}}' changer)/upper/srv/ping"
	run husk commit -m "made by a test" -a tester -c 'CMD ["cat", "/srv/app/f"]' changer committed:1
	expect_status 0
	expect_match '^sha256:[0-9a-f]{64}$'
	run husk run --rm committed:1
	expect_output data
	run husk run --rm committed:1 sh -c 'cat /etc/motd; test -e /bin/vi && echo vi-here || echo vi-gone'
	expect_output "changed
vi-gone"
	run husk image inspect -f '{{len .RootFS.Layers}} {{.Author}} {{.Comment}}' committed:1
	expect_output "2 tester made by a test"
	local top
	top=$(husk image inspect -f '{{.GraphDriver.Data.UpperDir}}' committed:1)
	getfattr -e hex -n security.capability "$top/srv/ping" 2>/dev/null |
		grep -q '=0x0100000200200000000000000000000000000000' || fail "security.capability lost"
	run husk history committed:1
	expect_status 0
	expect_match 'husk commit +[0-9.]+[kM]B +made by a test'
	[ "${#lines[@]}" = 3 ] || fail "rows: $output"
	husk rm changer
	run --separate-stderr husk commit nosuch x:1
	[ "$status" = 1 ] && [[ "$stderr" == *"No such container: nosuch"* ]] || fail "$stderr"
}

@test "export: the container's file system as one tar, without its deleted files" {
	husk run --name exported busybox sh -c 'echo mine >/mine; rm /bin/vi'
	husk export -o "$BATS_TEST_TMPDIR/fs.tar" exported
	tar -tf "$BATS_TEST_TMPDIR/fs.tar" >"$BATS_TEST_TMPDIR/list"
	grep -qx mine "$BATS_TEST_TMPDIR/list" || fail "no /mine"
	grep -qx bin/busybox "$BATS_TEST_TMPDIR/list" || fail "no busybox"
	! grep -q 'bin/vi$' "$BATS_TEST_TMPDIR/list" || fail "deleted /bin/vi exported"
	! grep -q '\.wh\.' "$BATS_TEST_TMPDIR/list" || fail "whiteouts exported"
	# The tar imports back as a working image.
	husk import "$BATS_TEST_TMPDIR/fs.tar" reimported:1 >/dev/null
	run husk run --rm reimported:1 cat /mine
	expect_output mine
	husk rm exported
}

@test "save: docker load's format that skopeo and podman read back, same config" {
	layered | sed 's/"zstd"/"gzip"/' | make_archive "$BATS_TEST_TMPDIR/in.tar"
	husk load -i "$BATS_TEST_TMPDIR/in.tar" >/dev/null
	husk save -o "$BATS_TEST_TMPDIR/out.tar" layered:1 busybox
	run skopeo inspect "docker-archive:$BATS_TEST_TMPDIR/out.tar:layered:1"
	expect_status 0
	[ "$(jq -r '.Layers | length' <<<"$output")" = 4 ] || fail "$output"
	# podman wants a short runroot (at most 50 characters).
	local run_root
	run_root=$(mktemp -d /tmp/hp.XXXXXX)
	local podman=(podman --root "$BATS_TEST_TMPDIR/podman" --runroot "$run_root"
		--storage-driver vfs)
	run "${podman[@]}" load -i "$BATS_TEST_TMPDIR/out.tar"
	expect_status 0
	expect_match "layered:1"
	[ "$("${podman[@]}" image inspect --format '{{.Id}}' layered:1)" = \
		"$(husk image inspect -f '{{.Id}}' layered:1 | sed 's/^sha256://')" ] ||
		fail "podman sees another config"
	"${podman[@]}" system reset -f >/dev/null 2>&1 || true
	rm -rf "$run_root"
	# And husk loads its own archive into an empty store.
	run husk --root "$BATS_TEST_TMPDIR/again" load -i "$BATS_TEST_TMPDIR/out.tar"
	expect_output "Loaded image: layered:1
Loaded image: busybox:latest"
	run --separate-stderr bash -c "'$HUSK' save busybox | cat >/dev/null"
	expect_status 0
}

@test "load killed at any moment leaves no half image; rmi after it works" {
	layered | make_archive "$BATS_TEST_TMPDIR/big.tar"
	local delay
	for delay in 0.001 0.005 0.01 0.03 0.08; do
		"$HUSK" load -i "$BATS_TEST_TMPDIR/big.tar" >/dev/null 2>&1 &
		local pid=$!
		sleep "$delay"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		if husk image inspect layered:1 >/dev/null 2>&1; then
			run husk run --rm layered:1 cat /etc/keep
			expect_output replaced
			husk rmi layered:1 >/dev/null
		fi
	done
	run husk load -i "$BATS_TEST_TMPDIR/big.tar"
	expect_output "Loaded image: layered:1"
	run husk run --rm layered:1 cat /etc/keep
	expect_output replaced
}

@test "load an OCI layout directory (umoci's, make_image.py's)" {
	layered | make_layout "$BATS_TEST_TMPDIR/layout"
	run husk load -i "$BATS_TEST_TMPDIR/layout"
	expect_output "Loaded image: layered:1"
	umoci init --layout "$BATS_TEST_TMPDIR/umoci"
	umoci new --image "$BATS_TEST_TMPDIR/umoci:empty"
	run husk load -i "$BATS_TEST_TMPDIR/umoci"
	[ "$status" != 0 ] && [[ "$output" == *"no layers"* ]] || fail "$status $output"
	run husk run --rm layered:1 cat /etc/keep
	expect_output replaced
}

@test "import from a URL" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	gzip -c "$BATS_TEST_TMPDIR/rootfs.tar" >"$BATS_TEST_TMPDIR/rootfs.tar.gz"
	python3 -m http.server 8765 --bind 127.0.0.1 --directory "$BATS_TEST_TMPDIR" >/dev/null 2>&1 &
	local server=$!
	local i
	for i in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:8765/ && break; sleep 0.05; done
	run husk import -c 'CMD ["echo", "from the web"]' http://127.0.0.1:8765/rootfs.tar.gz web:1
	local imported=$status
	run --separate-stderr husk import http://127.0.0.1:8765/nosuch.tar
	kill "$server"
	[ "$imported" = 0 ] || fail "import from URL failed"
	[ "$status" = 1 ] && [[ "$stderr" == *"HTTP 404"* ]] || fail "$stderr"
	run husk run --rm web:1
	expect_output "from the web"
}

@test "stop sends the image's STOPSIGNAL; Volumes and Healthcheck are kept in the record" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	husk import -c 'STOPSIGNAL SIGQUIT' -c 'VOLUME /data' "$BATS_TEST_TMPDIR/rootfs.tar" quitter:1 >/dev/null
	husk run -d --network none --name quit quitter:1 \
		sh -c 'trap "echo got-quit; exit 3" QUIT; while :; do sleep 0.1; done' >/dev/null
	sleep 0.3
	husk stop -t 20 quit >/dev/null
	run husk logs quit
	expect_output got-quit
	run husk inspect -f '{{.State.ExitCode}} {{.Config.StopSignal}} {{index .Config.Volumes "/data"}}' quit
	expect_output "3 SIGQUIT map[]"
	husk rm -v quit >/dev/null
}

@test "rmi and prune killed at any moment: the image is whole or gone, never half" {
	layered | make_archive "$BATS_TEST_TMPDIR/img.tar"
	local delay
	for delay in 0.001 0.003 0.006 0.01 0.02; do
		husk load -i "$BATS_TEST_TMPDIR/img.tar" >/dev/null
		"$HUSK" rmi layered:1 >/dev/null 2>&1 &
		local pid=$!
		sleep "$delay"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		# Whatever still names the image runs it.
		local id
		for id in $(husk images -q --no-trunc); do
			husk image inspect "$id" >/dev/null || fail "image $id is listed but unreadable"
		done
		if husk image inspect layered:1 >/dev/null 2>&1; then
			run husk run --rm layered:1 cat /etc/keep
			expect_output replaced
		fi
	done
	"$HUSK" image prune -a >/dev/null 2>&1 &
	local pid=$!
	sleep 0.005
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	run husk image prune -a
	expect_status 0
	run husk load -i "$BATS_TEST_TMPDIR/img.tar"
	expect_output "Loaded image: layered:1"
	run husk run --rm layered:1 cat /etc/keep
	expect_output replaced
}
