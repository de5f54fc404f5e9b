/* docker's mount flags as typed: -v/--volume, --mount and --tmpfs, parsed
 * into one shape. Pure: nothing here touches the file system. */
#ifndef HUSK_ENGINE_VOLUMES_MOUNT_SPEC_H
#define HUSK_ENGINE_VOLUMES_MOUNT_SPEC_H

#include <stdbool.h>

#include "../../util/error.h"

enum mount_kind { MOUNT_BIND, MOUNT_VOLUME, MOUNT_TMPFS };

struct mount_request {
    enum mount_kind kind;
    char *source; /* bind: host path; volume: name, NULL when anonymous */
    char *target; /* absolute and cleaned: no "//", "/./", "..", trailing "/" */
    bool readonly;
    char *propagation;  /* "rprivate", "shared", ...; NULL: the default */
    bool nocopy;        /* volume: do not fill a new volume from the image */
    bool create_source; /* bind: make a missing host directory (-v, not --mount) */
    char *tmpfs_data;   /* tmpfs: "size=65536k,mode=1777,exec", ...; may be NULL */
    char *mode;         /* what -v's third part said, for inspect's "Mode" */
    bool relabel;       /* z or Z: asked for an SELinux relabel */
    bool nonrecursive;  /* bind: without the mounts below SOURCE */
};

/* -v SOURCE:TARGET[:OPTIONS] or -v TARGET. SOURCE is an absolute host path
 * (bind) or a volume name. */
int mount_spec_parse_volume(const char *text, struct mount_request *m, husk_error_t *err);
/* --mount type=bind|volume|tmpfs,source=,target=,readonly,... */
int mount_spec_parse_mount(const char *text, struct mount_request *m, husk_error_t *err);
/* --tmpfs TARGET[:OPTIONS], OPTIONS as mount(8) takes them. */
int mount_spec_parse_tmpfs(const char *text, struct mount_request *m, husk_error_t *err);
/* docker's rule for a local volume's name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool mount_spec_volume_name_valid(const char *name);
/* TARGET made absolute-clean as above into a new string, or NULL when it is
 * not absolute. */
char *mount_spec_clean_target(const char *target);
void mount_request_free(struct mount_request *m);

#endif
