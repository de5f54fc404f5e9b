/* `husk events --filter KEY=VALUE`: docker's keys and matching rules. */
#ifndef HUSK_ENGINE_EVENTS_EVENT_FILTER_H
#define HUSK_ENGINE_EVENTS_EVENT_FILTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../../util/error.h"

/* TEXTS ("type=container", "label=a=b", ...) as {KEY: [VALUE...]}; an
 * unknown key, a missing '=' or an unknown type is an error naming it. */
int event_filter_parse(const char *const *texts, size_t count, json_t **filters, husk_error_t *err);
/* Whether EVENT (a journal line's object) passes, as docker decides: the
 * values of one key are alternatives, label= ones must all match, and
 * every key must pass. container=, volume=, network= match the actor's ID
 * or name by prefix; image= an image's ID or name, or a container's image,
 * with or without its tag. */
bool event_filter_match(json_t *filters, json_t *event);

#endif
