#include "mount_spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "../resources.h"

static const char *const propagations[] = {"private", "rprivate", "shared",
                                           "rshared", "slave",    "rslave"};

static bool is_propagation(const char *word)
{
    for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++)
        if (strcmp(word, propagations[i]) == 0)
            return true;
    return false;
}

bool mount_spec_volume_name_valid(const char *name)
{
    if (!isalnum((unsigned char)name[0]) || name[1] == '\0')
        return false;
    for (const char *c = name + 1; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_.-", *c))
            return false;
    return true;
}

/* As Go's filepath.Clean does for an absolute path. */
char *mount_spec_clean_target(const char *target)
{
    if (target == NULL || target[0] != '/')
        return NULL;
    char *clean = xmalloc(strlen(target) + 2);
    size_t length = 0;
    const char *p = target;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (length > 0 && clean[length - 1] != '/')
                length--;
            if (length > 0)
                length--;
        } else {
            clean[length++] = '/';
            memcpy(clean + length, p, n);
            length += n;
        }
        p = end;
    }
    if (length == 0)
        clean[length++] = '/';
    clean[length] = '\0';
    return clean;
}

static int set_target(struct mount_request *m, const char *target, const char *flag,
                      const char *text, husk_error_t *err)
{
    m->target = mount_spec_clean_target(target);
    if (m->target == NULL)
        return husk_error_set(err, 0, "invalid %s \"%s\": the mount path \"%s\" must be absolute",
                              flag, text, target);
    if (strcmp(m->target, "/") == 0)
        return husk_error_set(err, 0, "invalid %s \"%s\": the destination can't be '/'", flag,
                              text);
    return 0;
}

/* -v's third part: rw|ro, z|Z, a propagation, nocopy; one of each at most. */
static int parse_volume_mode(const char *mode, struct mount_request *m, husk_error_t *err)
{
    cleanup_free char *copy = xstrdup(mode);
    int access = 0, label = 0, propagation = 0, copy_words = 0;
    char *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (strcmp(w, "rw") == 0 || strcmp(w, "ro") == 0) {
            access++;
            m->readonly = w[1] == 'o';
        } else if (strcmp(w, "z") == 0 || strcmp(w, "Z") == 0) {
            label++;
            m->relabel = true;
        } else if (is_propagation(w)) {
            propagation++;
            free(m->propagation);
            m->propagation = xstrdup(w);
        } else if (strcmp(w, "nocopy") == 0) {
            copy_words++;
            m->nocopy = true;
        } else {
            return husk_error_set(err, 0, "invalid mode: %s", mode);
        }
    }
    if (access > 1 || label > 1 || propagation > 1 || copy_words > 1 || mode[0] == '\0')
        return husk_error_set(err, 0, "invalid mode: %s", mode);
    m->mode = xstrdup(mode);
    return 0;
}

/* docker resolves "./x" and "../x" against the working directory. */
static char *absolute_source(const char *source)
{
    if (source[0] == '/')
        return mount_spec_clean_target(source);
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return NULL;
    cleanup_free char *joined = xasprintf("%s/%s", cwd, source);
    return mount_spec_clean_target(joined);
}

static int volume_source(const char *source, const char *text, struct mount_request *m,
                         husk_error_t *err)
{
    bool path = source[0] == '/' || strcmp(source, ".") == 0 || strcmp(source, "..") == 0 ||
                strncmp(source, "./", 2) == 0 || strncmp(source, "../", 3) == 0;
    if (path) {
        m->kind = MOUNT_BIND;
        m->create_source = true;
        m->source = absolute_source(source);
        if (m->source == NULL)
            return husk_error_set(err, errno, "invalid volume specification: '%s'", text);
        return 0;
    }
    if (!mount_spec_volume_name_valid(source))
        return husk_error_set(err, 0,
                              "\"%s\" includes invalid characters for a local volume name, only "
                              "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass "
                              "a host directory, use absolute path",
                              source);
    m->kind = MOUNT_VOLUME;
    m->source = xstrdup(source);
    return 0;
}

