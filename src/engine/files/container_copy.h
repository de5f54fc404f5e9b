/* `husk cp`: files between a container (running, created or stopped) and
 * the host, with docker's rules for what lands where (see copy_path.h).
 *
 * The container's side is reached only through container_fs's root fd:
 * its paths are resolved with openat2 RESOLVE_IN_ROOT, its trees read and
 * written through fds (copy_walk.h, copy_extract.h), so a symlink the
 * container plants or swaps in (CVE-2018-15664) resolves inside the
 * container or fails; and nothing of the container is ever run or loaded
 * (no chroot, no name service: CVE-2019-14271). Owners: copied in, files
 * belong to the container's root, or keep their owners with -a; copied
 * out, to the user who copies, or their owners with -a. setuid, setgid and
 * file capabilities survive only when the owner does. */
#ifndef HUSK_ENGINE_FILES_CONTAINER_COPY_H
#define HUSK_ENGINE_FILES_CONTAINER_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "../../util/error.h"
#include "../options.h"

struct copy_request {
    const char *container;      /* name, ID or ID prefix */
    const char *container_path; /* as given; relative paths start at its "/" */
    const char *local_path;     /* as given; "-": a tar on STREAM_FD */
    int stream_fd;
    bool archive;     /* -a */
    bool follow_link; /* -L: a symlink source is copied as what it names */
};

struct copy_result {
    uint64_t bytes;    /* regular files' content copied */
    char *destination; /* as docker's summary line names it */
};

int engine_copy_from_container(const struct engine_context *context,
                               const struct copy_request *request, struct copy_result *result,
                               husk_error_t *err);
int engine_copy_to_container(const struct engine_context *context,
                             const struct copy_request *request, struct copy_result *result,
                             husk_error_t *err);

#endif
