#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *format_message(const char *fmt, va_list ap)
{
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        return NULL;
    return text;
}

static int error_setv(husk_error_t *err, int exit_status, int errno_value, const char *fmt,
                      va_list ap)
{
    if (err == NULL)
        return -1;
    husk_error_free(err);
    struct husk_error *e = calloc(1, sizeof(*e));
    if (e == NULL)
        abort();
    e->errno_value = errno_value;
    e->exit_status = exit_status;
    e->message = format_message(fmt, ap);
    *err = e;
    return -1;
}

int husk_error_set(husk_error_t *err, int errno_value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(err, HUSK_EXIT_ENGINE, errno_value, fmt, ap);
    va_end(ap);
    return -1;
}

int husk_error_set_status(husk_error_t *err, int exit_status, int errno_value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(err, exit_status, errno_value, fmt, ap);
    va_end(ap);
    return -1;
}

int husk_error_wrap(husk_error_t *err, const char *fmt, ...)
{
    if (err == NULL || *err == NULL)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    char *context = format_message(fmt, ap);
    va_end(ap);
    char *joined = NULL;
    if (context != NULL &&
        asprintf(&joined, "%s: %s", context, (*err)->message ? (*err)->message : "") >= 0) {
        free((*err)->message);
        (*err)->message = joined;
    }
    free(context);
    return -1;
}

void husk_error_free(husk_error_t *err)
{
    if (err == NULL || *err == NULL)
        return;
    free((*err)->message);
    free(*err);
    *err = NULL;
}

char *husk_error_text(const struct husk_error *err)
{
    char *text = NULL;
    const char *message = err->message ? err->message : "unknown error";
    int rc;
    if (err->errno_value != 0)
        rc = asprintf(&text, "%s: %s", message, strerror(err->errno_value));
    else
        rc = asprintf(&text, "%s", message);
    return rc < 0 ? NULL : text;
}
