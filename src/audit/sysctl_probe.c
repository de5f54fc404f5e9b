#include "sysctl_probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const char *const probe_type_names[PROBE_TYPE_COUNT] = {"user", "net",    "ipc", "uts",
                                                        "pid",  "cgroup", "mnt", "time"};
static const int probe_type_flags[PROBE_TYPE_COUNT] = {
    CLONE_NEWUSER, CLONE_NEWNET,    CLONE_NEWIPC, CLONE_NEWUTS,
    CLONE_NEWPID,  CLONE_NEWCGROUP, CLONE_NEWNS,  CLONE_NEWTIME,
};

/* What the owned probes run as on the host: nobody, who may write no global setting. */
#define PROBE_HOST_ID  65534
#define PROBE_MUTATION "husk-audit-probe"

/* ---- values ---- */

bool sysctl_key_one_way(const char *key)
{
    /* Found the hard way: net.netfilter.nf_hooks_lwtunnel exists in every
     * network namespace, but writing 1 switches on a kernel-wide static key,
     * and writing 0 back fails with EBUSY until reboot. The others latch by
     * design (modules_disabled, kexec_load_disabled, ptrace_scope 3,
     * unprivileged_bpf_disabled 1) or add taint bits that cannot be cleared. */
    static const char *const one_way[] = {
        "net.netfilter.nf_hooks_lwtunnel",  "kernel.modules_disabled",
        "kernel.kexec_load_disabled",       "kernel.yama.ptrace_scope",
        "kernel.unprivileged_bpf_disabled", "kernel.tainted",
    };
    for (size_t i = 0; i < sizeof(one_way) / sizeof(one_way[0]); i++)
        if (strcmp(key, one_way[i]) == 0)
            return true;
    return false;
}

size_t sysctl_probe_candidates(const char *value, char out[][PROBE_VALUE_SIZE], size_t max)
{
    char *end;
    errno = 0;
    long long number = strtoll(value, &end, 10);
    if (end == value || errno != 0 || (*end != '\0' && *end != ' ' && *end != '\t'))
        return 0;
    size_t count = 0;
    long long tries[] = {number, number};
    bool usable[] = {number<LLONG_MAX, number> LLONG_MIN};
    tries[0] += usable[0];
    tries[1] -= usable[1];
    for (size_t i = 0; i < 2 && count < max; i++) {
        if (!usable[i])
            continue;
        int n = snprintf(out[count], PROBE_VALUE_SIZE, "%lld%s", tries[i], end);
        if (n > 0 && n < PROBE_VALUE_SIZE)
            count++;
    }
    return count;
}

void sysctl_key_canonical(const char *key, char *out, size_t size)
{
    static const char *const per_interface[] = {
        "net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh.", "net.mpls.conf."};
    snprintf(out, size, "%s", key);
    for (size_t i = 0; i < sizeof(per_interface) / sizeof(per_interface[0]); i++) {
        size_t length = strlen(per_interface[i]);
        if (strncmp(key, per_interface[i], length) != 0)
            continue;
        /* The interface is everything up to the last dot: its name may hold dots (eth0.1). */
        const char *interface = key + length, *setting = strrchr(interface, '.');
        size_t interface_length = setting ? (size_t)(setting - interface) : 0;
        if ((interface_length == 3 && strncmp(interface, "all", 3) == 0) ||
            (interface_length == 7 && strncmp(interface, "default", 7) == 0))
            continue;
        if (setting != NULL)
            snprintf(out, size, "%sdefault%s", per_interface[i], setting);
    }
}

/* ---- reading and writing one key ---- */

/* A key's value without its trailing newline; NULL when it cannot be read. */
static char *value_read(const char *path)
{
    char full[512], *value = NULL;
    size_t length;
    snprintf(full, sizeof(full), "/proc/sys/%s", path);
    if (file_read_all(AT_FDCWD, full, &value, &length, NULL) < 0)
        return NULL;
    while (length > 0 && value[length - 1] == '\n')
        value[--length] = '\0';
    return value;
}

