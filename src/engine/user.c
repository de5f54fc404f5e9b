#include "user.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

#define ID_MAX 2147483647L

int user_spec_split(const char *spec, char **user, char **group, husk_error_t *err)
{
    *user = *group = NULL;
    if (spec == NULL || spec[0] == '\0')
        return husk_error_set(err, 0, "invalid user \"\": empty");
    const char *colon = strchr(spec, ':');
    if (colon != NULL && strchr(colon + 1, ':') != NULL)
        return husk_error_set(err, 0, "invalid user \"%s\": use USER[:GROUP]", spec);
    size_t user_length = colon ? (size_t)(colon - spec) : strlen(spec);
    if (user_length == 0 || (colon != NULL && colon[1] == '\0'))
        return husk_error_set(err, 0, "invalid user \"%s\": use USER[:GROUP]", spec);
    for (const char *c = spec; *c; c++)
        if (isspace((unsigned char)*c))
            return husk_error_set(err, 0, "invalid user \"%s\": contains white space", spec);
    *user = xstrndup(spec, user_length);
    *group = colon ? xstrdup(colon + 1) : NULL;
    return 0;
}

/* A decimal id in [0, 2^31-1], or -1 when TEXT is not a plain number. */
static long parse_id(const char *text)
{
    if (text == NULL || !isdigit((unsigned char)text[0]))
        return -1;
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (*end != '\0')
        return -1; /* "12abc" is a name, as docker reads it */
    if (errno != 0 || value > ID_MAX)
        return -2;
    return value;
}

/* Field N (0-based) of a colon-separated line, copied into BUFFER. */
static const char *field(const char *line, int n, char *buffer, size_t size)
{
    const char *line_end = strchr(line, '\n');
    if (line_end == NULL)
        line_end = line + strlen(line);
    for (int i = 0; i < n && line; i++) {
        line = memchr(line, ':', (size_t)(line_end - line));
        if (line)
            line++;
    }
    if (line == NULL)
        return NULL;
    size_t length = strcspn(line, ":\n");
    if (length >= size)
        length = size - 1;
    memcpy(buffer, line, length);
    buffer[length] = '\0';
    return buffer;
}

/* Finds the line whose name (field 0) or id (field 2) matches. */
static const char *find_entry(const char *file, const char *name, long id)
{
    for (const char *line = file; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (*line == '#' || *line == '\n')
            continue;
        char buffer[256];
        if (name != NULL && field(line, 0, buffer, sizeof(buffer)) && strcmp(buffer, name) == 0)
            return line;
        if (name == NULL && field(line, 2, buffer, sizeof(buffer)) && parse_id(buffer) == id)
            return line;
    }
    return NULL;
}

static bool member_of(const char *line, const char *user)
{
    char members[1024];
    if (user == NULL || field(line, 3, members, sizeof(members)) == NULL)
        return false;
    char *save = NULL;
    for (char *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
        if (strcmp(m, user) == 0)
            return true;
    return false;
}

static void collect_groups(const char *group_file, struct resolved_user *out)
{
    for (const char *line = group_file; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        char gid_text[32];
        if (!member_of(line, out->name) || field(line, 2, gid_text, sizeof(gid_text)) == NULL)
            continue;
        long gid = parse_id(gid_text);
        if (gid < 0)
            continue;
        out->groups = xreallocarray(out->groups, out->group_count + 1, sizeof(gid_t));
        out->groups[out->group_count++] = (gid_t)gid;
    }
}

static int resolve_user_part(const char *user, const char *passwd, struct resolved_user *out,
                             husk_error_t *err)
{
    long uid = parse_id(user);
    if (uid == -2)
        return husk_error_set(err, 0, "invalid user \"%s\": uid out of range", user);
    const char *line = find_entry(passwd, uid >= 0 ? NULL : user, uid);
    if (line == NULL && uid < 0)
        return husk_error_set(err, 0, "unable to find user %s: no matching entries in passwd file",
                              user);
    out->uid = (uid_t)uid;
    out->gid = 0;
    out->home = xstrdup("/");
    if (line == NULL)
        return 0;
    char buffer[1024];
    long found_uid = parse_id(field(line, 2, buffer, sizeof(buffer)));
    if (found_uid < 0)
        return husk_error_set(err, 0, "passwd entry of user %s has a malformed uid", user);
    out->uid = (uid_t)found_uid;
    long gid = parse_id(field(line, 3, buffer, sizeof(buffer)));
    out->gid = gid >= 0 ? (gid_t)gid : 0;
    out->name = xstrdup(field(line, 0, buffer, sizeof(buffer)));
    if (field(line, 5, buffer, sizeof(buffer)) && buffer[0] == '/') {
        free(out->home);
        out->home = xstrdup(buffer);
    }
    return 0;
}

int user_resolve(const char *spec, const char *passwd, const char *group, struct resolved_user *out,
                 husk_error_t *err)
{
    cleanup_free char *user_part = NULL, *group_part = NULL;
    memset(out, 0, sizeof(*out));
    if (user_spec_split(spec, &user_part, &group_part, err) < 0)
        return -1;
    if (resolve_user_part(user_part, passwd, out, err) < 0)
        goto fail;
    if (group_part == NULL) {
        /* As docker: the primary group first, then every group naming the user. */
        out->groups = xmalloc(sizeof(gid_t));
        out->groups[out->group_count++] = out->gid;
        collect_groups(group, out);
        return 0;
    }
    long gid = parse_id(group_part);
    if (gid == -2) {
        husk_error_set(err, 0, "invalid group \"%s\": gid out of range", group_part);
        goto fail;
    }
    if (gid < 0) {
        const char *line = find_entry(group, group_part, -1);
        char buffer[32];
        if (line == NULL || (gid = parse_id(field(line, 2, buffer, sizeof(buffer)))) < 0) {
            husk_error_set(err, 0, "unable to find group %s: no matching entries in group file",
                           group_part);
            goto fail;
        }
    }
    out->gid = (gid_t)gid;
    out->groups = xmalloc(sizeof(gid_t));
    out->groups[out->group_count++] = out->gid;
    return 0;
fail:
    resolved_user_free(out);
    return -1;
}

static void add_group(struct resolved_user *out, gid_t gid)
{
    for (size_t i = 0; i < out->group_count; i++)
        if (out->groups[i] == gid)
            return;
    out->groups = xreallocarray(out->groups, out->group_count + 1, sizeof(gid_t));
    out->groups[out->group_count++] = gid;
}

int user_add_groups(const char *const *groups, size_t count, const char *group_file,
                    struct resolved_user *out, husk_error_t *err)
{
    for (size_t i = 0; i < count; i++) {
        /* As docker: a name in the file first, then a plain number. */
        const char *line = find_entry(group_file, groups[i], -1);
        char buffer[32];
        long gid = line ? parse_id(field(line, 2, buffer, sizeof(buffer))) : parse_id(groups[i]);
        if (gid == -2)
            return husk_error_set(err, 0, "invalid --group-add \"%s\": gid out of range",
                                  groups[i]);
        if (gid < 0)
            return husk_error_set(err, 0,
                                  "--group-add: unable to find group %s: no matching entries in "
                                  "group file",
                                  groups[i]);
        add_group(out, (gid_t)gid);
    }
    return 0;
}

void resolved_user_free(struct resolved_user *user)
{
    free(user->groups);
    free(user->name);
    free(user->home);
    memset(user, 0, sizeof(*user));
}
