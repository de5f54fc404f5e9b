/* __attribute__((cleanup)) helpers, so every early return releases what it holds. */
#ifndef HUSK_UTIL_CLEANUP_H
#define HUSK_UTIL_CLEANUP_H

#include <errno.h>
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
static inline void cleanup_strvp(char ***v)
{
    if (*v == NULL)
        return;
    for (char **s = *v; *s != NULL; s++)
        free(*s);
    free(*v);
}

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_strv __attribute__((cleanup(cleanup_strvp)))

/* Hands ownership out of a cleanup variable. */
#define steal_pointer(pp) ({ __typeof__(*(pp)) stolen_ = *(pp); *(pp) = NULL; stolen_; })
#define steal_fd(fdp) ({ int stolen_ = *(fdp); *(fdp) = -1; stolen_; })

#endif
