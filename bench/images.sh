#!/bin/bash
# Image part of the bench: run by bench/run.sh as
#   unshare --net bench/images.sh HUSK TIMEIT WORK OUT
# in a network namespace of its own, where Debian's docker-registry listens on 127.0.0.1.
#
#  1. pull: a 3-layer image of about 64 MB (busybox's layer and two of 32 MB of random
#     bytes, gzip) from the local registry into an empty store, interleaved:
#       husk pull   vs  skopeo copy docker://... oci:DIR + umoci unpack (the closest pair of
#       tools that fetch and unpack)  vs  podman pull (overlay storage of its own).
#     Every run starts empty (its own state directory). Targets: husk <= 0.7x each.
#  2. overlay depth: `husk run --rm --network none IMAGE true` on an 11-layer image vs the
#     1-layer busybox (target: at most 1 ms more).
#  3. `husk images` with 200 images in the store (target < 50 ms).
set -euo pipefail
husk=$1 timeit=$2 work=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
make_image=$here/../tests/integration/make_image.py
runs=${BENCH_PULL_RUNS:-5}
registry=127.0.0.1:5099
export HUSK_ROOT=$work/husk-root-images
mkdir -p "$HUSK_ROOT" "$work/registry" "$work/pulls"
ip link set lo up

row_median() { awk -v l="$1" '$1 == l { print $2 }' "$2"; }
verdict() {
    awk -v n="$1" -v v="$2" -v t="$3" -v u="$4" 'BEGIN {
        printf "%-34s %8.2f%s  (target <= %s%s)  %s\n", n, v, u, t, u, (v <= t ? "PASS" : "MISS")
    }'
}

cat >"$work/registry/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: $registry
YAML
docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; wait $registry_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://$registry/v2/" && break; sleep 0.05; done

# The image: busybox's layer (from husk's own image) and two 32 MB random layers.
"$husk" run --rm --network none busybox true
layer=$("$husk" image inspect -f '{{.GraphDriver.Data.UpperDir}}' busybox)
tar -C "$layer" -cf "$work/busybox.tar" .
python3 "$make_image" "$work/bench-image" <<JSON
{"config": {"Cmd": ["sh"]}, "layers": [
  {"compression": "gzip", "tar": "$work/busybox.tar"},
  {"compression": "gzip", "entries": [{"path": "data/a", "type": "random", "size": 33554432}]},
  {"compression": "gzip", "entries": [{"path": "data/b", "type": "random", "size": 33554432}]}]}
JSON
skopeo copy -q --dest-tls-verify=false "oci:$work/bench-image" "docker://$registry/bench/pull:1"
size=$(du -sm "$work/bench-image/blobs" | cut -f1)

cat >"$work/skopeo-umoci.sh" <<SH
#!/bin/sh
# skopeo copy + umoci unpack of the bench image into DIR (the first argument)
set -e
mkdir -p "\$1"
skopeo copy -q --src-tls-verify=false docker://$registry/bench/pull:1 "oci:\$1/oci:x"
umoci unpack --image "\$1/oci:x" "\$1/bundle" >/dev/null
SH
chmod +x "$work/skopeo-umoci.sh"

echo
echo "== pull + unpack of a 3-layer image (${size} MB of blobs) from a local registry into an empty store ($runs runs each, interleaved)"
cmds=("husk=$husk --root $work/pulls/husk-%i pull -q $registry/bench/pull:1"
    "skopeo+umoci=$work/skopeo-umoci.sh $work/pulls/skopeo-%i")
have_podman=0
if command -v podman >/dev/null; then
    have_podman=1
    cmds+=("podman=podman --root $work/pulls/podman-%i --runroot $work/pulls/podman-run-%i --storage-driver overlay pull -q --tls-verify=false $registry/bench/pull:1")
fi
"$timeit" -n "$runs" -w 1 -p -o "$out/raw-pull.csv" "${cmds[@]}" | tee "$work/pull.txt"
# Each run left a full store: podman's overlay layers are mounted nowhere, but its storage
# may hold an overlay mount point; remove everything the tools made.
for dir in "$work"/pulls/podman-*; do
    [ -d "$dir" ] && podman --root "$dir" --runroot "$dir-run" --storage-driver overlay system reset -f >/dev/null 2>&1 || true
done
rm -rf "$work/pulls"

echo
echo "== run --rm on an 11-layer image vs the 1-layer busybox"
layers="{\"compression\": \"gzip\", \"tar\": \"$work/busybox.tar\"}"
for i in $(seq 1 10); do
    layers+=", {\"compression\": \"gzip\", \"entries\": [{\"path\": \"layer$i\", \"type\": \"file\", \"content\": \"$i\"}]}"
done
python3 "$make_image" "$work/deep-image" <<<"{\"ref\": \"deep:1\", \"config\": {\"Cmd\": [\"sh\"]}, \"layers\": [$layers]}"
tar -C "$work/deep-image" -cf "$work/deep.tar" .
"$husk" load -i "$work/deep.tar" >/dev/null
"$timeit" -n "${BENCH_DEPTH_RUNS:-50}" -w 3 -p -o "$out/raw-depth.csv" \
    "busybox=$husk run --rm --network none busybox true" \
    "11-layers=$husk run --rm --network none deep:1 true" | tee "$work/depth.txt"

echo
echo "== husk images with 200 images"
for i in $(seq 1 199); do
    "$husk" import -c "LABEL n=$i" "$work/busybox.tar" "many/image$i:1" >/dev/null
done
"$husk" images -q | wc -l | sed 's/^/images in the store: /'
"$timeit" -n 30 -w 3 -o "$out/raw-images.csv" "images=$husk images" | tee "$work/images.txt"

echo
echo "== image targets (medians)"
husk_pull=$(row_median husk "$work/pull.txt")
verdict "pull husk/(skopeo+umoci)" "$(awk -v a="$husk_pull" -v b="$(row_median skopeo+umoci "$work/pull.txt")" 'BEGIN { print a / b }')" 0.7 x
if [ "$have_podman" = 1 ]; then
    verdict "pull husk/podman" "$(awk -v a="$husk_pull" -v b="$(row_median podman "$work/pull.txt")" 'BEGIN { print a / b }')" 0.7 x
fi
verdict "run --rm, 11 layers - 1 layer" "$(awk -v a="$(row_median 11-layers "$work/depth.txt")" -v b="$(row_median busybox "$work/depth.txt")" 'BEGIN { print a - b }')" 1 " ms"
verdict "husk images, 200 images" "$(row_median images "$work/images.txt")" 50 " ms"
