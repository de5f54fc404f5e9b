#include "top.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/cgroup.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "record.h"

static void describe(struct top_process *p)
{
    char path[64];
    cleanup_free char *status = NULL, *cmdline = NULL;
    size_t length = 0;
    snprintf(path, sizeof(path), "/proc/%d/status", p->pid);
    if (file_read_all(AT_FDCWD, path, &status, NULL, NULL) == 0) {
        char *ppid = strstr(status, "\nPPid:"), *uid = strstr(status, "\nUid:");
        p->ppid = ppid ? (pid_t)atoi(ppid + 6) : 0;
        p->uid = uid ? (uid_t)strtoul(uid + 5, NULL, 10) : 0;
    }
    snprintf(path, sizeof(path), "/proc/%d/cmdline", p->pid);
    if (file_read_all(AT_FDCWD, path, &cmdline, &length, NULL) == 0) {
        for (size_t i = 0; length > 0 && i < length - 1; i++)
            if (cmdline[i] == '\0')
                cmdline[i] = ' ';
        p->command = steal_pointer(&cmdline);
    } else {
        p->command = xstrdup("?");
    }
}

int engine_top(const struct engine_context *context, const char *reference,
               struct top_process **processes, size_t *count, husk_error_t *err)
{
    struct container_handle handle;
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    bool running = strcmp(record_status(handle.record), "running") == 0;
    char id[HUSK_ID_SIZE];
    snprintf(id, sizeof(id), "%s", handle.id);
    container_close(&handle);
    if (!running)
        return husk_error_set(err, 0, "container %s is not running", reference);
    struct cgroup_layout layout;
    if (cgroup_layout_discover(&layout, err) < 0)
        return -1;
    /* The pids controller's hierarchy lists every member; else cgroup2's. */
    const struct cgroup_hierarchy *h = cgroup_layout_controller(&layout, "pids");
    char relpath[80];
    snprintf(relpath, sizeof(relpath), "husk/%s", id);
    cleanup_free char *members = NULL;
    int rc = h ? cgroup_read(h, relpath, "cgroup.procs", &members, err)
               : husk_error_set(err, 0, "no pids or cgroup2 hierarchy on this host");
    cgroup_layout_free(&layout);
    if (rc < 0)
        return -1;
    *count = 0;
    *processes = xcalloc(strlen(members) / 2 + 1, sizeof(**processes));
    char *save = NULL;
    for (char *line = strtok_r(members, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct top_process *p = &(*processes)[(*count)++];
        p->pid = (pid_t)atoi(line);
        describe(p);
    }
    return 0;
}

void top_processes_free(struct top_process *processes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(processes[i].command);
    free(processes);
}
