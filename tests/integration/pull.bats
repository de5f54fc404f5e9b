#!/usr/bin/env bats
# pull against Debian's docker-registry (the CNCF distribution registry),
# started by these tests on 127.0.0.1 inside the sandbox's own network
# namespace: plain HTTP, Basic auth (htpasswd), and TLS with a CA the tests
# make. Images are made by make_image.py and pushed with skopeo.

load helpers

MAKE_IMAGE=$(dirname "$BATS_TEST_FILENAME")/make_image.py
PLAIN=127.0.0.1:5000
AUTH=127.0.0.1:5001
TLS=127.0.0.1:5002
TOKEN=127.0.0.1:5003

setup_file() {
	registry_start plain "$PLAIN"
	htpasswd -Bbc "$BATS_FILE_TMPDIR/htpasswd" tester secret >/dev/null 2>&1
	registry_start auth "$AUTH" "auth:
  htpasswd:
    realm: husk-test
    path: $BATS_FILE_TMPDIR/htpasswd"
	local certs=$BATS_FILE_TMPDIR/certs
	mkdir -p "$certs"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=husk-test-ca \
		-keyout "$certs/ca.key" -out "$certs/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$certs/server.key" \
		-out "$certs/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >"$certs/san"
	openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" \
		-CAcreateserial -days 2 -extfile "$certs/san" -out "$certs/server.crt" 2>/dev/null
	registry_start tls "$TLS" "  tls:
    certificate: $certs/server.crt
    key: $certs/server.key"
	# Token auth: the registry trusts what the token server signs.
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=husk-test-token \
		-keyout "$certs/token.key" -out "$certs/token.crt" 2>/dev/null
	python3 "$(dirname "$BATS_TEST_FILENAME")/token_server.py" 5004 "$certs/token.key" \
		"$certs/token.crt" >/dev/null 2>&1 &
	mkdir -p "$BATS_FILE_TMPDIR/token-server" && echo $! >"$BATS_FILE_TMPDIR/token-server/pid"
	registry_start token "$TOKEN" "auth:
  token:
    realm: http://127.0.0.1:5004/token
    service: husk-test-registry
    issuer: husk-test-issuer
    rootcertbundle: $certs/token.crt"
}

