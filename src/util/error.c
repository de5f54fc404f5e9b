#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int error_setv(husk_error_t *err, int exit_status, int errno_value, const char *fmt,
                      va_list ap)
{
    if (err == NULL)
        return -1;
    husk_error_free(err);
    struct husk_error *e = xcalloc(1, sizeof(*e));
    e->errno_value = errno_value;
    e->exit_status = exit_status;
    e->message = xvasprintf(fmt, ap);
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
    char *context = xvasprintf(fmt, ap);
    va_end(ap);
    char *joined = xasprintf("%s: %s", context, (*err)->message ? (*err)->message : "");
    free((*err)->message);
    (*err)->message = joined;
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

/* Messages quote what the user (or an image, or a container) gave: a
 * newline or an escape sequence in it must not become a second line or a
 * terminal command on the caller's screen. */
static char *escape_controls(const char *text)
{
    size_t length = strlen(text);
    char *escaped = xmalloc(4 * length + 1);
    char *out = escaped;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '\n')
            out = stpcpy(out, "\\n");
        else if (*c == '\t')
            out = stpcpy(out, "\\t");
        else if (*c < 0x20 || *c == 0x7f)
            out += sprintf(out, "\\x%02x", *c);
        else
            *out++ = (char)*c;
    }
    *out = '\0';
    return escaped;
}

char *husk_error_text(const struct husk_error *err)
{
    const char *message = err->message ? err->message : "unknown error";
    char *escaped = escape_controls(message);
    if (err->errno_value == 0)
        return escaped;
    char *text = xasprintf("%s: %s", escaped, strerror(err->errno_value));
    free(escaped);
    return text;
}
