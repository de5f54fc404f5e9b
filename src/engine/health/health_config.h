/* docker's Config.Healthcheck: {Test, Interval, Timeout, StartPeriod,
 * StartInterval, Retries}, durations in nanoseconds, 0 meaning docker's
 * default. The flags are checked here and merged over the image's field by
 * field, as docker's daemon merges them; the prober and the monitor's
 * launcher read the result back from the record. */
#ifndef HUSK_ENGINE_HEALTH_CONFIG_H
#define HUSK_ENGINE_HEALTH_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../util/error.h"
#include "health_flags.h"
#include "health_timing.h"

/* docker's defaults (moby daemon/health.go). */
#define HEALTH_DEFAULT_INTERVAL_NS       (INT64_C(30) * 1000000000)
#define HEALTH_DEFAULT_TIMEOUT_NS        (INT64_C(30) * 1000000000)
#define HEALTH_DEFAULT_START_INTERVAL_NS (INT64_C(5) * 1000000000)
#define HEALTH_DEFAULT_RETRIES           3
#define HEALTH_OUTPUT_MAX                4096
#define HEALTH_LOG_ENTRIES               5

/* Go's time.ParseDuration: "1.5h", "2m30s", "300ms", "-1s", "0". */
int health_duration_parse(const char *text, int64_t *nanoseconds);
/* Go's time.Duration.String: "1m30s", "1.5s", "500ms", "0s". */
void health_duration_format(int64_t nanoseconds, char *buffer, size_t size);

/* Each flag's syntax, the signs docker refuses and --no-healthcheck with
 * --health-*; nothing is looked at but the flags. */
int health_flags_validate(const struct health_flags *flags, husk_error_t *err);
/* Config.Healthcheck of CONFIG (a record's Config holding the image's, if
 * any) with the flags over it, as docker: a field the flags leave at zero
 * is the image's. The flags were validated. */
void health_flags_apply(const struct health_flags *flags, json_t *config);

/* What a probe runs and when, with docker's defaults in place. */
struct health_config {
    struct health_timing timing;
    int retries;
    char **command; /* argv of the probe (CMD-SHELL: the shell's) */
};
/* The record's Config.Healthcheck: 1 when a probe is configured (CMD or
 * CMD-SHELL with a command), 0 when none is (absent, NONE, empty). */
int health_config_read(json_t *record, struct health_config *config);
void health_config_free(struct health_config *config);
/* Only the timing (the monitor's launcher hands it over). */
void health_timing_read(json_t *record, struct health_timing *timing);

#endif
