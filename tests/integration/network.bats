#!/usr/bin/env bats
# Bridge networking, inside the sandbox's own network namespace only: the
# default network, published ports, user-defined networks, the manual veth
# flow and --sysctl. Every address used here is one husk or the test makes in
# the sandbox (10.88/16, 10.89/16, 10.90/16, 192.0.2.0/24 for a test's own
# "other host", TEST-NET-1, never routed anywhere).

load helpers

setup() { keeping_setup; }

teardown() {
	[ -z "${SERVER:-}" ] || kill "$SERVER" 2>/dev/null
	[ -z "${PEER:-}" ] || kill "$PEER" 2>/dev/null
	ip link del peer0 2>/dev/null
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	for network in $("$HUSK" network ls | awk 'NR > 1 && $2 != "bridge" {print $2}'); do
		"$HUSK" network rm "$network" >/dev/null
	done
	husk_teardown
}

ip_of() { # CONTAINER [NETWORK]
	if [ -n "${2:-}" ]; then
		"$HUSK" inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"
	else
		"$HUSK" inspect -f '{{.NetworkSettings.IPAddress}}' "$1"
	fi
}

# serve CONTAINER TEXT [PORT]: busybox httpd in the container answering TEXT.
serve() {
	"$HUSK" exec "$1" sh -c "mkdir -p /www && echo $2 >/www/index.html && httpd -p ${3:-80} -h /www"
}

# busybox wget crashes on connection errors (Debian's busybox-static), so
# failures are checked with nc, which exits 1.
reachable() { # FROM-CONTAINER ADDRESS PORT
	"$HUSK" exec "$1" nc -w 2 "$2" "$3" </dev/null >/dev/null 2>&1
}

# other_host: a network namespace wired to the sandbox by a veth pair, as
# another machine would be: 192.0.2.1 (peer0) here, 192.0.2.2 (eth0) there,
# addresses from TEST-NET-1 that exist only in this sandbox. Sets PEER.
other_host() {
	# Not holding bats' descriptors, or a failing test would wait for it.
	unshare --net sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	PEER=$!
	wait_for 5 in_own_netns "$PEER"
	ip link add peer0 type veth peer name eth0 netns "$PEER"
	ip addr add 192.0.2.1/24 dev peer0
	ip link set peer0 up
	nsenter --net --target "$PEER" ip addr add 192.0.2.2/24 dev eth0
	nsenter --net --target "$PEER" ip link set eth0 up
}