teardown_file() {
	local pid
	for pid in "$BATS_FILE_TMPDIR"/*/pid; do
		kill "$(cat "$pid")" 2>/dev/null
	done
	wait 2>/dev/null || true
}

setup() {
	keeping_setup
}

teardown() {
	removing_teardown
}


# push SPEC-ON-STDIN DESTINATION [skopeo flags]: makes the layout, pushes it.
push() {
	local layout=$BATS_TEST_TMPDIR/layout.$RANDOM
	python3 "$MAKE_IMAGE" "$layout"
	skopeo copy -q --dest-tls-verify=false "${@:3}" "oci:$layout" "docker://$2" >/dev/null
}

image_spec() { # MESSAGE: busybox plus a gzip and a zstd layer printing MESSAGE
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	cat <<EOF
{"config": {"Cmd": ["cat", "/message"]}, "layers": [
  {"compression": "gzip", "tar": "$BATS_TEST_TMPDIR/rootfs.tar"},
  {"compression": "gzip", "entries": [{"path": "message", "type": "file", "content": "old"}]},
  {"compression": "zstd", "entries": [{"path": "message", "type": "file", "content": "$1"}]}]}
EOF
}


@test "pull by tag: layers verified and unpacked, the image runs, a second pull skips what it has" {
	image_spec "hello from the registry" | push - "$PLAIN/team/app:1"
	run husk pull "$PLAIN/team/app:1"
	expect_status 0
	[ "${lines[-1]}" = "$PLAIN/team/app:1" ] || fail "last line: ${lines[-1]}"
	# busybox's layer is in the store already (busybox_tar ran it).
	[ "$(grep -cE 'Pull complete|Already exists' <<<"$output")" = 3 ] || fail "$output"
	[ "$(grep -c 'Pull complete' <<<"$output")" -ge 2 ] || fail "$output"
	expect_match "Digest: sha256:[0-9a-f]{64}"
	run husk run --rm "$PLAIN/team/app:1"
	expect_output "hello from the registry"
	run husk pull "$PLAIN/team/app:1"
	[ "$(grep -c 'Already exists' <<<"$output")" = 3 ] || fail "$output"
	run husk images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}'
	[[ "$output" == *"$PLAIN/team/app 1 sha256:"* ]] || fail "$output"
}

@test "pull by digest, and the digest reference names the image" {
	image_spec "by digest" | push - "$PLAIN/team/pinned:1"
	local digest
	digest=$(skopeo inspect --tls-verify=false "docker://$PLAIN/team/pinned:1" | jq -r .Digest)
	run husk pull -q "$PLAIN/team/pinned@$digest"
	expect_output "$PLAIN/team/pinned@$digest"
	run husk run --rm "$PLAIN/team/pinned@$digest"
	expect_output "by digest"
}

@test "a multi-platform index: the pull takes this machine's image, --platform another's" {
	local arch
	arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	push - "$PLAIN/team/multi:1" --all <<EOF
{"platforms": ["linux/s390x", "linux/$arch"], "config": {"Cmd": ["true"]},
 "layers": [{"tar": "$BATS_TEST_TMPDIR/rootfs.tar"}]}
EOF
	run husk pull -q "$PLAIN/team/multi:1"
	expect_status 0
	run husk image inspect -f '{{.Architecture}}' "$PLAIN/team/multi:1"
	expect_output "$arch"
	run husk pull -q --platform linux/s390x "$PLAIN/team/multi:1"
	expect_status 0
	run husk image inspect -f '{{.Architecture}}' "$PLAIN/team/multi:1"
	expect_output s390x
	run --separate-stderr husk pull --platform linux/mips "$PLAIN/team/multi:1"
	[ "$status" = 1 ] && [[ "$stderr" == *"no image for linux/mips"* ]] || fail "$stderr"
}

@test "what the registry does not have: one plain line, exit 1, the store unchanged" {
	husk run --rm --network none busybox true
	local before
	before=$(store_state)
	run --separate-stderr husk pull "$PLAIN/team/nosuch:1"
	[ "$status" = 1 ] || fail "status $status"
	[ "${#stderr_lines[@]}" = 1 ] && [[ "$stderr" == *"not found (HTTP 404"* ]] || fail "$stderr"
	run --separate-stderr husk pull "127.0.0.1:5999/team/app:1"
	[ "$status" = 1 ] && [ "${#stderr_lines[@]}" = 1 ] && [[ "$stderr" == *"127.0.0.1:5999"* ]] ||
		fail "$stderr"
	run --separate-stderr husk pull 'Bad/Name'
	[ "$status" = 1 ] && [[ "$stderr" == *"invalid reference format"* ]] || fail "$stderr"
	[ "$(store_state)" = "$before" ] || fail "the store changed"
}

@test "a blob the registry serves damaged is refused and nothing is published" {
	image_spec "damaged" | push - "$PLAIN/team/damaged:1"
	husk run --rm --network none busybox true
	local before blob
	before=$(store_state)
	# The zstd layer (the manifest's last): flip its bytes in the registry's storage.
	local digest
	digest=$(skopeo inspect --tls-verify=false --raw "docker://$PLAIN/team/damaged:1" |
		jq -r '.layers[-1].digest')
	blob=$(find "$BATS_FILE_TMPDIR/plain/data" -path "*${digest#sha256:}*/data")
	[ -f "$blob" ] || fail "no blob file for $digest"
	printf 'XXXX' | dd of="$blob" bs=1 seek=20 conv=notrunc 2>/dev/null
	run --separate-stderr husk pull "$PLAIN/team/damaged:1"
	[ "$status" = 1 ] || fail "a damaged blob was accepted"
	[[ "$stderr" == *"$digest"* ]] || fail "$stderr"
	run husk images -q --filter reference="$PLAIN/team/damaged"
	expect_output ""
	[ -z "$(ls -A "$HUSK_ROOT/images/tmp" | grep -v '^pulling-')" ] || fail "tmp: $(ls "$HUSK_ROOT/images/tmp")"
}