static bool value_write(const char *path, const char *value)
{
    char full[512];
    snprintf(full, sizeof(full), "/proc/sys/%s", path);
    cleanup_close int fd = open(full, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
    size_t length = strlen(value);
    return fd >= 0 && write(fd, value, length) == (ssize_t)length;
}

/* ---- the walk ---- */

struct key_list {
    struct probe_key *keys;
    size_t count, capacity;
};

static void key_add(struct key_list *list, const char *path, mode_t mode)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 1024;
        list->keys = xreallocarray(list->keys, list->capacity, sizeof(*list->keys));
    }
    struct probe_key *key = &list->keys[list->count];
    key->path = xstrdup(path);
    key->name = xstrdup(path);
    for (char *c = key->name; *c; c++)
        if (*c == '/')
            *c = '.';
    key->host_mode = mode;
    key->host_value = (mode & S_IRUSR) ? value_read(path) : NULL;
    key->before = NULL;
    key->one_way = sysctl_key_one_way(key->name);
    list->count++;
}

/* net/ipv4/conf/eth0: one interface's settings, which exist only where it
 * does; its defaults (conf/default) stand for them. */
static bool per_interface_directory(const char *parent, const char *name)
{
    const char *last = strrchr(parent, '/');
    if (strncmp(parent, "net/", 4) != 0 || last == NULL)
        return false;
    return (strcmp(last, "/conf") == 0 || strcmp(last, "/neigh") == 0) &&
           strcmp(name, "all") != 0 && strcmp(name, "default") != 0;
}

static int walk(int directory_fd, const char *prefix, dev_t device, struct key_list *list)
{
    DIR *directory = fdopendir(directory_fd);
    if (directory == NULL) {
        close(directory_fd);
        return -1;
    }
    int rc = 0;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "", entry->d_name);
        struct stat st;
        if (fstatat(dirfd(directory), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            st.st_dev != device)
            continue; /* binfmt_misc and the like: their own file systems */
        if (S_ISREG(st.st_mode)) {
            key_add(list, path, st.st_mode);
        } else if (S_ISDIR(st.st_mode) && !per_interface_directory(prefix, entry->d_name)) {
            int child = openat(dirfd(directory), entry->d_name,
                               O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
            if (child >= 0)
                rc = walk(child, path, device, list);
        }
    }
    closedir(directory);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct probe_key *)a)->name, ((const struct probe_key *)b)->name);
}

/* ---- inside a scratch namespace ---- */

static struct probe_observation *seen(const struct probe_result *result, size_t key,
                                      enum probe_type type)
{
    return &result->observations[key * PROBE_TYPE_COUNT + type];
}

/* Tries each different value, then the one already there. */
static void try_writes(const struct probe_key *key, const char *inside, struct probe_observation *o,
                       bool same_too)
{
    if (key->one_way)
        return;
    char candidates[2][PROBE_VALUE_SIZE];
    size_t count = sysctl_probe_candidates(inside, candidates, 2);
    for (size_t c = 0; c < count; c++) {
        if (value_write(key->path, candidates[c])) {
            o->wrote_other = 1;
            memcpy(o->written, candidates[c], PROBE_VALUE_SIZE);
            return;
        }
        if (errno == EACCES || errno == EPERM)
            return;
    }
    if (same_too && value_write(key->path, inside))
        o->wrote_same = 1;
}

/* Whether KEY is there, as seen from here, with the mode the kernel gives it here. */
static bool key_stat(const struct probe_key *key, struct stat *st)
{
    char full[512];
    snprintf(full, sizeof(full), "/proc/sys/%s", key->path);
    return stat(full, st) == 0;
}

static void note_mode(struct probe_observation *o, const struct stat *st)
{
    o->visible = 1;
    o->readable = (st->st_mode & S_IRUSR) != 0;
    o->writable_mode = (st->st_mode & S_IWUSR) != 0;
}

