#include "log_config.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "../identity_parse.h"
#include "log_details.h"
#include "../options.h"
#include "../prepare.h"

bool log_size_parse(const char *text, int64_t *bytes)
{
    static const char units[] = "kmgtp";
    const char *p = text;
    while ((*p >= '0' && *p <= '9') || (*p == '.' && p > text && p[-1] != '.'))
        p++;
    if (p == text || p[-1] == '.')
        return false;
    cleanup_free char *number = xstrndup(text, (size_t)(p - text));
    double value = strtod(number, NULL);
    if (*p == ' ')
        p++;
    const char *unit = *p != '\0' ? strchr(units, *p | 0x20) : NULL;
    if (unit != NULL) {
        for (const char *step = units; step <= unit; step++)
            value *= 1000;
        p++;
    }
    if (*p == 'i' || *p == 'I')
        p++;
    if (*p == 'b' || *p == 'B')
        p++;
    if (*p != '\0' || value >= 9.2e18)
        return false;
    *bytes = (int64_t)value;
    return true;
}

static const char *const local_keys[] = {"max-size", "max-file", "compress", NULL};
static const char *const json_keys[] = {
    "max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag", NULL};
static const char *const no_keys[] = {NULL};

static const char *const *driver_keys(const char *driver, enum log_driver *kind)
{
    if (strcmp(driver, "local") == 0)
        return *kind = LOG_DRIVER_LOCAL, local_keys;
    if (strcmp(driver, "json-file") == 0)
        return *kind = LOG_DRIVER_JSON_FILE, json_keys;
    if (strcmp(driver, "none") == 0)
        return *kind = LOG_DRIVER_NONE, no_keys;
    return NULL;
}

static bool key_known(const char *const *keys, const char *key)
{
    for (; *keys != NULL; keys++)
        if (strcmp(*keys, key) == 0)
            return true;
    return false;
}

static int check_regex(const char *key, const char *value, husk_error_t *err)
{
    regex_t regex;
    if (regcomp(&regex, value, REG_EXTENDED | REG_NOSUB) != 0)
        return husk_error_set(err, 0, "invalid --log-opt %s=\"%s\": not a regular expression", key,
                              value);
    regfree(&regex);
    return 0;
}

/* One option, already known to the driver, into SETTINGS. */
static int apply_option(const char *key, const char *value, struct log_settings *s,
                        husk_error_t *err)
{
    if (strcmp(key, "max-size") == 0) {
        if (!log_size_parse(value, &s->max_size))
            return husk_error_set(err, 0,
                                  "invalid --log-opt max-size=\"%s\": a size such as 10m (k, m, "
                                  "g: powers of 1000)",
                                  value);
        if (s->max_size <= 0)
            return husk_error_set(err, 0, "max-size must be a positive number");
    } else if (strcmp(key, "max-file") == 0) {
        char *end = NULL;
        errno = 0;
        long files = strtol(value, &end, 10);
        if (value[0] == '\0' || *end != '\0' || errno != 0 || files > 1000000)
            return husk_error_set(err, 0, "invalid --log-opt max-file=\"%s\": not a number", value);
        if (files < 1)
            return husk_error_set(err, 0, "max-file cannot be less than 1");
        s->max_file = (int)files;
    } else if (strcmp(key, "compress") == 0) {
        if (bool_flag_parse("--log-opt compress", value, &s->compress, NULL) < 0)
            return husk_error_set(err, 0, "invalid --log-opt compress=\"%s\": true or false",
                                  value);
    } else if (strcmp(key, "labels-regex") == 0 || strcmp(key, "env-regex") == 0) {
        return check_regex(key, value, err);
    } else if (strcmp(key, "tag") == 0) {
        return log_tag_check(value, err);
    }
    return 0;
}

static void settings_defaults(enum log_driver driver, const char *id, struct log_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->driver = driver;
    s->max_file = 1;
    if (driver == LOG_DRIVER_LOCAL) {
        s->max_size = LOG_LOCAL_MAX_SIZE;
        s->max_file = LOG_LOCAL_MAX_FILE;
        s->compress = true;
        snprintf(s->file, sizeof(s->file), "container.log");
    } else if (driver == LOG_DRIVER_JSON_FILE) {
        snprintf(s->file, sizeof(s->file), "%s-json.log", id);
    }
}

