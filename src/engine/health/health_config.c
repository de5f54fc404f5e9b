#include "health_config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"

/* The duration flags, docker's record keys and the names its checks use. */
struct duration_flag {
    const char *flag;
    const char *key;
    const char *field; /* docker's daemon names the field in its check */
};
static const struct duration_flag duration_flags[] = {
    {"--health-interval", "Interval", "Interval"},
    {"--health-timeout", "Timeout", "Timeout"},
    {"--health-start-period", "StartPeriod", "StartPeriod"},
    {"--health-start-interval", "StartInterval", "StartInterval"},
};

static const char *duration_value(const struct health_flags *f, size_t i)
{
    const char *values[] = {f->interval, f->timeout, f->start_period, f->start_interval};
    return values[i];
}

static int retries_parse(const char *text, long *retries)
{
    char *end;
    errno = 0;
    *retries = strtol(text, &end, 10);
    return end == text || *end != '\0' || errno != 0 || *retries > INT_MAX || *retries < INT_MIN
               ? -1
               : 0;
}

/* docker's haveHealthSettings: a command, or any non-zero value. */
static bool settings_given(const struct health_flags *f)
{
    long retries = 0;
    bool given = (f->cmd != NULL && f->cmd[0] != '\0') ||
                 (f->retries != NULL && retries_parse(f->retries, &retries) == 0 && retries != 0);
    for (size_t i = 0; i < sizeof(duration_flags) / sizeof(duration_flags[0]); i++) {
        int64_t ns = 0;
        const char *text = duration_value(f, i);
        given = given || (text != NULL && health_duration_parse(text, &ns) == 0 && ns != 0);
    }
    return given;
}

static int duration_check(const struct duration_flag *d, const char *text, husk_error_t *err)
{
    static const char *const reasons[] = {"invalid duration", "missing unit in duration",
                                          "unknown unit in duration"};
    int64_t ns;
    int rc = health_duration_parse(text, &ns);
    if (rc < 0)
        return husk_error_set(err, 0, "invalid argument \"%s\" for \"%s\" flag: time: %s \"%s\"",
                              text, d->flag, reasons[-rc - 1], text);
    if (ns < 0)
        return husk_error_set(err, 0, "%s cannot be negative", d->flag);
    /* docker's daemon: 0 is the default, anything else at least 1ms. */
    if (ns > 0 && ns < 1000000)
        return husk_error_set(err, 0, "%s in Healthcheck cannot be less than 1ms", d->field);
    return 0;
}

int health_flags_validate(const struct health_flags *f, husk_error_t *err)
{
    for (size_t i = 0; i < sizeof(duration_flags) / sizeof(duration_flags[0]); i++) {
        const char *text = duration_value(f, i);
        if (text != NULL && duration_check(&duration_flags[i], text, err) < 0)
            return -1;
    }
    long retries;
    if (f->retries != NULL && retries_parse(f->retries, &retries) < 0)
        return husk_error_set(err, 0,
                              "invalid argument \"%s\" for \"--health-retries\" flag: not an "
                              "integer",
                              f->retries);
    if (f->retries != NULL && retries < 0)
        return husk_error_set(err, 0, "--health-retries cannot be negative");
    if (f->none && settings_given(f))
        return husk_error_set(err, 0, "--no-healthcheck conflicts with --health-* options");
    return 0;
}

/* The flags' own Healthcheck, zero fields left out (docker's omitempty);
 * NULL when they set nothing (docker's CLI then sends none). */
static json_t *flags_healthcheck(const struct health_flags *f)
{
    json_t *check = json_object();
    if (f->none)
        json_object_set_new(check, "Test", json_pack("[s]", "NONE"));
    else if (f->cmd != NULL && f->cmd[0] != '\0')
        json_object_set_new(check, "Test", json_pack("[ss]", "CMD-SHELL", f->cmd));
    for (size_t i = 0; i < sizeof(duration_flags) / sizeof(duration_flags[0]); i++) {
        int64_t ns = 0;
        const char *text = duration_value(f, i);
        if (text != NULL && health_duration_parse(text, &ns) == 0 && ns > 0)
            json_object_set_new(check, duration_flags[i].key, json_integer(ns));
    }
    long retries = 0;
    if (f->retries != NULL && retries_parse(f->retries, &retries) == 0 && retries > 0)
        json_object_set_new(check, "Retries", json_integer(retries));
    if (!f->none && !settings_given(f)) {
        json_decref(check);
        return NULL;
    }
    return check;
}