in_own_netns() { # PID
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

no_husk_state_left() {
	[ -z "$(ip -o link show | grep -E 'veth|husk')" ] || fail "links left: $(ip -o link show | grep -E 'veth|husk')"
	! nft list table ip husk >/dev/null 2>&1 || fail "nftables table left: $(nft list table ip husk)"
	[ -z "$(ls -A "$HUSK_ROOT/networks/bridge/leases" 2>/dev/null)" ] || fail "leases left"
	[ "$(sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "ip_forward left on"
}

@test "default network: eth0 with a 10.88 address, default route via husk0, own name in /etc/hosts" {
	"$HUSK" run -d --name a busybox sleep 1001 >/dev/null
	a=$(ip_of a)
	expect_match '^10\.88\.[0-9]+\.[0-9]+$' "$a"
	run "$HUSK" exec a ip -4 -o addr show eth0
	expect_match "inet $a/16"
	run "$HUSK" exec a ip route
	expect_match 'default via 10.88.0.1 dev eth0'
	run "$HUSK" exec a cat /etc/hosts
	expect_match "$a	[0-9a-f]{12} a"
	run "$HUSK" exec a ip -o link show
	expect_match 'eth0@'
	# The host side: husk0 holds the gateway, the veth's host end is on it, up.
	run ip -4 -o addr show husk0
	expect_match 'inet 10.88.0.1/16'
	run ip -o link show master husk0
	expect_match 'veth[0-9a-f]{11}@.* state UP'
	[ "$(sysctl -n net.ipv4.ip_forward)" = 1 ]
	run "$HUSK" inspect -f '{{.NetworkSettings.Networks.bridge.Gateway}} {{.NetworkSettings.Networks.bridge.MacAddress}} {{.HostConfig.NetworkMode}}' a
	expect_match "^10.88.0.1 02:42:0a:58:[0-9a-f:]+ bridge$"
	"$HUSK" rm -f a >/dev/null
	no_husk_state_left
}

@test "two containers get different addresses and reach each other; the host reaches both" {
	"$HUSK" run -d --name a busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name b busybox sleep 1002 >/dev/null
	a=$(ip_of a) b=$(ip_of b)
	[ "$a" != "$b" ]
	serve a from-a
	serve b from-b
	run "$HUSK" exec b wget -qO- "http://$a/"
	expect_output from-a
	run "$HUSK" exec a wget -qO- "http://$b/"
	expect_output from-b
	run busybox wget -qO- "http://$b/"
	expect_output from-b
	run "$HUSK" exec a ping -c 1 -W 2 "$b"
	expect_status 0
}

@test "routes and sockets are per namespace: a route added in one is not in the other nor on the host; one port bound three times" {
	"$HUSK" run -d --name a --sysctl net.ipv4.ip_forward=1 busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name b busybox sleep 1002 >/dev/null
	# Containers lack CAP_NET_ADMIN: add the route from the host, in a's namespace.
	nsenter --net --target "$("$HUSK" inspect -f '{{.State.Pid}}' a)" ip route add 198.51.100.0/24 via 10.88.0.1
	run "$HUSK" exec a ip route
	expect_match '198.51.100.0/24 via 10.88.0.1'
	run "$HUSK" exec b ip route
	[[ "$output" != *198.51.100.0* ]] || fail "b has a's route: $output"
	[[ "$(ip route)" != *198.51.100.0* ]] || fail "the host has a's route"
	# The same TCP port, bound in a, in b and on the host at once.
	serve a a 8080
	serve b b 8080
	busybox nc -l -p 8080 </dev/null >/dev/null 2>&1 3>&- &
	listener=$!
	wait_for 5 grep -q ':1F90 0\+:0000 0A' /proc/net/tcp /proc/net/tcp6
	run "$HUSK" exec a wget -qO- http://127.0.0.1:8080/
	from_a=$output
	run "$HUSK" exec b wget -qO- http://127.0.0.1:8080/
	from_b=$output
	grep -q ':1F90 0\+:0000 0A' /proc/net/tcp /proc/net/tcp6
	host_listening=$?
	kill "$listener"
	[ "$from_a" = a ] && [ "$from_b" = b ] || fail "a: $from_a, b: $from_b"
	[ "$host_listening" = 0 ] || fail "the host's listener is gone"
}

@test "-p: a published port answers on the host's addresses, 127.0.0.1 included, and from another host; husk port lists it" {
	"$HUSK" run -d --name web -p 8080:80 -p 127.0.0.1:8081:80 -p 9090:90/udp busybox sleep 1001 >/dev/null
	serve web hello-web
	run busybox wget -qO- http://127.0.0.1:8080/
	expect_output hello-web
	run busybox wget -qO- http://127.0.0.1:8081/
	expect_output hello-web
	run "$HUSK" port web
	expect_output "80/tcp -> 0.0.0.0:8080
80/tcp -> 127.0.0.1:8081
90/udp -> 0.0.0.0:9090"
	run "$HUSK" port web 80
	expect_output "0.0.0.0:8080
127.0.0.1:8081"
	# Another host (see other_host).
	other_host
	peer=$PEER
	run nsenter --net --target "$peer" busybox wget -qO- http://192.0.2.1:8080/
	from_peer=$output
	# 8081 was published on 127.0.0.1 only.
	local_only=0
	nsenter --net --target "$peer" busybox nc -w 2 192.0.2.1 8081 </dev/null || local_only=$?
	kill "$peer" # its namespace, and the pair with it, go away
	[ "$from_peer" = hello-web ] || fail "from the other host: $from_peer"
	[ "$local_only" != 0 ] || fail "8081 answered on 192.0.2.1"
}

@test "outbound: a container reaches another host through the host, masqueraded behind the host's address" {
	# The other host knows no route to 10.88/16: only masquerading can make this work.
	other_host
	# It answers with its own socket table (busybox nc listens on IPv6): the
	# connection's remote address is what the other host saw, 192.0.2.1 being
	# ::ffff:192.0.2.1 there, 0000000000000000FFFF0000010200C0.
	nsenter --net --target "$PEER" busybox nc -l -p 7000 -e cat /proc/net/tcp6 </dev/null >/dev/null 2>&1 3>&- &
	SERVER=$!
	wait_for 5 nsenter --net --target "$PEER" grep -q ':1B58 0\+:0000 0A' /proc/net/tcp6
	run "$HUSK" run --rm busybox nc -w 3 192.0.2.2 7000
	expect_status 0
	expect_match ':1B58 0000000000000000FFFF0000010200C0:[0-9A-F]{4} [0-9A-F]{2}'
	[[ "$output" != *0A58* ]] || fail "the other host saw a 10.88 address: $output"
}

@test "-P publishes every exposed port on a free host port; --expose adds one" {
	"$HUSK" run -d --name web -P --expose 80 --expose 53/udp busybox sleep 1001 >/dev/null
	serve web exposed
	run "$HUSK" port web 80/tcp
	expect_match '^0\.0\.0\.0:[0-9]+$'
	port=${output##*:}
	run busybox wget -qO- "http://127.0.0.1:$port/"
	expect_output exposed
	run "$HUSK" port web 53/udp
	expect_match '^0\.0\.0\.0:[0-9]+$'
	run "$HUSK" inspect -f '{{json .Config.ExposedPorts}}' web
	expect_output '{"80/tcp":{},"53/udp":{}}'
}

@test "a host port in use: by a host program or by another container; clear error, nothing left" {
	busybox nc -l -p 8090 </dev/null >/dev/null 2>&1 3>&- &
	listener=$!
	wait_for 5 grep -q ':1F9A 0\+:0000 0A' /proc/net/tcp /proc/net/tcp6
	run --separate-stderr "$HUSK" run --rm -p 8090:80 busybox true
	kill "$listener"
	expect_husk_error 125 'host port 0.0.0.0:8090/tcp is already in use'
	"$HUSK" run -d --name first -p 8091:80 busybox sleep 1001 >/dev/null
	before=$(nft list map ip husk ports_any)
	run --separate-stderr "$HUSK" run -d --name second -p 8091:80 busybox sleep 1002
	expect_husk_error 125 'host port 8091/tcp is already published by another container'
	[ "$(nft list map ip husk ports_any)" = "$before" ]
	run "$HUSK" inspect second
	[ "$status" -ne 0 ]
	[ "$(ls "$HUSK_ROOT/networks/bridge/leases" | wc -l)" = 1 ]
	"$HUSK" rm -f first >/dev/null
	no_husk_state_left
}

@test "conflicts: -p needs a bridge network; --network container: refuses -p and --hostname" {
	"$HUSK" run -d --name a busybox sleep 1001 >/dev/null
	for mode in host none container:a; do
		run --separate-stderr "$HUSK" run --rm --network $mode -p 80:80 busybox true
		expect_husk_error 125 "conflicting options: port publishing and --network $mode"
	done
	run --separate-stderr "$HUSK" run --rm -p 70000:80 busybox true
	expect_husk_error 125 'invalid published port "70000:80"'
	run --separate-stderr "$HUSK" run --rm -p 1.2.3:80:80 busybox true
	expect_husk_error 125 'is not an IPv4 address'
	run --separate-stderr "$HUSK" run --rm --network nosuch busybox true
	expect_husk_error 125 'network nosuch not found'
	[ "$(count_containers)" = 1 ]
}

@test "user networks: reach each other by name, isolated from other networks, --internal has no way out" {
	"$HUSK" network create front >/dev/null
	"$HUSK" network create --subnet 10.90.0.0/24 --gateway 10.90.0.254 back >/dev/null
	"$HUSK" network create --internal closed >/dev/null
	"$HUSK" run -d --name web --network front busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name api --network front busybox sleep 1002 >/dev/null
	"$HUSK" run -d --name db --network back busybox sleep 1003 >/dev/null
	"$HUSK" run -d --name vault --network closed busybox sleep 1004 >/dev/null
	serve web web-by-name
	run "$HUSK" exec api wget -qO- http://web/
	expect_output web-by-name
	run "$HUSK" exec web cat /etc/hosts
	expect_match "$(ip_of api)	api"
	expect_match '^10\.90\.0\.[0-9]+$' "$(ip_of db)"
	run "$HUSK" inspect -f '{{.NetworkSettings.Networks.back.Gateway}}' db
	expect_output 10.90.0.254
	# Different networks: no path between them, by address or by name.
	! reachable db "$(ip_of web)" 80 || fail "back reaches front"
	run "$HUSK" exec db cat /etc/hosts
	[[ "$output" != *web* ]] || fail "db knows web: $output"
	# --internal: no default route, neither the host nor other networks reachable.
	run "$HUSK" exec vault ip route
	[[ "$output" != *default* ]] || fail "internal network has a default route: $output"
	! reachable vault "$(ip_of web)" 80 || fail "internal reaches front"
	! reachable vault 10.89.0.1 80 || true
	# connect: web joins back on eth1 with a chosen address, db now finds it.
	"$HUSK" network connect --ip 10.90.0.50 back web
	run "$HUSK" exec web ip -4 -o addr show eth1
	expect_match 'inet 10.90.0.50/24'
	run "$HUSK" exec db wget -qO- http://web/
	expect_output web-by-name
	run "$HUSK" network inspect back
	expect_match '"Name": "web",'
	expect_match '"IPv4Address": "10.90.0.50/24"'
	"$HUSK" network disconnect back web
	run "$HUSK" exec web ip -o link show eth1
	[ "$status" -ne 0 ]
	run "$HUSK" network ls
	expect_match 'front +bridge +10\.89\.[0-9]+\.0/24 +false'
	expect_match 'closed +bridge +10\.89\.[0-9]+\.0/24 +true'
}

@test "connect after disconnect takes a free ethN; the primary's address leaves /etc/hosts; a paused container is refused" {
	"$HUSK" network create one >/dev/null
	"$HUSK" network create two >/dev/null
	"$HUSK" run -d --name c --network one busybox sleep 1001 >/dev/null
	"$HUSK" network connect two c
	"$HUSK" network disconnect one c
	run "$HUSK" inspect -f '{{.NetworkSettings.IPAddress}}' c
	expect_output ""
	run "$HUSK" exec c cat /etc/hosts
	expect_match '127.0.1.1	'
	"$HUSK" network connect one c
	run "$HUSK" exec c ip -o -4 addr
	expect_match 'eth0 +inet 10\.89\.'
	expect_match 'eth1 +inet 10\.89\.'
	"$HUSK" pause c >/dev/null
	run --separate-stderr "$HUSK" network disconnect two c
	expect_husk_error 125 'container c is paused: unpause it first'
	"$HUSK" unpause c >/dev/null
}

@test "network rm is refused while in use; prune removes unused networks; errors are one line" {
	"$HUSK" network create used >/dev/null
	"$HUSK" network create idle >/dev/null
	"$HUSK" run -d --name c --network used busybox sleep 1001 >/dev/null
	run --separate-stderr "$HUSK" network rm used
	expect_husk_error 125 'network used is in use by 1 running container \(c\)'
	run --separate-stderr "$HUSK" network rm bridge
	expect_husk_error 125 'bridge is a pre-defined network and cannot be removed'
	run --separate-stderr "$HUSK" network create used
	expect_husk_error 125 'network with name used already exists'
	run --separate-stderr "$HUSK" network create --subnet 10.88.5.0/24 clash
	expect_husk_error 125 'subnet overlaps network bridge'
	run --separate-stderr "$HUSK" network create --subnet 10.91.0.1/24 bits
	expect_husk_error 125 'host bits are set \(did you mean 10.91.0.0/24\?\)'
	run --separate-stderr "$HUSK" network create --subnet 10.91.0.0/24 --gateway 10.92.0.1 gw
	expect_husk_error 125 'invalid gateway "10.92.0.1"'
	run --separate-stderr "$HUSK" network connect used nosuch
	expect_husk_error 125 'No such container: nosuch'
	run "$HUSK" network prune
	expect_output "Deleted Networks:
idle"
	"$HUSK" rm -f c >/dev/null
	run "$HUSK" network rm used
	expect_output used
	no_husk_state_left
}

@test "a small subnet runs out of addresses with a clear error and recovers when one is freed" {
	"$HUSK" network create --subnet 10.93.0.0/30 tiny >/dev/null
	"$HUSK" run -d --name only --network tiny busybox sleep 1001 >/dev/null
	[ "$(ip_of only)" = 10.93.0.2 ]
	run --separate-stderr "$HUSK" run --rm --network tiny busybox true
	expect_husk_error 125 'network tiny \(10.93.0.0/30\) has no free address left'
	"$HUSK" rm -f only >/dev/null
	run "$HUSK" run --rm --network tiny busybox ip -4 -o addr show eth0
	expect_match 'inet 10.93.0.2/30'
}

@test "--network none: only lo; the manual veth flow to a server in the container works" {
	"$HUSK" run -d --name manual --network none busybox sleep 1001 >/dev/null
	run "$HUSK" exec manual ls /sys/class/net
	expect_output lo
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' manual)
	ip link add veth-host type veth peer name veth-cont
	ip link set veth-cont netns "$pid"
	ip addr add 10.99.0.1/24 dev veth-host
	ip link set veth-host up
	nsenter --net --target "$pid" ip addr add 10.99.0.2/24 dev veth-cont
	nsenter --net --target "$pid" ip link set veth-cont up
	serve manual by-hand
	run busybox wget -qO- http://10.99.0.2/
	expect_output by-hand
	ip link del veth-host
}

@test "--sysctl: namespaced keys are applied inside, global ones and shared namespaces refused before anything is made" {
	run "$HUSK" run --rm --sysctl net.core.somaxconn=1234 --sysctl net.ipv4.conf.eth0.rp_filter=2 --sysctl kernel.shmmax=12345678 --sysctl kernel.domainname=example busybox sh -c 'cat /proc/sys/net/core/somaxconn /proc/sys/net/ipv4/conf/eth0/rp_filter /proc/sys/kernel/shmmax /proc/sys/kernel/domainname'
	expect_output "1234
2
12345678
example"
	[ "$(sysctl -n net.core.somaxconn)" != 1234 ]
	[ "$(sysctl -n kernel.domainname)" != example ]
	for key in net.netfilter.nf_conntrack_max net.core.rmem_max net.core.netdev_max_backlog kernel.threads-max vm.swappiness fs.file-max; do
		run --separate-stderr "$HUSK" run --rm --sysctl $key=1000 busybox true
		expect_husk_error 125 "--sysctl $key is refused: no namespace isolates it"
	done
	run --separate-stderr "$HUSK" run --rm --network host --sysctl net.core.somaxconn=10 busybox true
	expect_husk_error 125 'the container shares that namespace \(--network host\), so it would change the host'
	run --separate-stderr "$HUSK" run --rm --ipc host --sysctl kernel.msgmax=10 busybox true
	expect_husk_error 125 'shares that namespace \(--ipc host\)'
	run --separate-stderr "$HUSK" run --rm --uts host --sysctl kernel.hostname=x busybox true
	expect_husk_error 125 'shares that namespace \(--uts host\)'
	run --separate-stderr "$HUSK" run --rm --sysctl nonsense busybox true
	expect_husk_error 125 'invalid --sysctl "nonsense": use KEY=VALUE'
	[ "$(count_containers)" = 0 ]
}

@test "50 run/rm cycles leave no veth, lease, nft rule or bridge behind" {
	for i in $(seq 50); do
		"$HUSK" run --rm -p 8100:80 busybox true || fail "cycle $i failed"
	done
	for i in $(seq 5); do "$HUSK" run -d --name "c$i" -p "$((8200 + i)):80" busybox sleep 1000 >/dev/null; done
	"$HUSK" rm -f c1 c2 c3 c4 c5 >/dev/null
	no_husk_state_left
}

@test "a container whose monitor was SIGKILLed gives back its lease, ports and veth when removed" {
	"$HUSK" run -d --name orphan -p 8300:80 busybox sleep 1001 >/dev/null
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' orphan)
	monitor=$(awk '/^PPid/ {print $2}' "/proc/$pid/status")
	kill -KILL "$monitor"
	kill -KILL "$pid"
	[ "$(ls "$HUSK_ROOT/networks/bridge/leases" | wc -l)" = 1 ]
	"$HUSK" rm -f orphan >/dev/null
	no_husk_state_left
}

@test "a link left under a container's veth name (its last run's pair, not yet gone) is replaced at start" {
	"$HUSK" run -d --name again busybox sleep 1001 >/dev/null
	host_end=$(ip -o link show master husk0 | awk -F'[ :@]+' '{ print $2 }')
	expect_match '^veth[0-9a-f]{11}$' "$host_end"
	"$HUSK" stop -t 0 again >/dev/null
	# Stand in for a pair whose namespace the kernel has not torn down yet.
	ip link show "$host_end" >/dev/null 2>&1 || ip link add "$host_end" type veth peer name leftover0
	"$HUSK" start again >/dev/null
	run ip -o link show "$host_end"
	expect_match "$host_end@.* master husk0 .*state UP"
	"$HUSK" exec again ip -4 -o addr show eth0 >/dev/null
	"$HUSK" rm -f again >/dev/null
	no_husk_state_left
}
