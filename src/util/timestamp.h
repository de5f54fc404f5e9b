/* Times as docker and the runtime-spec write them. */
#ifndef HUSK_UTIL_TIMESTAMP_H
#define HUSK_UTIL_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/* Now, in RFC 3339 with nanoseconds, UTC: "2026-11-22T11:06:43.398527537Z". */
void timestamp_now(char *buffer, size_t size);
/* TO - FROM in nanoseconds, both RFC 3339 (a zone offset or Z); INT64_MIN
 * when either cannot be read. */
int64_t timestamp_between_ns(const char *from, const char *to);

#endif
