#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Noreturn void xalloc_die(void)
{
    /* write(2), not stdio: printing must not need the memory that ran out. */
    static const char message[] = "husk: out of memory\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof(message) - 1);
    (void)ignored;
    abort();
}

void *xmalloc(size_t size)
{
    void *pointer = malloc(size ? size : 1);
    if (pointer == NULL)
        xalloc_die();
    return pointer;
}

void *xcalloc(size_t count, size_t size)
{
    void *pointer = calloc(count ? count : 1, size ? size : 1);
    if (pointer == NULL)
        xalloc_die();
    return pointer;
}

void *xrealloc(void *pointer, size_t size)
{
    /* realloc(p, 0) frees P and returns NULL: never ask for 0. */
    void *grown = realloc(pointer, size ? size : 1);
    if (grown == NULL)
        xalloc_die();
    return grown;
}

void *xreallocarray(void *pointer, size_t count, size_t size)
{
    void *grown = reallocarray(pointer, count ? count : 1, size ? size : 1);
    if (grown == NULL)
        xalloc_die();
    return grown;
}

char *xstrdup(const char *text)
{
    if (text == NULL)
        return NULL;
    char *copy = strdup(text);
    if (copy == NULL)
        xalloc_die();
    return copy;
}

char *xstrndup(const char *text, size_t length)
{
    char *copy = strndup(text, length);
    if (copy == NULL)
        xalloc_die();
    return copy;
}

char *xvasprintf(const char *format, va_list ap)
{
    char *text = NULL;
    /* vasprintf fails only without memory: husk formats no wide strings. */
    if (vasprintf(&text, format, ap) < 0)
        xalloc_die();
    return text;
}

char *xasprintf(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char *text = xvasprintf(format, ap);
    va_end(ap);
    return text;
}