static int check_limits(const struct log_settings *s, husk_error_t *err)
{
    if (s->driver != LOG_DRIVER_JSON_FILE)
        return 0;
    /* docker would keep one unbounded file: say so rather than ignore max-file. */
    if (s->max_file > 1 && s->max_size == 0)
        return husk_error_set(err, 0, "max-file cannot be greater than 1 when max-size is not set");
    if (s->compress && (s->max_file == 1 || s->max_size == 0))
        return husk_error_set(
            err, 0, "compress cannot be true when max-file is less than 2 or max-size is not set");
    return 0;
}

int log_settings_from_config(const json_t *log_config, const char *id, struct log_settings *s,
                             husk_error_t *err)
{
    if (log_config == NULL) {
        settings_defaults(LOG_DRIVER_LOCAL, id, s);
        s->max_size = 0;
        s->max_file = 1;
        s->compress = false;
        return 0;
    }
    const char *type = json_string_value(json_object_get(log_config, "Type"));
    enum log_driver driver = LOG_DRIVER_LOCAL;
    const char *const *keys = driver_keys(type ? type : "", &driver);
    if (keys == NULL)
        return husk_error_set(err, 0, "logger: no log driver named '%s' is registered",
                              type ? type : "");
    settings_defaults(driver, id, s);
    const char *key;
    json_t *value;
    json_t *config = json_object_get(log_config, "Config");
    json_object_foreach(config, key, value)
    {
        if (!key_known(keys, key))
            return husk_error_set(err, 0, "unknown log opt '%s' for %s log driver", key, type);
        if (apply_option(key, json_string_value(value) ?: "", s, err) < 0)
            return -1;
    }
    /* local's compress=true is a default, not a wish: nothing to compress. */
    if (driver == LOG_DRIVER_LOCAL && (s->max_size == 0 || s->max_file == 1))
        s->compress = false;
    return check_limits(s, err);
}

int log_settings_from_record(const json_t *record, struct log_settings *s, husk_error_t *err)
{
    const json_t *host_config = json_object_get(record, "HostConfig");
    const char *id = json_string_value(json_object_get(record, "Id"));
    return log_settings_from_config(json_object_get(host_config, "LogConfig"), id ? id : "", s,
                                    err);
}

int log_flags_config(const struct log_flags *f, json_t **log_config, husk_error_t *err)
{
    const char *driver = f->driver ? f->driver : LOG_DRIVER_DEFAULT;
    json_t *config = json_object();
    for (size_t i = 0; i < f->opts.count; i++) {
        const char *opt = f->opts.values[i];
        const char *equals = strchr(opt, '=');
        if (equals == NULL || equals == opt) {
            json_decref(config);
            return husk_error_set(err, 0, "invalid --log-opt \"%s\": use KEY=VALUE", opt);
        }
        cleanup_free char *key = xstrndup(opt, (size_t)(equals - opt));
        json_object_set_new(config, key, json_string(equals + 1));
    }
    *log_config = json_pack("{s:s, s:o}", "Type", driver, "Config", config);
    struct log_settings settings;
    if (log_settings_from_config(*log_config, "0", &settings, err) < 0) {
        json_decref(*log_config);
        *log_config = NULL;
        return -1;
    }
    return 0;
}

int log_options_validate(const struct run_options *o, husk_error_t *err)
{
    json_t *config = NULL;
    if (log_flags_config(&o->log, &config, err) < 0)
        return -1;
    json_decref(config);
    return 0;
}

void log_options_apply(const struct run_options *o, struct prepared_container *c)
{
    json_t *config = NULL;
    struct log_settings settings;
    if (log_flags_config(&o->log, &config, NULL) < 0 ||
        log_settings_from_config(config, c->id, &settings, NULL) < 0) {
        json_decref(config);
        return;
    }
    json_object_set_new(json_object_get(c->record, "HostConfig"), "LogConfig", config);
    cleanup_free char *path =
        settings.file[0] ? xasprintf("%s/%s", c->directory, settings.file) : xstrdup("");
    json_object_set_new(c->record, "LogPath", json_string(path));
}
