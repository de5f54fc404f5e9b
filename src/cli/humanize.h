/* Times and statuses the way docker prints them. */
#ifndef HUSK_CLI_HUMANIZE_H
#define HUSK_CLI_HUMANIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* docker's units.HumanDuration: "Less than a second", "1 second", "3 seconds",
 * "About a minute", "5 minutes", "About an hour", "3 hours", "2 days",
 * "3 weeks", "4 months", "2 years". */
void humanize_duration(double seconds, char *buffer, size_t size);
/* docker's units.HumanSize: decimal units, three significant digits ("1.5MB"). */
void humanize_size(double bytes, char *buffer, size_t size);
/* RFC 3339 ("2026-11-22T11:06:43.398527537Z") to seconds since the epoch
 * (fractional); returns -1 on a malformed or zero ("0001-01-01...") time. */
double humanize_parse_timestamp(const char *text);
/* The STATUS column of `ps`: "Created", "Up 3 seconds", "Up 3 seconds (Paused)",
 * "Exited (7) 2 minutes ago". NOW and the timestamps are seconds since the epoch. */
void humanize_status(const char *status, int exit_code, double started_at, double finished_at,
                     double now, char *buffer, size_t size);
/* The CREATED column: "3 seconds ago". */
void humanize_ago(double then, double now, char *buffer, size_t size);

/* A table printed like Go's tabwriter with docker's settings: every column
 * but the last padded to its widest cell plus 3 spaces. */
struct table;
struct table *table_new(size_t columns);
/* Copies the cells. */
void table_add_row(struct table *table, const char *const *cells);
void table_print(const struct table *table, FILE *out);
void table_free(struct table *table);

#endif
