/* __attribute__((cleanup)) helpers, so every early return releases what it holds. */
#ifndef HUSK_UTIL_CLEANUP_H
#define HUSK_UTIL_CLEANUP_H

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
    void **pp = p;
    free(*pp);
}
static inline void cleanup_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}
static inline void cleanup_fclosep(FILE **f)
{
    if (*f != NULL)
        fclose(*f);
}
/* json_decref is NULL-safe: a value handed on with steal_pointer is skipped. */
static inline void cleanup_jsonp(json_t **value)
{
    json_decref(*value);
}
static inline void cleanup_strvp(char ***v)
{
    if (*v == NULL)
        return;
    for (char **s = *v; *s != NULL; s++)
        free(*s);
    free(*v);
}

#define cleanup_free   __attribute__((cleanup(cleanup_freep)))
#define cleanup_close  __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_strv   __attribute__((cleanup(cleanup_strvp)))
#define cleanup_json   __attribute__((cleanup(cleanup_jsonp)))

/* Hands ownership out of a cleanup variable. (One line each: clang-format
 * would spread the statement expressions over five.) */
/* clang-format off */
#define steal_pointer(pp) ({ __typeof__(*(pp)) stolen_ = *(pp); *(pp) = NULL; stolen_; })
#define steal_fd(fdp) ({ int stolen_ = *(fdp); *(fdp) = -1; stolen_; })
/* clang-format on */

#endif
