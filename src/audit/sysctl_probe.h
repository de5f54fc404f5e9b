/* The experiment behind the sysctl catalog: every key under /proc/sys is
 * looked at from inside scratch namespaces of each type, to see whether it is
 * there, what the kernel lets root do with it there, and whether a value
 * written there stays there. */
#ifndef HUSK_AUDIT_SYSCTL_PROBE_H
#define HUSK_AUDIT_SYSCTL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/error.h"

enum probe_type {
    PROBE_USER, /* first: a key the user namespace isolates is its, whatever else is new */
    PROBE_NET,
    PROBE_IPC,
    PROBE_UTS,
    PROBE_PID,
    PROBE_CGROUP,
    PROBE_MNT,
    PROBE_TIME,
    PROBE_TYPE_COUNT,
};
/* "user", "net", ...: the names under /proc/PID/ns. */
extern const char *const probe_type_names[PROBE_TYPE_COUNT];

#define PROBE_VALUE_SIZE 64

/* What one key looked like from one scratch namespace. "Plain": a new
 * namespace of the type and nothing else, as a container gets by default,
 * looked at as real root. "Owned": a new user namespace whose root is the
 * host's nobody, and a new namespace of the type owned by it; the kernel
 * grants that root writes only to what its namespaces own, so a write it
 * gets through cannot reach a global setting. */
struct probe_observation {
    uint8_t visible;                /* plain: the file exists */
    uint8_t readable;               /* plain: owner-read in the mode the kernel shows there */
    uint8_t writable_mode;          /* plain: owner-write in that mode */
    uint8_t wrote_other;            /* a different value was accepted (owned; net: plain) */
    uint8_t wrote_same;             /* only the value already there was accepted (owned) */
    uint8_t mutated;                /* the namespace's own system call changed it (sethostname) */
    uint8_t leaked;                 /* the value written showed up outside: put back */
    uint8_t not_restored;           /* ... and the kernel refused to take it back */
    char written[PROBE_VALUE_SIZE]; /* the different value written */
};

struct probe_key {
    char *name; /* net.ipv4.ip_forward */
    char *path; /* net/ipv4/ip_forward, under /proc/sys */
    mode_t host_mode;
    char *host_value; /* as read before the probes; NULL when unreadable */
    char *before;     /* as read just before the current probe */
    bool one_way;     /* a write the kernel cannot take back: never written */
};

struct probe_result {
    struct probe_key *keys;
    size_t count;
    /* keys[i] seen from type t: observations[i * PROBE_TYPE_COUNT + t] */
    struct probe_observation *observations;
    /* Set when a kind of probe could not run (no user namespaces): what it is. */
    char *limitation;
};

/* Walks /proc/sys (per-interface directories and other file systems such as
 * binfmt_misc left out) and probes every key. Every value a probe changed
 * outside its namespaces is put back before this returns; one the kernel
 * refuses to take back is marked not_restored. Without user namespaces only
 * the plain probes run, and LIMITATION says so. */
int sysctl_probe_run(struct probe_result *result, husk_error_t *err);
void sysctl_probe_free(struct probe_result *result);

/* The first network namespace (where global net settings are writable),
 * opened; -1 when this process cannot reach it. */
int first_network_namespace_open(void);

/* Keys whose write the kernel cannot take back (a static key switched on
 * for good, a latch): true for the ones the probe never writes. */
bool sysctl_key_one_way(const char *key);

/* Values to try writing instead of VALUE: its first number plus and minus
 * one, the rest kept ("4096 131072" -> "4097 131072", "4095 131072"). Returns
 * how many were put in OUT (0 for text that does not start with a number). */
size_t sysctl_probe_candidates(const char *value, char out[][PROBE_VALUE_SIZE], size_t max);

/* net.ipv4.conf.eth0.rp_filter -> net.ipv4.conf.default.rp_filter: settings
 * of one interface are classified through the defaults new interfaces get.
 * Writes the key to use into OUT. */
void sysctl_key_canonical(const char *key, char *out, size_t size);

#endif
