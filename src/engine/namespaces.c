#include "namespaces.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "record.h"

const char *const namespace_types[NAMESPACE_TYPE_COUNT] = {"cgroup", "ipc",  "mnt",  "net",
                                                           "pid",    "time", "user", "uts"};

bool namespace_inode(pid_t pid, const char *type, ino_t *inode)
{
    char path[64];
    struct stat st;
    if (pid > 0)
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, type);
    else
        snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
    if (stat(path, &st) < 0)
        return false;
    *inode = st.st_ino;
    return true;
}

json_t *namespaces_of(pid_t pid)
{
    json_t *namespaces = json_object();
    ino_t inode;
    for (size_t i = 0; pid > 0 && i < NAMESPACE_TYPE_COUNT; i++)
        if (namespace_inode(pid, namespace_types[i], &inode))
            json_object_set_new(namespaces, namespace_types[i], json_integer((json_int_t)inode));
    return namespaces;
}

/* The host or one running container, with its namespace inodes. */
struct party {
    char *name;
    char id[HUSK_ID_SIZE];
    pid_t pid;
    ino_t inodes[NAMESPACE_TYPE_COUNT]; /* 0: unreadable */
};

static void read_inodes(struct party *party)
{
    for (size_t i = 0; i < NAMESPACE_TYPE_COUNT; i++)
        if (!namespace_inode(party->pid, namespace_types[i], &party->inodes[i]))
            party->inodes[i] = 0;
}

/* Read while the pidfd pins PID 1, so the inodes are its and no one's who
 * reused the PID. False when the container does not run. */
static bool read_container(const struct engine_context *context, const char *reference,
                           struct party *party, husk_error_t *err)
{
    struct container_handle handle;
    if (container_read(context, reference, &handle, err) < 0)
        return false;
    int pidfd = record_open_process(handle.record, "Pid", "PidStartTime");
    if (pidfd >= 0) {
        party->name = xstrdup(handle.name);
        snprintf(party->id, sizeof(party->id), "%s", handle.id);
        party->pid = (pid_t)json_integer_value(
            json_object_get(json_object_get(handle.record, "State"), "Pid"));
        read_inodes(party);
        if (!record_process_alive(handle.record)) {
            free(party->name);
            party->name = NULL;
        }
        close(pidfd);
    }
    container_close(&handle);
    return party->name != NULL;
}

static json_t *shared_with(const struct party *parties, size_t count, size_t self, size_t type)
{
    json_t *names = json_array();
    for (size_t i = 0; i < count; i++)
        if (i != self && parties[self].inodes[type] != 0 &&
            parties[i].inodes[type] == parties[self].inodes[type])
            json_array_append_new(names, json_string(parties[i].name));
    return names;
}

static json_t *describe(const struct party *parties, size_t count, size_t self)
{
    json_t *namespaces = json_object();
    for (size_t t = 0; t < NAMESPACE_TYPE_COUNT; t++)
        json_object_set_new(namespaces, namespace_types[t],
                            json_pack("{s:I, s:o}", "Inode", (json_int_t)parties[self].inodes[t],
                                      "SharedWith", shared_with(parties, count, self, t)));
    return json_pack("{s:s, s:s, s:i, s:o}", "Name", parties[self].name, "Id", parties[self].id,
                     "Pid", (int)parties[self].pid, "Namespaces", namespaces);
}

/* NAMES, in the order given, as indexes into PARTIES; each must run. */
static int describe_named(const struct engine_context *context, const struct party *parties,
                          size_t count, char *const *names, size_t name_count, json_t *result,
                          husk_error_t *err)
{
    for (size_t n = 0; n < name_count; n++) {
        char id[HUSK_ID_SIZE];
        if (container_lookup(context, names[n], id, err) < 0)
            return -1;
        size_t i = 1;
        while (i < count && strcmp(parties[i].id, id) != 0)
            i++;
        if (i == count)
            return husk_error_set(err, 0, "container %s is not running", names[n]);
        json_array_append_new(result, describe(parties, count, i));
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct party *)a)->name, ((const struct party *)b)->name);
}

static void parties_free(struct party *parties, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(parties[i].name);
    free(parties);
}

int engine_namespaces(const struct engine_context *context, char *const *names, size_t count,
                      json_t **result, husk_error_t *err)
{
    cleanup_strv char **ids = container_list_ids(context);
    size_t total = 1;
    for (char **id = ids; *id; id++)
        total++;
    struct party *parties = xcalloc(total, sizeof(*parties));
    parties[0] = (struct party){.name = xstrdup("host"), .pid = 0};
    read_inodes(&parties[0]);
    size_t used = 1;
    for (char **id = ids; *id; id++) {
        if (read_container(context, *id, &parties[used], NULL))
            used++;
    }
    /* The host first, then containers by name: the same order every time. */
    qsort(parties + 1, used - 1, sizeof(*parties), by_name);
    cleanup_json json_t *list = json_array();
    int rc = 0;
    if (count > 0)
        rc = describe_named(context, parties, used, names, count, list, err);
    for (size_t i = 0; count == 0 && i < used; i++)
        json_array_append_new(list, describe(parties, used, i));
    parties_free(parties, used);
    *result = rc < 0 ? NULL : steal_pointer(&list);
    return rc;
}
