/* The `run`/`create` flags that say who a container is and how others find
 * it (issue 17): its labels, extra environment, names and addresses, DNS,
 * groups, /dev/shm and how `run` attaches to it. Kept apart from struct
 * run_options so that these flags (and run_identity.c, which checks and
 * applies them) stay one block. */
#ifndef HUSK_ENGINE_IDENTITY_FLAGS_H
#define HUSK_ENGINE_IDENTITY_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

/* A repeatable flag's values as typed, in order (argv's strings). */
struct flag_list {
    const char **values;
    size_t count;
};
void flag_list_add(struct flag_list *list, const char *value);

struct identity_flags {
    struct flag_list env_files;   /* --env-file FILE */
    struct flag_list labels;      /* -l KEY[=VALUE] */
    struct flag_list label_files; /* --label-file FILE */
    struct flag_list attach;      /* -a STDIN|STDOUT|STDERR */
    struct flag_list add_hosts;   /* --add-host NAME:IP, NAME=IP */
    struct flag_list dns, dns_search, dns_options;
    struct flag_list network_aliases; /* --network-alias NAME */
    struct flag_list group_add;       /* --group-add GROUP */
    const char *stop_timeout;         /* as typed, or NULL */
    const char *cidfile;
    const char *sig_proxy; /* "true" for a bare --sig-proxy, NULL: not given */
    const char *ip, *mac_address, *domainname, *shm_size;
    /* Filled by run_identity_load in the husk command, before anything
     * forks (relative paths are its working directory's): */
    char **file_env;    /* KEY=VALUE of the --env-file files, in order */
    char **file_labels; /* the same of the --label-file files */
    char *cidfile_path; /* absolute; made empty, filled once the container exists */
    int cidfile_fd;     /* open on it while cidfile_path is set */
};

#endif
