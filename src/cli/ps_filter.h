/* `ps --filter KEY=VALUE`, docker's keys and rules, over inspect documents. */
#ifndef HUSK_CLI_PS_FILTER_H
#define HUSK_CLI_PS_FILTER_H

#include <jansson.h>
#include <stdbool.h>

#include "../util/error.h"

/* TEXTS ("status=exited", "label=a=b", ...) as {KEY: [VALUE...]}; an unknown
 * key or a bad value is an error naming it. */
int ps_filter_parse(const char **texts, size_t count, json_t **filters, husk_error_t *err);
/* Whether DOCUMENT passes: values of one key are alternatives (any may
 * match) but label= ones, which must all match; all keys must pass.
 * before= and since= name containers of ALL (the documents listed). */
bool ps_filter_match(json_t *filters, json_t *document, json_t *all);
/* Whether FILTERS asks for stopped containers too (status other than
 * running, exited=): docker lists those without -a then. */
bool ps_filter_wants_all(json_t *filters);

#endif