@test "Basic auth: refused without credentials, pulled with docker's config.json" {
	image_spec "behind a password" | push - "$AUTH/team/private:1" --dest-creds tester:secret
	run --separate-stderr husk pull "$AUTH/team/private:1"
	[ "$status" = 1 ] && [[ "$stderr" == *"unauthorized"* ]] || fail "$status $stderr"
	export DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
	mkdir -p "$DOCKER_CONFIG"
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$AUTH" "$(printf tester:secret | base64)" \
		>"$DOCKER_CONFIG/config.json"
	run husk pull -q "$AUTH/team/private:1"
	expect_output "$AUTH/team/private:1"
	# podman's auth.json works as well.
	unset DOCKER_CONFIG
	export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/auth.json
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$AUTH" "$(printf tester:wrong | base64)" \
		>"$REGISTRY_AUTH_FILE"
	run --separate-stderr husk pull "$AUTH/team/private:1"
	[ "$status" = 1 ] && [[ "$stderr" == *"unauthorized"* ]] || fail "wrong password: $stderr"
}

@test "TLS: an unknown CA is refused, the registry's certs.d CA is trusted, --tls-verify=false skips" {
	image_spec "over tls" | push - "$TLS/team/secure:1"
	run --separate-stderr husk pull "$TLS/team/secure:1"
	[ "$status" = 1 ] || fail "an unknown CA was accepted"
	export HUSK_CERTS_D=$BATS_TEST_TMPDIR/certs.d
	mkdir -p "$HUSK_CERTS_D/$TLS"
	cp "$BATS_FILE_TMPDIR/certs/ca.crt" "$HUSK_CERTS_D/$TLS/ca.crt"
	run husk pull -q "$TLS/team/secure:1"
	expect_output "$TLS/team/secure:1"
	unset HUSK_CERTS_D
	husk rmi "$TLS/team/secure:1" >/dev/null
	run husk pull -q --tls-verify=false "$TLS/team/secure:1"
	expect_output "$TLS/team/secure:1"
}

@test "run pulls a missing image (progress on stderr), --pull never does not" {
	image_spec "pulled by run" | push - "$PLAIN/team/auto:1"
	run --separate-stderr husk run --rm --pull never "$PLAIN/team/auto:1"
	[ "$status" = 125 ] && [[ "$stderr" == *"No such image"* ]] || fail "$status $stderr"
	run --separate-stderr husk run --rm "$PLAIN/team/auto:1"
	expect_status 0
	[ "$output" = "pulled by run" ] || fail "stdout: $output"
	[[ "$stderr" == *"Unable to find image '$PLAIN/team/auto:1' locally"* ]] || fail "$stderr"
	image_spec "pulled again" | push - "$PLAIN/team/auto:1"
	run --separate-stderr husk run --rm --pull always "$PLAIN/team/auto:1"
	[ "$output" = "pulled again" ] || fail "stdout: $output"
}

@test "two pulls of one image at once both succeed and unpack each layer once" {
	image_spec "twice" | push - "$PLAIN/team/twice:1"
	husk run --rm --network none busybox true
	ls "$HUSK_ROOT/images/layers" | grep -v "\.json$" >"$BATS_TEST_TMPDIR/before"
	"$HUSK" pull -q "$PLAIN/team/twice:1" >"$BATS_TEST_TMPDIR/a" 2>&1 &
	local a=$!
	"$HUSK" pull -q "$PLAIN/team/twice:1" >"$BATS_TEST_TMPDIR/b" 2>&1 &
	local b=$!
	wait "$a" || fail "first pull: $(cat "$BATS_TEST_TMPDIR/a")"
	wait "$b" || fail "second pull: $(cat "$BATS_TEST_TMPDIR/b")"
	# What appeared is exactly the image's layers that were not there.
	husk image inspect -f '{{range .RootFS.Layers}}{{.}}
{{end}}' "$PLAIN/team/twice:1" | sed -n 's/^sha256://p' | sort >"$BATS_TEST_TMPDIR/wanted"
	ls "$HUSK_ROOT/images/layers" | grep -v "\.json$" | sort >"$BATS_TEST_TMPDIR/after"
	[ "$(comm -13 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after")" = \
		"$(comm -23 "$BATS_TEST_TMPDIR/wanted" "$BATS_TEST_TMPDIR/before")" ] ||
		fail "layers added: $(comm -13 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after")"
	[ -z "$(ls -A "$HUSK_ROOT/images/tmp" | grep -v '^pulling-')" ] || fail "tmp: $(ls "$HUSK_ROOT/images/tmp")"
	run husk run --rm "$PLAIN/team/twice:1"
	expect_output twice
}

