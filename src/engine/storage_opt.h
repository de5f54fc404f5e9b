/* --storage-opt KEY=VALUE (docker's run/create flag): options for the
 * container's writable layer. husk knows one, size=, docker's overlay2
 * limit: the upper directory (and overlay's work directory) may hold at
 * most that many bytes, enforced by a project quota of the file system
 * under HUSK_ROOT/containers (storage_quota.h). */
#ifndef HUSK_ENGINE_STORAGE_OPT_H
#define HUSK_ENGINE_STORAGE_OPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"

struct storage_opt {
    /* size= was given, even as 0: as docker, the file system must then
     * support quotas, also where 0 asks for no limit. */
    bool size_given;
    uint64_t size; /* bytes; 0: no limit */
};

/* Checks COUNT raw values (docker's syntax: KEY=VALUE, keys in any case,
 * the last of a key wins; sizes as --memory's, powers of 1024). *RECORD
 * (may be NULL) gets docker's HostConfig.StorageOpt, {KEY: VALUE} as
 * typed, or NULL when no option was given. */
int storage_opt_parse(const char *const *values, size_t count, struct storage_opt *out,
                      json_t **record, husk_error_t *err);

#endif