int mount_spec_parse_volume(const char *text, struct mount_request *m, husk_error_t *err)
{
    memset(m, 0, sizeof(*m));
    cleanup_free char *copy = xstrdup(text);
    char *parts[4] = {NULL};
    size_t count = 0;
    for (char *p = copy, *colon; count < 4; p = colon + 1) {
        parts[count++] = p;
        if ((colon = strchr(p, ':')) == NULL)
            break;
        *colon = '\0';
    }
    bool too_many = count == 4 || (count == 3 && strchr(parts[2], ':') != NULL);
    for (size_t i = 0; i < count; i++)
        too_many = too_many || parts[i][0] == '\0';
    if (text[0] == '\0' || too_many)
        return husk_error_set(err, 0, "invalid volume specification: '%s'", text);
    if (count == 1) {
        m->kind = MOUNT_VOLUME;
        return set_target(m, parts[0], "--volume", text, err);
    }
    if (volume_source(parts[0], text, m, err) < 0 ||
        set_target(m, parts[1], "--volume", text, err) < 0)
        return -1;
    if (count == 3 && parse_volume_mode(parts[2], m, err) < 0)
        return -1;
    if (m->nocopy && m->kind == MOUNT_BIND)
        return husk_error_set(err, 0, "invalid mode: %s", parts[2]);
    return 0;
}

/* docker's booleans in --mount: a bare key is true. */
static bool parse_bool(const char *value, bool *out)
{
    if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
        return *out = true;
    if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
        return !(*out = false);
    return false;
}

struct mount_fields {
    const char *type, *source, *target, *propagation, *size, *mode;
    bool readonly, nocopy, nonrecursive;
    bool bind_keys, volume_keys, tmpfs_keys;
};

static int mount_field(char *field, struct mount_fields *f, const char *text, husk_error_t *err)
{
    char *value = strchr(field, '=');
    if (value != NULL)
        *value++ = '\0';
    const char *key = field;
    bool ok = true;
    if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0)
        ok = parse_bool(value, &f->readonly);
    else if (strcmp(key, "volume-nocopy") == 0)
        ok = parse_bool(value, &f->nocopy), f->volume_keys = true;
    else if (strcmp(key, "bind-nonrecursive") == 0)
        ok = parse_bool(value, &f->nonrecursive), f->bind_keys = true;
    else if (value == NULL)
        return husk_error_set(err, 0, "invalid --mount \"%s\": field '%s' must be a key=value pair",
                              text, key);
    else if (strcmp(key, "type") == 0)
        f->type = value;
    else if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0)
        f->source = value;
    else if (strcmp(key, "target") == 0 || strcmp(key, "destination") == 0 ||
             strcmp(key, "dst") == 0)
        f->target = value;
    else if (strcmp(key, "bind-propagation") == 0)
        f->propagation = value, f->bind_keys = true, ok = is_propagation(value);
    else if (strcmp(key, "volume-driver") == 0)
        ok = strcmp(value, "local") == 0, f->volume_keys = true;
    else if (strcmp(key, "tmpfs-size") == 0)
        f->size = value, f->tmpfs_keys = true;
    else if (strcmp(key, "tmpfs-mode") == 0)
        f->mode = value, f->tmpfs_keys = true;
    else
        return husk_error_set(err, 0, "invalid --mount \"%s\": unexpected key '%s'", text, key);
    if (!ok)
        return husk_error_set(err, 0, "invalid --mount \"%s\": invalid value for '%s': %s", text,
                              key, value ? value : "");
    return 0;
}

/* tmpfs-size and tmpfs-mode as the tmpfs mount's data, the way docker
 * writes them. */
static int tmpfs_data(const struct mount_fields *f, const char *text, struct mount_request *m,
                      husk_error_t *err)
{
    int64_t bytes = 0;
    char *end = NULL;
    unsigned long mode = f->mode ? strtoul(f->mode, &end, 8) : 0;
    if (f->size != NULL && (!resource_size_parse(f->size, &bytes) || bytes <= 0))
        return husk_error_set(err, 0, "invalid --mount \"%s\": invalid tmpfs-size %s", text,
                              f->size);
    if (f->mode != NULL && (f->mode[0] == '\0' || *end != '\0' || mode > 07777))
        return husk_error_set(err, 0, "invalid --mount \"%s\": invalid tmpfs-mode %s", text,
                              f->mode);
    cleanup_free char *size = bytes ? xasprintf("size=%lld", (long long)bytes) : NULL;
    cleanup_free char *mode_word = f->mode ? xasprintf("mode=%lo", mode) : NULL;
    if (size && mode_word)
        m->tmpfs_data = xasprintf("%s,%s", size, mode_word);
    else if (size || mode_word)
        m->tmpfs_data = xstrdup(size ? size : mode_word);
    return 0;
}