@test "a pull killed at any moment leaves no half image, and the next pull completes" {
	local big=$BATS_TEST_TMPDIR/big
	head -c 15000000 /dev/urandom >"$big.bin"
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	python3 - "$big.bin" "$BATS_TEST_TMPDIR/rootfs.tar" >"$big.json" <<'EOF'
import json, sys
print(json.dumps({"config": {"Cmd": ["md5sum", "/big"]}, "layers": [
    {"tar": sys.argv[2]},
    {"compression": "gzip", "entries": [{"path": "big", "type": "file",
     "content": open(sys.argv[1], "rb").read().hex()}]}]}))
EOF
	push - "$PLAIN/team/big:1" <"$big.json"
	local delay
	for delay in 0.005 0.02 0.05 0.1 0.2; do
		"$HUSK" pull -q "$PLAIN/team/big:1" >/dev/null 2>&1 &
		local pid=$!
		sleep "$delay"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		# Either no image, or the whole one: never a half one.
		if husk image inspect "$PLAIN/team/big:1" >/dev/null 2>&1; then
			husk rmi "$PLAIN/team/big:1" >/dev/null
		fi
	done
	run husk pull -q "$PLAIN/team/big:1"
	expect_output "$PLAIN/team/big:1"
	run husk run --rm "$PLAIN/team/big:1"
	expect_status 0
	husk rmi "$PLAIN/team/big:1" >/dev/null
	run husk image prune -a
	expect_status 0
	[ -z "$(ls -A "$HUSK_ROOT/images/tmp")" ] || fail "prune left tmp: $(ls "$HUSK_ROOT/images/tmp")"
}

@test "push: the image's blobs and an OCI manifest; pulled back elsewhere it has the same ID" {
	image_spec "pushed" | push - "$PLAIN/team/source:1"
	husk pull -q "$PLAIN/team/source:1" >/dev/null
	husk tag "$PLAIN/team/source:1" "$PLAIN/team/copy:2"
	run husk push "$PLAIN/team/copy:2"
	expect_status 0
	expect_match "The push refers to repository \[$PLAIN/team/copy\]"
	expect_match "2: digest: sha256:[0-9a-f]{64} size: [0-9]+"
	run husk push "$PLAIN/team/copy:2"
	[ "$(grep -c 'Layer already exists' <<<"$output")" = 3 ] || fail "$output"
	local other=$BATS_TEST_TMPDIR/other-root
	run husk --root "$other" pull -q "$PLAIN/team/copy:2"
	expect_status 0
	[ "$(husk --root "$other" image inspect -f '{{.Id}}' "$PLAIN/team/copy:2")" = \
		"$(husk image inspect -f '{{.Id}}' "$PLAIN/team/source:1")" ] || fail "different IDs"
	# The imported busybox (a plain tar blob) goes too.
	husk tag busybox "$PLAIN/team/bb:1"
	run husk push -q "$PLAIN/team/bb:1"
	expect_match '^sha256:[0-9a-f]{64}$'
	run --separate-stderr husk push "$PLAIN/team/nosuch:1"
	[ "$status" = 1 ] && [[ "$stderr" == *"No such image"* ]] || fail "$stderr"
}

