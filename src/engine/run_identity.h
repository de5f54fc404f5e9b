/* The identity flags of `run`/`create` (identity_flags.h) through the
 * stages of a creation: loaded (files read) in the husk command, checked
 * with the other flags, resolved against the store (networks, the image's
 * /etc/group), then applied to the record and the spec. docker's names and
 * places: Config.Labels, Config.Domainname, Config.StopTimeout,
 * HostConfig.ExtraHosts, Dns, DnsSearch, DnsOptions, GroupAdd, ShmSize,
 * ContainerIDFile, NetworkSettings.Networks.NAME.IPAMConfig, Aliases and
 * MacAddress. */
#ifndef HUSK_ENGINE_RUN_IDENTITY_H
#define HUSK_ENGINE_RUN_IDENTITY_H

#include <stdbool.h>

#include "../util/error.h"
#include "identity_flags.h"
#include "options.h"
#include "prepare.h"

/* In the husk command right after parsing, before anything forks: reads
 * the --env-file and --label-file files and makes --cidfile's file, empty
 * (one that exists is refused, as docker refuses it). */
int run_identity_load(struct identity_flags *flags, husk_error_t *err);
/* Frees what run_identity_load made; --cidfile's file goes unless a
 * container's ID was written to it (docker's rule: no container, no file). */
void run_identity_free(struct identity_flags *flags);
/* --cidfile: the container O exists (ID), or was removed again. */
void run_identity_created(const struct run_options *o, const char *id);
void run_identity_discarded(const struct run_options *o);

/* Each value's syntax and how the flags go with the others; nothing on
 * disk is looked at. */
int run_identity_validate(const struct run_options *o, husk_error_t *err);
/* What the store says: --ip inside its network and not taken, --group-add
 * names in the image's /etc/group (added to C's user). */
int run_identity_resolve(const struct engine_context *context, const struct run_options *o,
                         struct prepared_container *c, husk_error_t *err);
/* Into C's record and spec (its domain name, the size of /dev/shm). */
void run_identity_apply(const struct run_options *o, struct prepared_container *c);

/* -a (which streams run shows, ATTACH_ bits; 0 when not given) and
 * --sig-proxy: a foreground run with either is attached to a monitor. */
int run_identity_attached_streams(const struct run_options *o);
bool run_identity_sig_proxy(const struct run_options *o);

#endif
