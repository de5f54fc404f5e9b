#!/bin/sh
# `make demo`: runs a busybox container and shows, namespace by namespace,
# that the kernel gave it its own (inode numbers from /proc/PID/ns).
set -eu
husk=${1:-build/husk}
namespaces="cgroup ipc mnt net pid time uts user"

echo "husk demo: one container from the default busybox image (built from this host's busybox-static)"
echo
inside=$("$husk" run --rm --network none busybox sh -c "
	for ns in $namespaces; do readlink /proc/self/ns/\$ns; done
	echo hostname=\$(hostname)
	echo pid1=\$(cat /proc/1/comm)
	echo interfaces=\$(ls /sys/class/net | tr '\n' ' ')")

printf '%-8s %-22s %-22s %s\n' namespace host container verdict
differ=0
for ns in $namespaces; do
	host=$(readlink /proc/self/ns/$ns)
	container=$(echo "$inside" | grep "^$ns:")
	if [ "$host" = "$container" ]; then
		verdict="shared with the host"
		[ "$ns" = user ] && verdict="$verdict (no user namespace requested)"
	else
		verdict="private"
		differ=$((differ + 1))
	fi
	printf '%-8s %-22s %-22s %s\n' "$ns" "$host" "$container" "$verdict"
done
echo
echo "$inside" | grep -E '^(hostname|pid1|interfaces)=' | sed 's/^/container: /'
echo "host:      hostname=$(hostname)"
echo
echo "$differ of 8 namespaces are the container's own."