@test "login checks the password and keeps it 0600 in docker's config.json; push and pull use it; logout forgets" {
	export DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
	run --separate-stderr husk login -u tester -p wrong "$AUTH"
	[ "$status" = 1 ] && [[ "$stderr" == *"unauthorized"* ]] || fail "$status $stderr"
	[ ! -e "$DOCKER_CONFIG/config.json" ] || fail "a refused login was kept"
	run bash -c "printf 'secret\n' | '$HUSK' login -u tester --password-stdin $AUTH"
	expect_output "Login Succeeded"
	[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ] || fail "mode $(stat -c %a "$DOCKER_CONFIG/config.json")"
	husk run --rm --network none busybox true
	husk tag busybox "$AUTH/team/mine:1"
	run husk push -q "$AUTH/team/mine:1"
	expect_status 0
	husk rmi "$AUTH/team/mine:1" >/dev/null
	run husk pull -q "$AUTH/team/mine:1"
	expect_output "$AUTH/team/mine:1"
	run husk logout "$AUTH"
	expect_output "Removing login credentials for $AUTH"
	run --separate-stderr husk pull "$AUTH/team/mine:1"
	[ "$status" = 1 ] && [[ "$stderr" == *"unauthorized"* ]] || fail "$stderr"
	run --separate-stderr husk logout "$AUTH"
	[ "$status" = 1 ] && [[ "$stderr" == *"not logged in"* ]] || fail "$stderr"
}

# proxy_start PORT MODE: the faulty proxy in front of the plain registry.
proxy_start() {
	python3 "$(dirname "$BATS_TEST_FILENAME")/faulty_proxy.py" "$1" 5000 "$2" "$BATS_TEST_TMPDIR/proxy.log" &
	PROXY_PID=$!
	local i
	for i in $(seq 1 100); do
		curl -s -o /dev/null "http://127.0.0.1:$1/v2/" && return 0
		sleep 0.05
	done
	return 1
}

big_image() { # REF: busybox plus a 3 MiB random layer, pushed to the plain registry
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	push - "$PLAIN/$1" <<JSON
{"config": {"Cmd": ["true"]}, "layers": [{"tar": "$BATS_TEST_TMPDIR/rootfs.tar"},
 {"compression": "none", "entries": [{"path": "big", "type": "random", "size": 3145728}]}]}
JSON
}

@test "a blob transfer cut in the middle resumes with a Range request and the pull completes" {
	big_image team/cut:1
	proxy_start 5010 cut
	run husk pull -q 127.0.0.1:5010/team/cut:1
	kill "$PROXY_PID"
	expect_output "127.0.0.1:5010/team/cut:1"
	grep -q "cut after 1 MiB" "$BATS_TEST_TMPDIR/proxy.log" || fail "nothing was cut: $(cat "$BATS_TEST_TMPDIR/proxy.log")"
	grep -qi "range: bytes=1048576-" "$BATS_TEST_TMPDIR/proxy.log" || fail "no resume: $(cat "$BATS_TEST_TMPDIR/proxy.log")"
	run husk run --rm 127.0.0.1:5010/team/cut:1
	expect_status 0
}

@test "a 503 from the registry is retried" {
	big_image team/busy:1
	proxy_start 5011 503
	run husk pull -q 127.0.0.1:5011/team/busy:1
	kill "$PROXY_PID"
	expect_output "127.0.0.1:5011/team/busy:1"
	[ "$(grep -c 'GET /v2/team/busy/blobs/' "$BATS_TEST_TMPDIR/proxy.log")" -ge 3 ] ||
		fail "no retry: $(cat "$BATS_TEST_TMPDIR/proxy.log")"
}