static bool field_is_zero(json_t *value)
{
    return value == NULL || json_is_null(value) ||
           (json_is_integer(value) && json_integer_value(value) == 0) ||
           (json_is_array(value) && json_array_size(value) == 0);
}

void health_flags_apply(const struct health_flags *f, json_t *config)
{
    cleanup_json json_t *flags = flags_healthcheck(f);
    json_t *image = json_object_get(config, "Healthcheck");
    if (flags == NULL && !json_is_object(image))
        return;
    /* docker's order of the keys, whatever order the image's config has. */
    static const char *const keys[] = {"Test",        "Interval",      "Timeout",
                                       "StartPeriod", "StartInterval", "Retries"};
    json_t *check = json_object();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *ours = json_object_get(flags, keys[i]);
        json_t *theirs = json_object_get(image, keys[i]);
        if (!field_is_zero(ours))
            json_object_set(check, keys[i], ours);
        else if (!field_is_zero(theirs))
            json_object_set(check, keys[i], theirs);
    }
    json_object_set_new(config, "Healthcheck", check);
}

static int64_t duration_or(json_t *check, const char *key, int64_t fallback)
{
    json_int_t value = json_integer_value(json_object_get(check, key));
    return value > 0 ? (int64_t)value : fallback;
}

static json_t *probe_test(json_t *record)
{
    json_t *check = json_object_get(json_object_get(record, "Config"), "Healthcheck");
    json_t *test = json_object_get(check, "Test");
    const char *kind = json_string_value(json_array_get(test, 0));
    if (kind == NULL || json_array_size(test) < 2)
        return NULL;
    if (strcmp(kind, "CMD") == 0 || strcmp(kind, "CMD-SHELL") == 0)
        return test;
    return NULL; /* NONE, or a kind docker does not know either */
}

void health_timing_read(json_t *record, struct health_timing *t)
{
    json_t *check = json_object_get(json_object_get(record, "Config"), "Healthcheck");
    t->enabled = probe_test(record) != NULL;
    t->interval_ns = duration_or(check, "Interval", HEALTH_DEFAULT_INTERVAL_NS);
    t->timeout_ns = duration_or(check, "Timeout", HEALTH_DEFAULT_TIMEOUT_NS);
    t->start_period_ns = duration_or(check, "StartPeriod", 0);
    t->start_interval_ns = duration_or(check, "StartInterval", HEALTH_DEFAULT_START_INTERVAL_NS);
}

/* CMD-SHELL runs its string with the image's SHELL, else /bin/sh -c. */
static char **shell_command(json_t *record, const char *script)
{
    json_t *shell = json_object_get(json_object_get(record, "Config"), "Shell");
    size_t count = json_array_size(shell);
    char **argv = xcalloc((count > 0 ? count : 2) + 2, sizeof(char *));
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        argv[n++] = xstrdup(json_string_value(json_array_get(shell, i)) ?: "");
    if (count == 0) {
        argv[n++] = xstrdup("/bin/sh");
        argv[n++] = xstrdup("-c");
    }
    argv[n] = xstrdup(script);
    return argv;
}

int health_config_read(json_t *record, struct health_config *c)
{
    memset(c, 0, sizeof(*c));
    health_timing_read(record, &c->timing);
    json_t *test = probe_test(record);
    if (test == NULL)
        return 0;
    json_t *check = json_object_get(json_object_get(record, "Config"), "Healthcheck");
    json_int_t retries = json_integer_value(json_object_get(check, "Retries"));
    c->retries = retries > 0 && retries <= INT_MAX ? (int)retries : HEALTH_DEFAULT_RETRIES;
    if (strcmp(json_string_value(json_array_get(test, 0)), "CMD-SHELL") == 0) {
        c->command = shell_command(record, json_string_value(json_array_get(test, 1)) ?: "");
        return 1;
    }
    size_t count = json_array_size(test) - 1;
    c->command = xcalloc(count + 1, sizeof(char *));
    for (size_t i = 0; i < count; i++)
        c->command[i] = xstrdup(json_string_value(json_array_get(test, i + 1)) ?: "");
    return 1;
}

void health_config_free(struct health_config *c)
{
    cleanup_strvp(&c->command);
}
