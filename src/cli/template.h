/* The subset of Go's text/template that docker's --format and -f use,
 * evaluated over JSON data (a container's inspect document, a ps row). */
#ifndef HUSK_CLI_TEMPLATE_H
#define HUSK_CLI_TEMPLATE_H

#include <jansson.h>

#include "../util/error.h"

struct template;

/* Parse errors name the problem and position: "template: 1:9: unclosed action". */
int template_parse(const char *text, struct template **out, husk_error_t *err);
/* Runs the template over DATA; *OUTPUT is a malloc'd string. */
int template_execute(const struct template *template, json_t *data, char **output,
                     husk_error_t *err);
void template_free(struct template *template);

#endif
