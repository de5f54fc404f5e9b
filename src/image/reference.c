#include "reference.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

/* distribution/reference's limit on the whole name (domain and path). */
#define NAME_MAX_LENGTH 255
#define TAG_MAX_LENGTH  128

static bool lower_alnum(char c)
{
    return islower((unsigned char)c) || isdigit((unsigned char)c);
}

/* A path component: lower-case alphanumerics joined by ".", "_", "__" or
 * any number of "-". So none is empty, ".", ".." or starts with a separator. */
static bool path_component_valid(const char *component, size_t length)
{
    if (length == 0 || !lower_alnum(component[0]) || !lower_alnum(component[length - 1]))
        return false;
    for (size_t i = 1; i < length; i++) {
        char c = component[i], previous = component[i - 1];
        if (lower_alnum(c))
            continue;
        if (c == '-' && (lower_alnum(previous) || previous == '-'))
            continue;
        if ((c == '.' || c == '_') && lower_alnum(previous))
            continue;
        if (c == '_' && previous == '_' && i >= 2 && lower_alnum(component[i - 2]))
            continue;
        return false;
    }
    return true;
}

static bool path_valid(const char *path, size_t length)
{
    size_t start = 0;
    for (;;) {
        const char *slash = memchr(path + start, '/', length - start);
        size_t end = slash ? (size_t)(slash - path) : length;
        if (!path_component_valid(path + start, end - start))
            return false;
        if (slash == NULL)
            return true;
        start = end + 1;
    }
}

/* host[:port]: DNS labels of alphanumerics and inner "-" joined by ".",
 * or a bracketed IPv6 address; a port of digits. */
static bool domain_valid(const char *domain, size_t length)
{
    const char *colon = NULL;
    size_t host_length = length;
    if (length > 0 && domain[0] == '[') {
        const char *close = memchr(domain, ']', length);
        if (close == NULL || close == domain + 1)
            return false;
        for (const char *p = domain + 1; p < close; p++)
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                return false;
        host_length = (size_t)(close - domain) + 1;
        if (host_length < length && domain[host_length] != ':')
            return false;
        colon = host_length < length ? domain + host_length : NULL;
    } else {
        colon = memchr(domain, ':', length);
        host_length = colon ? (size_t)(colon - domain) : length;
        size_t label = 0;
        for (size_t i = 0; i <= host_length; i++) {
            char c = i < host_length ? domain[i] : '.';
            if (c == '.') {
                if (label == 0 || domain[i - 1] == '-')
                    return false;
                label = 0;
            } else if (isalnum((unsigned char)c) || (c == '-' && label > 0)) {
                label++;
            } else {
                return false;
            }
        }
    }
    if (colon != NULL) {
        size_t digits = length - (size_t)(colon - domain) - 1;
        if (digits == 0 || digits > 5)
            return false;
        for (size_t i = 1; i <= digits; i++)
            if (!isdigit((unsigned char)colon[i]))
                return false;
    }
    return host_length > 0;
}

static bool tag_valid(const char *tag)
{
    size_t length = strlen(tag);
    if (length == 0 || length > TAG_MAX_LENGTH)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = tag[i];
        bool word = isalnum((unsigned char)c) || c == '_';
        if (!word && (i == 0 || (c != '.' && c != '-')))
            return false;
    }
    return true;
}

bool image_digest_valid(const char *digest)
{
    if (digest == NULL || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 7 + 64)
        return false;
    for (const char *p = digest + 7; *p; p++)
        if (!isdigit((unsigned char)*p) && (*p < 'a' || *p > 'f'))
            return false;
    return true;
}

/* Docker's rule: the first component names a domain only if it has a "."
 * or a ":" or is "localhost" (and, as docker, has no upper case). */
