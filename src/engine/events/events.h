/* The events journal: what `husk events` reads. Without a daemon, every
 * husk command and monitor appends what it did itself (see journal.c for
 * why lines never tear and how the file rotates). */
#ifndef HUSK_ENGINE_EVENTS_EVENTS_H
#define HUSK_ENGINE_EVENTS_EVENTS_H

#include <jansson.h>
#include <stdbool.h>

#include "../options.h"

/* Best effort: an event that cannot be written is dropped silently (a
 * full disk must not fail a container's start). ATTRIBUTES may be NULL;
 * it is consumed (json_decref'd). TYPE is docker's: "container", "image",
 * "volume", "network"; ACTION its verb ("start", "die", and for health
 * checks "health_status: healthy"). */
void engine_event(const struct engine_context *context, const char *type, const char *action,
                  const char *actor_id, json_t *attributes);

/* A container's attributes as docker gives them: image (as the user named
 * it), name (without the "/") and its Config.Labels; a new object. */
json_t *engine_event_container_attributes(json_t *record);

/* A container event for RECORD: its attributes plus EXTRA's (NULL, or an
 * object of strings, consumed). */
void engine_event_container(const struct engine_context *context, const char *action,
                            json_t *record, json_t *extra);

/* The same for the container ID, whose record is read (without its lock:
 * for callers that do not hold it); nothing when it is gone. */
void engine_event_container_id(const struct engine_context *context, const char *action,
                               const char *id, json_t *extra);

/* PID 1's exit, once RECORD holds it (State.ExitCode, State.OOMKilled):
 * "oom" first when the kernel OOM-killed in its cgroup, then "die" with
 * exitCode and execDuration, as docker. */
void engine_event_container_exit(const struct engine_context *context, json_t *record);

/* docker's network and volume attributes: {"name", "type": "bridge"} with
 * the container's ID for connect and disconnect; {"driver": "local"}. */
void engine_event_network(const struct engine_context *context, const char *action, const char *id,
                          const char *name, const char *container_id);
void engine_event_volume(const struct engine_context *context, const char *action,
                         const char *name);
/* An image event: ACTOR is the image's ID (a reference for pull, as
 * docker), NAME the reference it concerns, or NULL. */
void engine_event_image(const struct engine_context *context, const char *action, const char *actor,
                        const char *name);

#endif
