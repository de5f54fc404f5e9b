/* Containers on disk: one directory per container under DATA/containers,
 * and names as symlinks DATA/names/NAME -> ID (symlink() is atomic, so two
 * runs racing for one name cannot both win). */
#ifndef HUSK_ENGINE_STORE_H
#define HUSK_ENGINE_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "../util/error.h"
#include "options.h"

char *store_container_directory(const struct engine_context *context, const char *id);
int store_container_create(const struct engine_context *context, const char *id, husk_error_t *err);
/* Where container DIRECTORY's "upper" or "work" (NAME) is: in its btrfs
 * subvolume when --storage-opt size= made one, else in DIRECTORY. */
char *store_container_layer_path(const char *directory, const char *name);
/* A container directory with no record whose lock is free: its creator
 * died before the first record (creation holds the lock from mkdir until
 * the record is written). Removes it and returns 1; 0 when it has a record
 * or (without WAIT) is being created; 1 when there is no directory. */
int store_container_abandoned(const struct engine_context *context, const char *id, bool wait,
                              husk_error_t *err);
int store_name_reserve(const struct engine_context *context, const char *name, const char *id,
                       husk_error_t *err);
void store_name_release(const struct engine_context *context, const char *name, const char *id);
/* NAME, if it names a container whose directory is gone (a husk killed
 * between removing the directory and the name). */
void store_name_release_stale(const struct engine_context *context, const char *name);
/* Every such name. */
void store_names_release_stale(const struct engine_context *context);
int store_record_save(const struct engine_context *context, const char *id, json_t *record,
                      husk_error_t *err);
/* The same with durability chosen by the caller: a launcher that makes the
 * record durable with store_record_sync once it has answered the user. */
int store_record_write(const struct engine_context *context, const char *id, json_t *record,
                       bool durable, husk_error_t *err);
void store_record_sync(const struct engine_context *context, const char *id);
/* Removes the container's directory and its name. */
int store_container_remove(const struct engine_context *context, const char *id, const char *name,
                           husk_error_t *err);
/* RFC 3339 with nanoseconds, UTC, as docker prints times. */
void store_timestamp_now(char *buffer, size_t size);

#endif
