/* Times for `logs --since/--until` and in log entries, as docker reads
 * them: a Go duration before now (10m, 1h30m, 1.5s), an RFC 3339 date or
 * time (2006-01-02, 2006-01-02T15:04, ...T15:04:05.999999999Z07:00; the
 * local zone when none is given), or a Unix time SECONDS[.NANOSECONDS]. */
#ifndef HUSK_ENGINE_LOG_TIME_H
#define HUSK_ENGINE_LOG_TIME_H

#include <stdbool.h>
#include <time.h>

#include "../../util/error.h"

/* A Go duration ("300ms", "-1.5h", "2h45m"; "0") in nanoseconds. */
bool log_duration_parse(const char *text, long long *nanoseconds);
/* An RFC 3339-like date or time (see above) into *TIME. */
bool log_date_parse(const char *text, struct timespec *time);
/* --since/--until's VALUE, durations counted back from NOW; the error
 * names FLAG. */
int log_time_option(const char *flag, const char *value, const struct timespec *now,
                    struct timespec *time, husk_error_t *err);
/* -1, 0 or 1 as A is before, at or after B. */
int log_time_compare(const struct timespec *a, const struct timespec *b);

#endif
