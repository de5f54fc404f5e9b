/* Allocation that does not fail. When the heap is exhausted husk prints one
 * line and aborts, as crun and bubblewrap do: no caller checks for NULL, so
 * no caller can forget to, and there is no half-built state to unwind on a
 * path no test ever takes. Each never returns NULL (a zero-sized request
 * gets a minimal block), except xstrdup(NULL), which is NULL. */
#ifndef HUSK_UTIL_XALLOC_H
#define HUSK_UTIL_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *pointer, size_t size);
/* xrealloc(POINTER, COUNT * SIZE), aborting also when the product overflows. */
void *xreallocarray(void *pointer, size_t count, size_t size);
char *xstrdup(const char *text);
char *xstrndup(const char *text, size_t length);
char *xasprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *format, va_list ap) __attribute__((format(printf, 1, 0)));
/* For the allocations these do not wrap (open_memstream, a vasprintf whose
 * length is needed): prints the message and aborts. */
_Noreturn void xalloc_die(void);

#endif