static size_t domain_length(const char *name)
{
    const char *slash = strchr(name, '/');
    if (slash == NULL)
        return 0;
    size_t length = (size_t)(slash - name);
    bool has_upper = false;
    for (size_t i = 0; i < length; i++)
        has_upper |= isupper((unsigned char)name[i]) != 0;
    bool marked = memchr(name, '.', length) || memchr(name, ':', length) ||
                  (length == 9 && strncmp(name, "localhost", 9) == 0);
    return marked || has_upper ? length : 0;
}

static int invalid(husk_error_t *err, const char *text, const char *why)
{
    return husk_error_set(err, 0, "invalid reference format \"%s\": %s", text, why);
}

int image_reference_parse(const char *text, struct image_reference *reference, husk_error_t *err)
{
    memset(reference, 0, sizeof(*reference));
    if (text == NULL || text[0] == '\0')
        return invalid(err, "", "it is empty");
    char *copy = xstrdup(text);
    char *at = strchr(copy, '@');
    if (at != NULL) {
        *at = '\0';
        if (!image_digest_valid(at + 1)) {
            free(copy);
            return invalid(err, text, "the digest must be sha256: and 64 lower-case hex digits");
        }
        reference->digest = xstrdup(at + 1);
    }
    /* A tag's colon comes after the last slash; a port's before it. */
    char *last_slash = strrchr(copy, '/');
    char *colon = strrchr(last_slash ? last_slash : copy, ':');
    if (colon != NULL) {
        *colon = '\0';
        if (!tag_valid(colon + 1)) {
            free(copy);
            image_reference_free(reference);
            return invalid(err, text, "a tag is up to 128 letters, digits, '_', '.' or '-'");
        }
        reference->tag = xstrdup(colon + 1);
    } else if (reference->digest == NULL) {
        reference->tag = xstrdup("latest");
    }
    size_t domain = domain_length(copy);
    const char *path = domain ? copy + domain + 1 : copy;
    if (domain && !domain_valid(copy, domain)) {
        free(copy);
        image_reference_free(reference);
        return invalid(err, text, "bad registry host or port");
    }
    reference->domain = domain ? xstrndup(copy, domain) : xstrdup(IMAGE_DEFAULT_DOMAIN);
    if (strcmp(reference->domain, "index.docker.io") == 0) {
        free(reference->domain);
        reference->domain = xstrdup(IMAGE_DEFAULT_DOMAIN);
    }
    bool official = strcmp(reference->domain, IMAGE_DEFAULT_DOMAIN) == 0 && !strchr(path, '/');
    reference->path = official ? xasprintf("library/%s", path) : xstrdup(path);
    free(copy);
    if (!path_valid(reference->path, strlen(reference->path))) {
        image_reference_free(reference);
        return invalid(err, text, "repository names are lower-case letters, digits and separators");
    }
    if (strlen(reference->domain) + 1 + strlen(reference->path) > NAME_MAX_LENGTH) {
        image_reference_free(reference);
        return invalid(err, text, "the repository name is longer than 255 characters");
    }
    return 0;
}

void image_reference_free(struct image_reference *reference)
{
    free(reference->domain);
    free(reference->path);
    free(reference->tag);
    free(reference->digest);
    memset(reference, 0, sizeof(*reference));
}

char *image_reference_repository(const struct image_reference *reference)
{
    return xasprintf("%s/%s", reference->domain, reference->path);
}

char *image_reference_canonical(const struct image_reference *reference)
{
    return xasprintf("%s/%s%s%s%s%s", reference->domain, reference->path, reference->tag ? ":" : "",
                     reference->tag ? reference->tag : "", reference->digest ? "@" : "",
                     reference->digest ? reference->digest : "");
}

char *image_repository_familiar(const char *repository)
{
    static const char official[] = IMAGE_DEFAULT_DOMAIN "/library/";
    static const char hub[] = IMAGE_DEFAULT_DOMAIN "/";
    if (strncmp(repository, official, strlen(official)) == 0 &&
        !strchr(repository + strlen(official), '/'))
        return xstrdup(repository + strlen(official));
    if (strncmp(repository, hub, strlen(hub)) == 0)
        return xstrdup(repository + strlen(hub));
    return xstrdup(repository);
}
