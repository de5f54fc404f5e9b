/* Resolving `-u USER[:GROUP]` against the image's /etc/passwd and /etc/group. */
#ifndef HUSK_ENGINE_USER_H
#define HUSK_ENGINE_USER_H

#include <sys/types.h>

#include "../util/error.h"

struct resolved_user {
    uid_t uid;
    gid_t gid;
    gid_t *groups; /* supplementary groups the user is a member of */
    size_t group_count;
    char *name; /* NULL for a uid without a passwd entry */
    char *home;
};

/* Splits "user[:group]"; both parts must be non-empty when present. */
int user_spec_split(const char *spec, char **user, char **group, husk_error_t *err);
/* PASSWD and GROUP are file contents (may be NULL when the image has none). */
int user_resolve(const char *spec, const char *passwd, const char *group, struct resolved_user *out,
                 husk_error_t *err);
/* --group-add: each of GROUPS a name in GROUP_FILE or a gid, added to OUT's
 * supplementary groups (once). */
int user_add_groups(const char *const *groups, size_t count, const char *group_file,
                    struct resolved_user *out, husk_error_t *err);
void resolved_user_free(struct resolved_user *user);

#endif
