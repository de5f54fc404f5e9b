/* One error type for all of husk: an errno, an exit status for the CLI and a
 * message chain built by each layer as the error travels upward. */
#ifndef HUSK_UTIL_ERROR_H
#define HUSK_UTIL_ERROR_H

#include <stdarg.h>

/* Exit statuses of `husk run`, as docker defines them. */
enum {
    HUSK_EXIT_ENGINE = 125, /* husk itself failed */
    HUSK_EXIT_NOT_EXECUTABLE = 126,
    HUSK_EXIT_NOT_FOUND = 127,
};

struct husk_error {
    int errno_value; /* 0 when the failure is not a system call's */
    int exit_status; /* what the CLI exits with */
    char *message;   /* outermost context first, "a: b: c" */
};
typedef struct husk_error *husk_error_t;

/* Each returns -1 so callers can write `return husk_error_set(...)`. */
int husk_error_set(husk_error_t *err, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int husk_error_set_status(husk_error_t *err, int exit_status, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prefixes context to an existing error: "context: previous message". */
int husk_error_wrap(husk_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void husk_error_free(husk_error_t *err);
/* "message: strerror(errno)" in a static-free, caller-owned string. */
char *husk_error_text(const struct husk_error *err);

#endif