static int mount_kind_of(const struct mount_fields *f, const char *text, struct mount_request *m,
                         husk_error_t *err)
{
    const char *type = f->type ? f->type : "volume";
    if (strcmp(type, "bind") == 0)
        m->kind = MOUNT_BIND;
    else if (strcmp(type, "volume") == 0)
        m->kind = MOUNT_VOLUME;
    else if (strcmp(type, "tmpfs") == 0)
        m->kind = MOUNT_TMPFS;
    else
        return husk_error_set(err, 0, "invalid --mount \"%s\": unknown mount type '%s'", text,
                              type);
    bool mixed = (f->bind_keys && m->kind != MOUNT_BIND) ||
                 (f->volume_keys && m->kind != MOUNT_VOLUME) ||
                 (f->tmpfs_keys && m->kind != MOUNT_TMPFS);
    if (mixed)
        return husk_error_set(err, 0,
                              "invalid --mount \"%s\": options of another type for "
                              "mount type '%s'",
                              text, type);
    if (m->kind == MOUNT_BIND && (f->source == NULL || f->source[0] == '\0'))
        return husk_error_set(err, 0, "invalid --mount \"%s\": a bind mount needs a source", text);
    if (m->kind == MOUNT_TMPFS && f->source != NULL)
        return husk_error_set(err, 0, "invalid --mount \"%s\": a tmpfs mount takes no source",
                              text);
    return 0;
}

int mount_spec_parse_mount(const char *text, struct mount_request *m, husk_error_t *err)
{
    memset(m, 0, sizeof(*m));
    struct mount_fields f = {0};
    cleanup_free char *copy = xstrdup(text);
    char *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
        if (mount_field(w, &f, text, err) < 0)
            return -1;
    if (f.target == NULL || f.target[0] == '\0')
        return husk_error_set(err, 0, "invalid --mount \"%s\": target is required", text);
    if (mount_kind_of(&f, text, m, err) < 0 || set_target(m, f.target, "--mount", text, err) < 0)
        return -1;
    m->readonly = f.readonly;
    m->nocopy = f.nocopy;
    m->nonrecursive = f.nonrecursive;
    if (f.propagation)
        m->propagation = xstrdup(f.propagation);
    if (m->kind == MOUNT_BIND) {
        m->source = absolute_source(f.source);
        if (m->source == NULL)
            return husk_error_set(err, errno, "invalid --mount \"%s\"", text);
    } else if (m->kind == MOUNT_VOLUME && f.source != NULL && f.source[0] != '\0') {
        if (!mount_spec_volume_name_valid(f.source))
            return husk_error_set(err, 0,
                                  "invalid --mount \"%s\": \"%s\" is not a valid volume "
                                  "name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)",
                                  text, f.source);
        m->source = xstrdup(f.source);
    }
    return m->kind == MOUNT_TMPFS ? tmpfs_data(&f, text, m, err) : 0;
}

/* Options mount(8) would take for a tmpfs: docker passes them through, the
 * kernel judging size= and mode=; ro/rw set the mount's access. */
int mount_spec_parse_tmpfs(const char *text, struct mount_request *m, husk_error_t *err)
{
    memset(m, 0, sizeof(*m));
    m->kind = MOUNT_TMPFS;
    cleanup_free char *copy = xstrdup(text);
    char *options = strchr(copy, ':');
    if (options != NULL)
        *options++ = '\0';
    if (set_target(m, copy, "--tmpfs", text, err) < 0)
        return -1;
    if (options == NULL || options[0] == '\0')
        return 0;
    cleanup_free char *data = xstrdup("");
    char *save = NULL;
    for (char *w = strtok_r(options, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (strcmp(w, "ro") == 0 || strcmp(w, "rw") == 0) {
            m->readonly = w[1] == 'o';
            continue;
        }
        if (strchr(w, ' ') != NULL)
            return husk_error_set(err, 0, "invalid --tmpfs \"%s\": bad option \"%s\"", text, w);
        char *grown = xasprintf("%s%s%s", data, data[0] ? "," : "", w);
        free(data);
        data = grown;
    }
    if (data[0] != '\0')
        m->tmpfs_data = steal_pointer(&data);
    return 0;
}

void mount_request_free(struct mount_request *m)
{
    free(m->source);
    free(m->target);
    free(m->propagation);
    free(m->tmpfs_data);
    free(m->mode);
    memset(m, 0, sizeof(*m));
}
