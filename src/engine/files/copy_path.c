#include "copy_path.h"

#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"

void copy_argument_split(const char *argument, char **container, char **path)
{
    const char *colon = strchr(argument, ':');
    /* docker's rule: an absolute path or one starting with "." is local
     * even with a ':' in it (a container name never starts with either). */
    if (argument[0] == '/' || argument[0] == '.' || colon == NULL) {
        *container = NULL;
        *path = xstrdup(argument);
        return;
    }
    /* ":PATH" names no container: docker takes it as the local PATH. */
    *container = colon == argument ? NULL : xstrndup(argument, (size_t)(colon - argument));
    *path = xstrdup(colon + 1);
}

/* Whether the name starting at P (up to '/' or the end) is exactly WORD. */
static bool name_is(const char *p, const char *word)
{
    size_t length = strlen(word);
    return strncmp(p, word, length) == 0 && (p[length] == '/' || p[length] == '\0');
}

char *copy_path_clean(const char *path)
{
    size_t n = strlen(path);
    if (n == 0)
        return xstrdup(".");
    bool rooted = path[0] == '/';
    char *out = xmalloc(2 * n + 2);
    size_t w = 0, r = 0, floor = 0; /* ".." never removes what is below FLOOR */
    if (rooted) {
        out[w++] = '/';
        r = floor = 1;
    }
    while (r < n) {
        if (path[r] == '/') {
            r++;
        } else if (name_is(path + r, ".")) {
            r++;
        } else if (name_is(path + r, "..")) {
            r += 2;
            if (w > floor) {
                for (w--; w > floor && out[w] != '/'; w--)
                    ;
            } else if (!rooted) {
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                floor = w;
            }
        } else {
            if (w != (rooted ? 1u : 0u))
                out[w++] = '/';
            while (r < n && path[r] != '/')
                out[w++] = path[r++];
        }
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = '\0';
    return out;
}

char *copy_path_base(const char *path)
{
    size_t n = strlen(path);
    if (n == 0)
        return xstrdup(".");
    while (n > 0 && path[n - 1] == '/')
        n--;
    if (n == 0)
        return xstrdup("/");
    size_t start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    return xstrndup(path + start, n - start);
}

static bool names_current_directory(const char *path)
{
    cleanup_free char *base = copy_path_base(path);
    return strcmp(base, ".") == 0;
}

static bool has_trailing_slash(const char *path)
{
    size_t n = strlen(path);
    return n > 0 && path[n - 1] == '/';
}

bool copy_path_asserts_directory(const char *path)
{
    return has_trailing_slash(path) || names_current_directory(path);
}

char *copy_path_preserve_trailing(const char *cleaned, const char *original)
{
    char *out = xmalloc(strlen(cleaned) + 4); /* "/./" and the NUL at most */
    strcpy(out, cleaned);
    if (!names_current_directory(out) && names_current_directory(original)) {
        if (!has_trailing_slash(out))
            strcat(out, "/");
        strcat(out, ".");
    }
    if (!has_trailing_slash(out) && has_trailing_slash(original))
        strcat(out, "/");
    return out;
}

/* Go's filepath.Dir: everything before the last name, cleaned. */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return xstrdup(".");
    cleanup_free char *head = xstrndup(path, (size_t)(slash - path) + 1);
    return copy_path_clean(head);
}

void copy_path_split(const char *path, char **directory, char **base)
{
    cleanup_free char *cleaned = copy_path_clean(path);
    if (names_current_directory(path)) {
        char *with_dot = xasprintf("%s/.", cleaned);
        free(cleaned);
        cleaned = with_dot;
    }
    *directory = directory_of(cleaned);
    *base = copy_path_base(cleaned);
}

char *copy_path_in_container(const char *path)
{
    cleanup_free char *joined = xasprintf("/%s", path);
    cleanup_free char *cleaned = copy_path_clean(joined);
    return copy_path_preserve_trailing(cleaned, path);
}

char *copy_path_top_name(const char *path)
{
    char *base = copy_path_base(path);
    if (strcmp(base, "/") == 0) {
        free(base);
        return xstrdup(".");
    }
    return base;
}

int copy_plan(bool source_is_directory, const char *source_name,
              const struct copy_destination *destination, char **directory, char **rename,
              const char **problem)
{
    *directory = *rename = NULL;
    if (destination->exists && destination->is_directory) {
        /* Into it, names as they are: DIR arrives as DEST/DIR, "DIR/." as
         * DIR's contents. */
        *directory = xstrdup(destination->path);
        return 0;
    }
    if (destination->exists && source_is_directory) {
        *problem = "cannot copy directory";
        return -1;
    }
    if (!destination->exists && !source_is_directory &&
        copy_path_asserts_directory(destination->path)) {
        *problem = "no such directory";
        return -1;
    }
    /* A file over a file, a new file, or a new directory: into the
     * destination's parent, under the destination's name. */
    cleanup_free char *base = NULL;
    copy_path_split(destination->path, directory, &base);
    *rename = strcmp(base, source_name) == 0 ? NULL : steal_pointer(&base);
    return 0;
}
