#!/bin/sh
# Installs the Debian packages husk needs to build, test and benchmark.
# Idempotent and silent when everything is already there.
set -eu

packages="gcc libc6-dev pkg-config meson ninja-build
libseccomp-dev libcap-dev libjansson-dev libnl-route-3-dev libnftables-dev
libarchive-dev libcurl4-openssl-dev libssl-dev libzstd-dev zlib1g-dev
libcmocka-dev bats busybox-static clang libclang-rt-14-dev
iproute2 util-linux procps tmux nftables iperf3 jq time python3 attr zstd
xfsprogs e2fsprogs btrfs-progs
crun runc docker-registry skopeo umoci podman apache2-utils openssl
containerd docker.io curl catatonit containernetworking-plugins iptables strace"

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "husk: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# containerd and docker.io start their daemons on install where an init
# system lets them; the tests start private ones instead, and a host
# dockerd would add a bridge and firewall rules. policy-rc.d says no.
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy
	chmod 755 $policy
	trap 'rm -f $policy' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