/* Plain: what root sees (the user probe has no plain one, so it notes it
 * too); in a new network namespace of the host's user namespace, as
 * containers get it, root also writes the net keys the kernel leaves
 * writable there (one that reached the host is put back after). Owned: the
 * unprivileged root tries every key it may write. */
static void observe(const struct probe_result *result, enum probe_type type, bool owned)
{
    for (size_t i = 0; i < result->count; i++) {
        const struct probe_key *key = &result->keys[i];
        struct probe_observation *o = seen(result, i, type);
        struct stat st;
        if (!key_stat(key, &st))
            continue;
        if (!owned || type == PROBE_USER)
            note_mode(o, &st);
        bool write = owned ? key->host_value != NULL && (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH))
                           : type == PROBE_NET && o->writable_mode && key->host_value != NULL &&
                                 strncmp(key->name, "net.", 4) == 0;
        if (!write)
            continue;
        cleanup_free char *inside = value_read(key->path);
        if (inside != NULL || owned)
            try_writes(key, inside != NULL ? inside : key->host_value, o, owned);
    }
}

/* The UTS namespace's own calls: what they change belongs to it. */
static void observe_uts_calls(const struct probe_result *result, enum probe_type type)
{
    if (sethostname(PROBE_MUTATION, strlen(PROBE_MUTATION)) < 0 ||
        setdomainname(PROBE_MUTATION, strlen(PROBE_MUTATION)) < 0)
        return;
    for (size_t i = 0; i < result->count; i++) {
        cleanup_free char *now =
            result->keys[i].host_value ? value_read(result->keys[i].path) : NULL;
        if (now != NULL && strcmp(now, PROBE_MUTATION) == 0)
            seen(result, i, type)->mutated = 1;
    }
}

/* Exit statuses of a probe child. */
enum { PROBE_OK, PROBE_NO_NAMESPACE, PROBE_NOT_CONFINED, PROBE_NO_IDS };

/* The user namespace's root becomes the host's nobody, so no write of the
 * probe can pass the kernel's check for global settings (owner root only). */
static int become_namespace_root(int ready, int go)
{
    char byte = 0;
    if (write(ready, &byte, 1) != 1 || read(go, &byte, 1) != 1 || byte != 1)
        return PROBE_NO_IDS;
    if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return PROBE_NO_IDS;
    /* Belt and braces: a global key must refuse this process. */
    int fd = open("/proc/sys/kernel/pid_max", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return PROBE_NOT_CONFINED;
    }
    return PROBE_OK;
}

/* PID and time namespaces take effect for children only. */
static int in_children(enum probe_type type)
{
    if (type != PROBE_PID && type != PROBE_TIME)
        return PROBE_OK;
    pid_t child = fork();
    if (child < 0)
        return PROBE_NO_NAMESPACE;
    if (child == 0)
        return -1; /* the caller goes on, as the child */
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            _exit(PROBE_NO_NAMESPACE);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : PROBE_NO_NAMESPACE);
}

static int probe_child(const struct probe_result *result, enum probe_type type, bool owned,
                       int ready, int go)
{
    if (owned) {
        if (unshare(CLONE_NEWUSER) < 0)
            return PROBE_NO_NAMESPACE;
        int rc = become_namespace_root(ready, go);
        if (rc != PROBE_OK)
            return rc;
    }
    if (type != PROBE_USER && unshare(probe_type_flags[type]) < 0)
        return PROBE_NO_NAMESPACE;
    int rc = in_children(type);
    if (rc > 0)
        return rc;
    observe(result, type, owned);
    if (owned && type == PROBE_UTS)
        observe_uts_calls(result, type);
    return PROBE_OK;
}

static int write_id_map(pid_t child, const char *file)
{
    char path[64], map[32];
    snprintf(path, sizeof(path), "/proc/%d/%s", child, file);
    snprintf(map, sizeof(map), "0 %d 1\n", PROBE_HOST_ID);
    cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
    return fd >= 0 && write(fd, map, strlen(map)) == (ssize_t)strlen(map) ? 0 : -1;
}

