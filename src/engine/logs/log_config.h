/* A container's log driver and its options, with docker's names and
 * checks: --log-driver/--log-opt are recorded as HostConfig.LogConfig
 * {"Type", "Config"} and the file's path as LogPath; the writers (the
 * monitor, the foreground `run`) and `husk logs` read them back as a
 * struct log_settings.
 *
 *   local     husk's framed format (log.h), keeps any bytes exactly; by
 *             default at most 5 files of 20 MiB, rotated ones gzipped
 *             (docker's local driver's defaults). The default driver.
 *   json-file docker's format, one JSON object a line in ID-json.log; no
 *             limit unless max-size is given (docker's defaults).
 *   none      nothing kept; `logs` refuses.
 *
 * A record without LogConfig (made before log drivers) is local with no
 * limit, as such containers always were. */
#ifndef HUSK_ENGINE_LOG_CONFIG_H
#define HUSK_ENGINE_LOG_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../util/error.h"
#include "log_flags.h"

enum log_driver { LOG_DRIVER_LOCAL, LOG_DRIVER_JSON_FILE, LOG_DRIVER_NONE };

#define LOG_DRIVER_DEFAULT "local"
#define LOG_LOCAL_MAX_SIZE (20 * 1024 * 1024)
#define LOG_LOCAL_MAX_FILE 5

/* What a writer needs: flat, so the launcher hands it to the monitor by value. */
struct log_settings {
    enum log_driver driver;
    int64_t max_size; /* bytes a file holds before it rotates; 0: no limit */
    int max_file;     /* files kept, the current one included */
    bool compress;    /* gzip the rotated files */
    char file[80];    /* the current file's name in the container's directory */
};

/* docker's sizes (go-units FromHumanSize): a decimal number and an optional
 * k, m, g, t or p (powers of 1000), "i" and "b" allowed after it. */
bool log_size_parse(const char *text, int64_t *bytes);

/* --log-driver and --log-opt into HostConfig.LogConfig (a new reference);
 * the error is one line naming the driver or the option. */
int log_flags_config(const struct log_flags *flags, json_t **log_config, husk_error_t *err);
/* HostConfig.LogConfig (NULL: a record older than log drivers) of container
 * ID into the writer's settings. */
int log_settings_from_config(const json_t *log_config, const char *id,
                             struct log_settings *settings, husk_error_t *err);
/* The same from a whole record. */
int log_settings_from_record(const json_t *record, struct log_settings *settings,
                             husk_error_t *err);

struct run_options;
struct prepared_container;
int log_options_validate(const struct run_options *o, husk_error_t *err);
/* Records HostConfig.LogConfig and LogPath (validated before). */
void log_options_apply(const struct run_options *o, struct prepared_container *c);

#endif
