/* The sink side of a copy that makes files: entries are created under one
 * directory fd, never by a path from "/". An entry's parent is resolved
 * below that directory (openat2 RESOLVE_BENEATH: no "..", no absolute
 * symlink, no magic link leads out of it), its last name is created
 * relative to the parent's fd with O_EXCL|O_NOFOLLOW after whatever was
 * there is unlinked, and its owner, mode and times are set through the
 * fd of what was created. A container racing to put a symlink in the way
 * makes the copy fail; it cannot make it write anywhere else. */
#ifndef HUSK_ENGINE_FILES_COPY_EXTRACT_H
#define HUSK_ENGINE_FILES_COPY_EXTRACT_H

#include <stdbool.h>

#include "../../util/error.h"
#include "copy_entry.h"

enum copy_owner {
    COPY_OWNER_CALLER, /* left to the process that copies (copying out) */
    COPY_OWNER_ENTRY,  /* the entry's (-a) */
    COPY_OWNER_ROOT,   /* the container's root (copying in) */
};

struct copy_extract_options {
    int directory_fd;      /* where entries go (O_PATH, borrowed) */
    const char *directory; /* its path, for messages */
    /* The top entry's name and the name it gets there (NULL: kept). */
    const char *rename_from, *rename_to;
    enum copy_owner owner;
    /* The destination is a container whose ids the host sees shifted by
     * this map (NULL: none); its kernel file systems are refused. */
    const struct copy_id_map *ids;
    bool container;
    /* Entries of a tar may reach their parent through a symlink that
     * stays below the directory (docker's extraction follows those); a
     * walk's never need one. */
    bool follow_symlinks_below;
};

struct copy_extract {
    struct copy_sink sink;
    struct copy_extract_options options;
    char *parent_name; /* the last parent resolved, and its fd */
    int parent_fd;
    char **directories; /* made or merged: their times are set at the end */
    struct timespec (*times)[2];
    size_t directory_count;
};

void copy_extract_init(struct copy_extract *x, const struct copy_extract_options *options);
/* Sets the directories' times (each new entry changed them). */
int copy_extract_finish(struct copy_extract *x, husk_error_t *err);
void copy_extract_free(struct copy_extract *x);

#endif