/* ---- one stage, seen from the host ---- */

/* Keys a probe may write: their host values just before it, so a change it
 * makes is seen even when the kernel stores the value differently. */
static void remember_before(const struct probe_result *result)
{
    for (size_t i = 0; i < result->count; i++) {
        struct probe_key *key = &result->keys[i];
        free(key->before);
        key->before = key->host_value != NULL && (key->host_mode & 0222) && !key->one_way
                          ? value_read(key->path)
                          : NULL;
    }
}

/* A key a probe wrote whose host value changed is put back. A key that
 * drifts on its own (it changed between the walk and this probe) counts
 * only when it now holds exactly the value written. */
static void undo_leaks(const struct probe_result *result, enum probe_type type)
{
    for (size_t i = 0; i < result->count; i++) {
        struct probe_observation *o = seen(result, i, type);
        const struct probe_key *key = &result->keys[i];
        if (!o->wrote_other || key->before == NULL)
            continue;
        cleanup_free char *now = value_read(key->path);
        bool drifts = strcmp(key->before, key->host_value) != 0;
        if (now == NULL || strcmp(now, key->before) == 0 ||
            (drifts && strcmp(now, o->written) != 0))
            continue;
        o->leaked = 1;
        value_write(key->path, key->before);
        cleanup_free char *again = value_read(key->path);
        if (again == NULL || strcmp(again, key->before) != 0)
            o->not_restored = 1;
    }
}

static const char *stage_failure(int code)
{
    return code == PROBE_NOT_CONFINED ? "its unprivileged root could write a global key"
           : code == PROBE_NO_IDS     ? "could not become the user namespace's root"
                                      : "could not create the namespace";
}

/* Runs one probe; returns its exit status (PROBE_OK, ...), -1 when it could not be run. */
static int stage_run(const struct probe_result *result, enum probe_type type, bool owned,
                     husk_error_t *err)
{
    int ready[2], go[2];
    if (pipe2(ready, O_CLOEXEC) < 0)
        return husk_error_set(err, errno, "pipe");
    if (pipe2(go, O_CLOEXEC) < 0) {
        close(ready[0]);
        close(ready[1]);
        return husk_error_set(err, errno, "pipe");
    }
    remember_before(result);
    pid_t child = fork();
    if (child == 0) {
        close(ready[0]);
        close(go[1]);
        _exit(probe_child(result, type, owned, ready[1], go[0]));
    }
    close(ready[1]);
    close(go[0]);
    char byte;
    /* A child that failed to unshare closes its end: no go is sent then
     * (SIGPIPE is ignored for the run anyway). */
    if (child > 0 && owned && read(ready[0], &byte, 1) == 1) {
        byte = write_id_map(child, "uid_map") == 0 && write_id_map(child, "gid_map") == 0;
        if (write(go[1], &byte, 1) != 1)
            byte = 0;
    }
    close(ready[0]);
    close(go[1]);
    if (child < 0)
        return husk_error_set(err, errno, "fork the sysctl probe");
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return husk_error_set(err, errno, "wait for the sysctl probe");
    undo_leaks(result, type);
    return WIFEXITED(status) ? WEXITSTATUS(status) : PROBE_NO_NAMESPACE;
}

/* ---- the whole run ---- */

void sysctl_probe_free(struct probe_result *result)
{
    for (size_t i = 0; i < result->count; i++) {
        free(result->keys[i].name);
        free(result->keys[i].path);
        free(result->keys[i].host_value);
        free(result->keys[i].before);
    }
    free(result->limitation);
    free(result->keys);
    if (result->observations != NULL)
        munmap(result->observations,
               result->count * PROBE_TYPE_COUNT * sizeof(*result->observations));
    *result = (struct probe_result){0};
}