@test "a full disk fails the pull with one line and leaves the store as it was" {
	big_image team/full:1
	local small=$BATS_TEST_TMPDIR/small
	mkdir "$small"
	mount -t tmpfs -o size=4m tmpfs "$small"
	run --separate-stderr husk --root "$small/root" pull -q "$PLAIN/team/full:1"
	local status_was=$status
	local left
	left=$(ls -A "$small/root/images/tmp" 2>/dev/null | grep -v '^pulling-' || true)
	local images
	images=$(ls -A "$small/root/images/images" 2>/dev/null || true)
	umount "$small"
	[ "$status_was" = 1 ] || fail "status $status_was"
	[ "${#stderr_lines[@]}" = 1 ] && [[ "$stderr" == *"No space left on device"* ]] || fail "$stderr"
	[ -z "$left" ] || fail "tmp left: $left"
	[ -z "$images" ] || fail "an image was recorded: $images"
}

@test "on a terminal each layer keeps one line, redrawn in place" {
	image_spec "live" | push - "$PLAIN/team/live:1"
	local socket=$BATS_TEST_TMPDIR/tmux.sock
	TERM=xterm tmux -S "$socket" -f /dev/null new-session -d -s pull -x 150 -y 40 \
		"'$HUSK' pull $PLAIN/team/live:1; echo EXIT=\$?; sleep 30"
	local i screen=""
	for i in $(seq 1 100); do
		screen=$(tmux -S "$socket" capture-pane -p -t pull)
		[[ "$screen" == *EXIT=* ]] && break
		sleep 0.1
	done
	tmux -S "$socket" kill-server
	[[ "$screen" == *EXIT=0* ]] || fail "$screen"
	[ "$(grep -cE '^[0-9a-f]{12}: (Pull complete|Already exists)$' <<<"$screen")" = 3 ] || fail "$screen"
	[ "$(grep -cE '^[0-9a-f]{12}: ' <<<"$screen")" = 3 ] || fail "more than one line a layer: $screen"
}

@test "a registry listed in registries.json's insecure-registries needs no CA" {
	image_spec "listed" | push - "$TLS/team/listed:1"
	run --separate-stderr husk pull "$TLS/team/listed:1"
	[ "$status" = 1 ] || fail "an unknown CA was accepted"
	export HUSK_REGISTRIES_CONF=$BATS_TEST_TMPDIR/registries.json
	printf '{"insecure-registries": ["%s"]}\n' "$TLS" >"$HUSK_REGISTRIES_CONF"
	run husk pull -q "$TLS/team/listed:1"
	expect_output "$TLS/team/listed:1"
}

@test "a Docker v2 schema 2 manifest pulls as an OCI one does" {
	image_spec "docker format" | sed 's/"zstd"/"gzip"/' | push - "$PLAIN/team/v2s2:1" --format v2s2
	run skopeo inspect --tls-verify=false --raw "docker://$PLAIN/team/v2s2:1"
	[[ "$output" == *"application/vnd.docker.distribution.manifest.v2+json"* ]] || fail "$output"
	run husk pull -q "$PLAIN/team/v2s2:1"
	expect_output "$PLAIN/team/v2s2:1"
	run husk run --rm "$PLAIN/team/v2s2:1"
	expect_output "docker format"
}

@test "token auth: anonymous Bearer tokens for public repositories, credentials for the rest" {
	export DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
	image_spec "token" | push - "$TOKEN/public/app:1" --dest-creds tester:secret
	image_spec "token" | push - "$TOKEN/private/app:1" --dest-creds tester:secret
	run husk pull -q "$TOKEN/public/app:1"
	expect_output "$TOKEN/public/app:1"
	run --separate-stderr husk pull "$TOKEN/private/app:1"
	[ "$status" = 1 ] && [[ "$stderr" == *"unauthorized"* ]] || fail "$status $stderr"
	run husk login -u tester -p secret "$TOKEN"
	expect_output "Login Succeeded"
	run husk pull -q "$TOKEN/private/app:1"
	expect_output "$TOKEN/private/app:1"
	husk tag "$TOKEN/private/app:1" "$TOKEN/private/copy:1"
	run husk push -q "$TOKEN/private/copy:1"
	expect_match '^sha256:[0-9a-f]{64}$'
	run --separate-stderr husk login -u tester -p wrong "$TOKEN"
	[ "$status" = 1 ] || fail "a wrong password logged in"
}
