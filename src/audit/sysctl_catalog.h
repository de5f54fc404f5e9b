/* Every kernel setting under /proc/sys, classified on the running kernel by
 * experiment (sysctl_probe.c) and cached per kernel release:
 *   "isolated"                 a namespace of type Namespace holds its own value;
 *   "global-read-only-inside"  one value for all; root inside the namespaces of
 *                              ReadOnlyIn sees it but may not change it;
 *   "global-hidden-inside"     one value for all; absent inside HiddenIn;
 *   "global-visible"           one value for all, there (and writable for
 *                              root) in every kind of namespace;
 *   "write-only"               an action rather than a value (drop_caches):
 *                              never written by the probe, so not classified;
 *   "unreadable"               readable by mode, but reading fails (unset secrets);
 *   "one-way"                  a write the kernel cannot take back
 *                              (sysctl_key_one_way): never written, so not classified.
 * husk audit reports it; --sysctl accepts exactly the "isolated" keys of
 * namespaces a container owns. */
#ifndef HUSK_AUDIT_SYSCTL_CATALOG_H
#define HUSK_AUDIT_SYSCTL_CATALOG_H

#include <jansson.h>
#include <stdbool.h>

#include "../util/error.h"
#include "sysctl_probe.h"

/* Bumped when the experiment changes, so older caches are redone. */
#define SYSCTL_CATALOG_VERSION 2

/* The cached catalog of this kernel release under DIRECTORY, or a new one
 * (probed, then cached) when there is none or REFRESH is set:
 * {"Version", "Kernel", "ClassifiedAt", "Milliseconds", "Cached", "Keys": {KEY:
 * {"Class", "Namespace"?, "HiddenIn"?, "ReadOnlyIn"?, "HostWritable",
 * "HostChanged"?}}, "NotRestored": [KEY] (host values a probe changed that the
 * kernel would not take back), "Limitations": [text]}. */
int sysctl_catalog_load(const char *directory, bool refresh, json_t **catalog, husk_error_t *err);

/* A cache file's catalog as read back: made by this version of the
 * experiment on kernel RELEASE, every entry with a text Class. A damaged or
 * stale one is made again, never trusted (exposed for the fuzz target). */
bool sysctl_catalog_usable(json_t *catalog, const char *release);

/* One key's entry from what the probes saw of it. */
json_t *sysctl_classify(const struct probe_key *key,
                        const struct probe_observation observations[PROBE_TYPE_COUNT]);

/* KEY's entry, per-interface keys looked up through conf.default; NULL when
 * this kernel has no such key. */
json_t *sysctl_catalog_entry(json_t *catalog, const char *key);

#endif