int first_network_namespace_open(void)
{
    /* PID 1 may refuse (a protected init); kthreadd, PID 2 when the PID
     * namespace is the first, runs where every kernel thread does. */
    int fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    char comm[32] = "";
    cleanup_close int comm_fd = open("/proc/2/comm", O_RDONLY | O_CLOEXEC);
    ssize_t n = comm_fd >= 0 ? read(comm_fd, comm, sizeof(comm) - 1) : -1;
    if (n <= 0 || strncmp(comm, "kthreadd\n", 9) != 0)
        return -1;
    return open("/proc/2/ns/net", O_RDONLY | O_CLOEXEC);
}

/* The net keys are read where the kernel keeps its global values, the
 * first network namespace, also when husk itself runs in another (a
 * sandbox), where global keys are hidden or read-only as in containers.
 * Returns husk's own namespace to go back to, or -1 when it stays. */
static int enter_first_network_namespace(void)
{
    struct stat mine, first;
    cleanup_close int target = first_network_namespace_open();
    if (target < 0 || stat("/proc/self/ns/net", &mine) < 0 || fstat(target, &first) < 0 ||
        mine.st_ino == first.st_ino)
        return -1;
    int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0 || setns(target, CLONE_NEWNET) < 0) {
        if (own >= 0)
            close(own);
        return -1;
    }
    return own;
}

static void leave_first_network_namespace(int own)
{
    if (own < 0)
        return;
    if (setns(own, CLONE_NEWNET) < 0)
        abort(); /* going on in the wrong namespace would be worse */
    close(own);
}

static int probe_all(struct probe_result *result, husk_error_t *err);

/* Every type, plain then owned. Without user namespaces (disabled, or
 * refused by a seccomp filter) the owned probes are left out and the
 * result says so; any other failure ends the run. */
static int stages_run(struct probe_result *result, husk_error_t *err)
{
    bool owned_possible = true;
    for (int type = 0; type < PROBE_TYPE_COUNT; type++) {
        for (int owned = type == PROBE_USER; owned <= owned_possible; owned++) {
            int code = stage_run(result, type, owned, err);
            if (code < 0)
                return -1;
            if (code == PROBE_NO_NAMESPACE && owned && type == PROBE_USER) {
                owned_possible = false;
                result->limitation = xstrdup("no user namespace could be created: keys isolated "
                                             "by IPC, UTS, PID and user namespaces are not found");
                continue;
            }
            if (code != PROBE_OK)
                return husk_error_set(err, 0, "sysctl probe in a new %s namespace%s: %s",
                                      probe_type_names[type],
                                      owned ? " of a new user namespace" : "", stage_failure(code));
        }
    }
    return 0;
}

int sysctl_probe_run(struct probe_result *result, husk_error_t *err)
{
    struct sigaction ignore = {.sa_handler = SIG_IGN}, previous;
    sigaction(SIGPIPE, &ignore, &previous);
    int own = enter_first_network_namespace();
    int rc = probe_all(result, err);
    leave_first_network_namespace(own);
    sigaction(SIGPIPE, &previous, NULL);
    return rc;
}

static int probe_all(struct probe_result *result, husk_error_t *err)
{
    *result = (struct probe_result){0};
    struct key_list list = {0};
    struct stat root;
    int fd = open("/proc/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &root) < 0) {
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, errno, "open /proc/sys");
    }
    int rc = walk(fd, "", root.st_dev, &list);
    result->keys = list.keys;
    result->count = list.count;
    if (rc < 0 || list.count == 0) {
        int saved = rc < 0 ? errno : ENOENT;
        sysctl_probe_free(result);
        return husk_error_set(err, saved, "read the keys under /proc/sys");
    }
    qsort(result->keys, result->count, sizeof(*result->keys), by_name);
    /* Shared with the probe children, which fill it in. */
    void *shared = mmap(NULL, result->count * PROBE_TYPE_COUNT * sizeof(*result->observations),
                        PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        sysctl_probe_free(result);
        return husk_error_set(err, errno, "map the sysctl observations");
    }
    result->observations = shared;
    if (stages_run(result, err) < 0) {
        sysctl_probe_free(result);
        return -1;
    }
    return 0;
}
