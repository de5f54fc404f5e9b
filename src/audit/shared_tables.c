#include "shared_tables.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "sysctl_probe.h"

/* ---- reading the kernel's numbers ---- */

/* The whole file, or NULL when it cannot be read. */
static char *text_of(const char *path)
{
    char *text = NULL;
    return file_read_all(AT_FDCWD, path, &text, NULL, NULL) == 0 ? text : NULL;
}

/* Field FIELD (from 0) of a whitespace-separated text file. */
static bool field_of(const char *path, int field, long long *value)
{
    cleanup_free char *text = text_of(path);
    char *p = text;
    for (int i = 0; p != NULL && i < field; i++) {
        p += strspn(p, " \t\n");
        p += strcspn(p, " \t\n");
    }
    char *end;
    if (p == NULL || (*value = strtoll(p, &end, 10), end == p))
        return false;
    return true;
}

/* Some limits (tcp_mem, udp_mem) exist only in the first network namespace;
 * when husk runs in another, a child reads them from the first one. */
static bool host_sysctl(const char *path, int field, long long *value)
{
    char full[256];
    snprintf(full, sizeof(full), "/proc/sys/%s", path);
    if (field_of(full, field, value))
        return true;
    struct stat mine, first;
    int first_fd = first_network_namespace_open();
    bool elsewhere = first_fd >= 0 && fstat(first_fd, &first) == 0 &&
                     stat("/proc/self/ns/net", &mine) == 0 && mine.st_ino != first.st_ino;
    if (first_fd >= 0)
        close(first_fd);
    if (!elsewhere)
        return false; /* this kernel has no such key */
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return false;
    pid_t child = fork();
    if (child == 0) {
        int netns = first_network_namespace_open();
        long long found;
        if (netns >= 0 && setns(netns, CLONE_NEWNET) == 0 && field_of(full, field, &found) &&
            write(pipe_fds[1], &found, sizeof(found)) == sizeof(found))
            _exit(0);
        _exit(1);
    }
    close(pipe_fds[1]);
    bool ok = child > 0 && read(pipe_fds[0], value, sizeof(*value)) == sizeof(*value);
    close(pipe_fds[0]);
    while (child > 0 && waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    return ok;
}

static void proc_path(pid_t pid, const char *rest, char *path, size_t size)
{
    if (pid > 0)
        snprintf(path, size, "/proc/%d/%s", pid, rest);
    else
        snprintf(path, size, "/proc/self/%s", rest);
}

/* "TCP: inuse 5 orphan 0 tw 2 alloc 6 mem 1" -> the number after NAME. */
static long long sockstat_value(const char *sockstat, const char *protocol, const char *name)
{
    const char *line = sockstat ? strstr(sockstat, protocol) : NULL;
    if (line == NULL || (line != sockstat && line[-1] != '\n'))
        return -1;
    size_t name_length = strlen(name);
    for (const char *p = line + 1; *p && *p != '\n'; p++)
        if (p[-1] == ' ' && strncmp(p, name, name_length) == 0 && p[name_length] == ' ')
            return strtoll(p + name_length + 1, NULL, 10);
    return -1;
}

/* ---- rows ---- */

struct row {
    const char *table, *key, *unit, *shared, *mitigation;
    long long limit, used;
    long long *by_party; /* NULL: not attributed */
    long long share_of;  /* what Users' percentages are of; 0: used */
};

static int by_used(const void *a, const void *b)
{
    long long x = json_integer_value(json_object_get(*(json_t *const *)a, "Used"));
    long long y = json_integer_value(json_object_get(*(json_t *const *)b, "Used"));
    return (y > x) - (y < x);
}

static json_t *row_json(const struct row *r, const struct audit_party *parties, size_t count)
{
    json_t *users = json_array();
    size_t n = 0;
    json_t **list = xcalloc(count, sizeof(*list));
    double base = (double)(r->share_of > 0 ? r->share_of : r->used);
    for (size_t i = 0; r->by_party && i < count; i++)
        if (r->by_party[i] > 0)
            list[n++] = json_pack("{s:s, s:I, s:f}", "Name", parties[i].name, "Used",
                                  (json_int_t)r->by_party[i], "Percent",
                                  base > 0 ? 100.0 * (double)r->by_party[i] / base : 0.0);
    qsort(list, n, sizeof(*list), by_used);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(users, list[i]);
    free(list);
    return json_pack("{s:s, s:{s:s, s:I}, s:I, s:f, s:s, s:o, s:s, s:s}", "Table", r->table,
                     "Limit", "Key", r->key, "Value", (json_int_t)r->limit, "Used",
                     (json_int_t)r->used, "Percent",
                     r->limit > 0 ? 100.0 * (double)r->used / (double)r->limit : 0.0, "Unit",
                     r->unit, "Users", users, "Shared", r->shared, "Mitigation", r->mitigation);
}

/* The party that owns each party's network namespace (the first with it):
 * counts of a shared namespace go to one. */
static size_t netns_owner(const struct audit_party *parties, size_t self)
{
    for (size_t i = 0; i < self; i++)
        if (parties[i].netns == parties[self].netns)
            return i;
    return self;
}

/* ---- conntrack ---- */

size_t conntrack_line_addresses(const char *line, uint32_t addresses[4])
{
    size_t count = 0;
    for (const char *p = line; count < 4 && (p = strstr(p, "=")) != NULL; p++) {
        bool address_field = (p - line >= 4 && strncmp(p - 4, " src", 4) == 0) ||
                             (p - line >= 4 && strncmp(p - 4, " dst", 4) == 0);
        if (!address_field)
            continue;
        char text[INET_ADDRSTRLEN];
        struct in_addr address;
        snprintf(text, sizeof(text), "%.*s", (int)strcspn(p + 1, " \n"), p + 1);
        if (inet_pton(AF_INET, text, &address) != 1)
            return count;
        addresses[count++] = ntohl(address.s_addr);
    }
    return count;
}

static long long conntrack_count(pid_t pid)
{
    char path[64];
    proc_path(pid, "net/stat/nf_conntrack", path, sizeof(path));
    cleanup_free char *text = text_of(path);
    const char *second = text ? strchr(text, '\n') : NULL;
    return second ? strtoll(second + 1, NULL, 16) : -1;
}

static ssize_t party_of_address(const struct audit_party *parties, size_t count, uint32_t address)
{
    for (size_t i = 1; i < count; i++)
        for (size_t a = 0; a < parties[i].address_count; a++)
            if (parties[i].addresses[a] == address)
                return (ssize_t)i;
    return -1;
}

/* Entries in husk's own table made for a container's traffic (NAT,
 * published ports, bridged packets) count as that container's. */
static void conntrack_attribute(const struct audit_party *parties, size_t count, long long *by)
{
    cleanup_fclose FILE *table = fopen("/proc/self/net/nf_conntrack", "re");
    char line[1024];
    while (table != NULL && fgets(line, sizeof(line), table) != NULL) {
        uint32_t addresses[4];
        size_t n = conntrack_line_addresses(line, addresses);
        ssize_t i = -1;
        for (size_t a = 0; a < n && i < 0; a++)
            i = party_of_address(parties, count, addresses[a]);
        if (i > 0 && by[0] > 0) {
            by[i]++;
            by[0]--;
        }
    }
}

/* The kernel compares each network namespace's own count with the one
 * limit (measured on 6.18: two namespaces held 80 entries each under a limit
 * of 100), so the fullest namespace is what runs out first; the host's also
 * holds the entries of every container's NAT'd and published traffic. */
static json_t *conntrack_row(const struct audit_party *parties, size_t count)
{
    long long limit, buckets = 0;
    if (!host_sysctl("net/netfilter/nf_conntrack_max", 0, &limit))
        return NULL;
    host_sysctl("net/netfilter/nf_conntrack_buckets", 0, &buckets);
    cleanup_free long long *by = xcalloc(count, sizeof(*by));
    cleanup_free long long *own = xcalloc(count, sizeof(*own));
    long long fullest = 0, total = 0;
    for (size_t i = 0; i < count; i++) {
        if (netns_owner(parties, i) != i)
            continue;
        long long n = conntrack_count(parties[i].pid);
        own[i] = by[i] = n > 0 ? n : 0;
        total += by[i];
    }
    conntrack_attribute(parties, count, by);
    for (size_t i = 0; i < count; i++)
        fullest = own[i] > fullest ? own[i] : fullest;
    char shared[320];
    snprintf(shared, sizeof(shared),
             "one limit and one hash table (%lld buckets) for the host and every container; "
             "each network namespace may fill up to the limit, and the host's also holds "
             "the entries of every container's NAT'd traffic",
             buckets);
    struct row r = {"conntrack",
                    "net.netfilter.nf_conntrack_max",
                    "entries",
                    shared,
                    "raise net.netfilter.nf_conntrack_max on the host, or limit the "
                    "connections of the containers holding most entries",
                    limit,
                    fullest,
                    by,
                    total};
    return row_json(&r, parties, count);
}

/* ---- processes, files ---- */

static long long status_number(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    cleanup_fclose FILE *status = fopen(path, "re");
    size_t length = strlen(field);
    while (status != NULL && fgets(line, sizeof(line), status) != NULL)
        if (strncmp(line, field, length) == 0 && line[length] == ':')
            return strtoll(line + length + 1, NULL, 10);
    return 0;
}

static long long open_files(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    DIR *directory = opendir(path);
    long long n = 0;
    struct dirent *entry;
    while (directory != NULL && (entry = readdir(directory)) != NULL)
        n += entry->d_name[0] != '.';
    if (directory != NULL)
        closedir(directory);
    return n;
}

/* Per container, the sum over its processes; the host gets the rest. */
static void by_members(const struct audit_party *parties, size_t count, long long used,
                       long long (*measure)(pid_t, const char *), const char *what, long long *by)
{
    long long rest = used;
    for (size_t i = 1; i < count; i++) {
        for (size_t m = 0; m < parties[i].member_count; m++)
            by[i] += measure(parties[i].members[m], what);
        rest -= by[i];
    }
    by[0] = rest > 0 ? rest : 0;
}

static long long threads_of(pid_t pid, const char *unused)
{
    (void)unused;
    return status_number(pid, "Threads");
}

static long long files_of(pid_t pid, const char *unused)
{
    (void)unused;
    return open_files(pid);
}

static long long total_threads(void)
{
    cleanup_free char *loadavg = text_of("/proc/loadavg");
    const char *slash = loadavg ? strchr(loadavg, '/') : NULL;
    return slash ? strtoll(slash + 1, NULL, 10) : 0;
}

static void process_rows(const struct audit_party *parties, size_t count, json_t *rows)
{
    long long pid_max, threads_max, used = total_threads();
    cleanup_free long long *by = xcalloc(count, sizeof(*by));
    by_members(parties, count, used, threads_of, NULL, by);
    const char *shared = "one PID and thread space counted across every PID namespace: each "
                         "task takes a PID in the host's namespace too";
    const char *mitigation = "give every container a --pids-limit";
    if (host_sysctl("kernel/pid_max", 0, &pid_max)) {
        struct row r = {"pids", "kernel.pid_max", "tasks", shared, mitigation, pid_max, used, by};
        json_array_append_new(rows, row_json(&r, parties, count));
    }
    if (host_sysctl("kernel/threads-max", 0, &threads_max)) {
        struct row r = {"threads",  "kernel.threads-max", "tasks", shared,
                        mitigation, threads_max,          used,    by};
        json_array_append_new(rows, row_json(&r, parties, count));
    }
}

static void file_rows(const struct audit_party *parties, size_t count, json_t *rows)
{
    long long allocated, limit, aio, aio_max;
    if (host_sysctl("fs/file-nr", 0, &allocated) && host_sysctl("fs/file-max", 0, &limit)) {
        cleanup_free long long *by = xcalloc(count, sizeof(*by));
        by_members(parties, count, allocated, files_of, NULL, by);
        struct row r = {"open files",
                        "fs.file-max",
                        "files",
                        "one count of open files for the whole kernel (fs.file-nr); per "
                        "container, the descriptors its processes hold",
                        "lower the containers' --ulimit nofile, or raise fs.file-max",
                        limit,
                        allocated,
                        by};
        json_array_append_new(rows, row_json(&r, parties, count));
    }
    if (host_sysctl("fs/aio-nr", 0, &aio) && host_sysctl("fs/aio-max-nr", 0, &aio_max)) {
        struct row r = {"aio requests",
                        "fs.aio-max-nr",
                        "requests",
                        "one count of asynchronous I/O contexts for the whole kernel",
                        "raise fs.aio-max-nr on the host",
                        aio_max,
                        aio,
                        NULL};
        json_array_append_new(rows, row_json(&r, parties, count));
    }
}

/* ---- per-user tables: inotify, keys ---- */

struct user_usage {
    uid_t uid;
    long long instances, watches;
    long long *instances_by, *watches_by;
};

static ssize_t party_of_process(const struct audit_party *parties, size_t count, pid_t pid)
{
    for (size_t i = 1; i < count; i++)
        for (size_t m = 0; m < parties[i].member_count; m++)
            if (parties[i].members[m] == pid)
                return (ssize_t)i;
    return 0;
}

static struct user_usage *user_find(struct user_usage **users, size_t *n, uid_t uid, size_t parties)
{
    for (size_t i = 0; i < *n; i++)
        if ((*users)[i].uid == uid)
            return &(*users)[i];
    *users = xreallocarray(*users, *n + 1, sizeof(**users));
    (*users)[*n] = (struct user_usage){.uid = uid,
                                       .instances_by = xcalloc(parties, sizeof(long long)),
                                       .watches_by = xcalloc(parties, sizeof(long long))};
    return &(*users)[(*n)++];
}

static long long inotify_watches(pid_t pid, const char *fd)
{
    char path[300], line[512];
    snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
    cleanup_fclose FILE *info = fopen(path, "re");
    long long n = 0;
    while (info != NULL && fgets(line, sizeof(line), info) != NULL)
        n += strncmp(line, "inotify wd:", 11) == 0;
    return n;
}

/* The user an inotify instance is charged to on the host: the process's
 * own, or for a process in another user namespace (--userns private) the
 * namespace's owner, since the kernel counts instances up the chain of
 * user namespaces. */
static uid_t inotify_charged_user(pid_t pid, ino_t own_user_namespace)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uid_t owner;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_ino != own_user_namespace &&
        ioctl(fd, NS_GET_OWNER_UID, &owner) == 0)
        return owner;
    return (uid_t)status_number(pid, "Uid");
}

/* Every process's inotify descriptors, by the user they are charged to. */
static void inotify_scan(const struct audit_party *parties, size_t count, ino_t own_user_namespace,
                         struct user_usage **users, size_t *n)
{
    DIR *proc = opendir("/proc");
    struct dirent *entry;
    while (proc != NULL && (entry = readdir(proc)) != NULL) {
        pid_t pid = (pid_t)strtol(entry->d_name, NULL, 10);
        if (pid <= 0)
            continue;
        char path[64], target[64];
        snprintf(path, sizeof(path), "/proc/%d/fd", pid);
        DIR *fds = opendir(path);
        struct dirent *fd;
        ssize_t party = -1;
        struct user_usage *user = NULL;
        while (fds != NULL && (fd = readdir(fds)) != NULL) {
            ssize_t length = readlinkat(dirfd(fds), fd->d_name, target, sizeof(target) - 1);
            if (length < 0 || (target[length] = '\0', strcmp(target, "anon_inode:inotify") != 0))
                continue;
            if (party < 0) {
                party = party_of_process(parties, count, pid);
                user = user_find(users, n, inotify_charged_user(pid, own_user_namespace), count);
            }
            long long watches = inotify_watches(pid, fd->d_name);
            user->instances++;
            user->watches += watches;
            user->instances_by[party]++;
            user->watches_by[party] += watches;
        }
        if (fds != NULL)
            closedir(fds);
    }
    if (proc != NULL)
        closedir(proc);
}

static void inotify_rows(const struct audit_party *parties, size_t count, json_t *rows)
{
    long long max_instances, max_watches;
    if (!host_sysctl("fs/inotify/max_user_instances", 0, &max_instances) ||
        !host_sysctl("fs/inotify/max_user_watches", 0, &max_watches))
        return;
    struct user_usage *users = NULL;
    size_t n = 0;
    /* root's row always: the host's root and every container without --userns share it */
    user_find(&users, &n, 0, count);
    struct stat own;
    inotify_scan(parties, count, stat("/proc/self/ns/user", &own) == 0 ? own.st_ino : 0, &users,
                 &n);
    for (size_t i = 0; i < n; i++) {
        char table[64], watches[64];
        snprintf(table, sizeof(table), "inotify instances (uid %u)", (unsigned)users[i].uid);
        snprintf(watches, sizeof(watches), "inotify watches (uid %u)", (unsigned)users[i].uid);
        const char *shared = "one quota per user ID for the host's processes and every "
                             "container running as this user; a user namespace's processes "
                             "count against its owner too";
        struct row r = {table,
                        "fs.inotify.max_user_instances",
                        "instances",
                        shared,
                        "raise the limit on the host, or run containers as distinct non-root "
                        "users",
                        max_instances,
                        users[i].instances,
                        users[i].instances_by};
        json_array_append_new(rows, row_json(&r, parties, count));
        struct row w = {watches,          "fs.inotify.max_user_watches",
                        "watches",        shared,
                        r.mitigation,     max_watches,
                        users[i].watches, users[i].watches_by};
        json_array_append_new(rows, row_json(&w, parties, count));
        free(users[i].instances_by);
        free(users[i].watches_by);
    }
    free(users);
}

/* /proc/key-users: "    0:     9 8/8 4/1000000 58/25000000". */
static void key_rows(const struct audit_party *parties, size_t count, json_t *rows)
{
    cleanup_fclose FILE *key_users = fopen("/proc/key-users", "re");
    char line[256];
    while (key_users != NULL && fgets(line, sizeof(line), key_users) != NULL) {
        unsigned uid;
        long long usage, keys, instantiated, quota_keys, max_keys, quota_bytes, max_bytes;
        if (sscanf(line, " %u: %lld %lld/%lld %lld/%lld %lld/%lld", &uid, &usage, &keys,
                   &instantiated, &quota_keys, &max_keys, &quota_bytes, &max_bytes) != 8)
            continue;
        char table[64];
        snprintf(table, sizeof(table), "kernel keys (uid %u)", uid);
        struct row r = {table,
                        uid == 0 ? "kernel.keys.root_maxkeys" : "kernel.keys.maxkeys",
                        "keys",
                        "one key quota per user ID for the host and every container running "
                        "as that user",
                        "run containers with --userns private, or raise the limit",
                        max_keys,
                        quota_keys,
                        NULL};
        json_array_append_new(rows, row_json(&r, parties, count));
    }
}

/* ---- sockets ---- */

/* tcp_mem / udp_mem: pages in use against the third value, the hard limit. */
static void memory_row(const struct audit_party *parties, size_t count, const char *table,
                       const char *key, long long pages, long long *sockets_by, json_t *rows)
{
    char path[64], mitigation[160];
    long long limit;
    snprintf(path, sizeof(path), "%s", key);
    for (char *c = path; *c; c++)
        *c = *c == '.' ? '/' : *c;
    if (pages < 0 || !host_sysctl(path, 2, &limit))
        return;
    snprintf(mitigation, sizeof(mitigation),
             "set memory limits on the containers with most sockets, or raise %s on the host", key);
    struct row r = {table,
                    key,
                    "pages",
                    "one pool of socket buffer pages for every network namespace; Users are "
                    "sockets in use per namespace (the kernel does not count pages per "
                    "namespace); the limit is hidden inside containers",
                    mitigation,
                    limit,
                    pages,
                    sockets_by};
    json_array_append_new(rows, row_json(&r, parties, count));
}

static void socket_rows(const struct audit_party *parties, size_t count, json_t *rows)
{
    cleanup_free long long *tcp_by = xcalloc(count, sizeof(long long));
    cleanup_free long long *udp_by = xcalloc(count, sizeof(long long));
    cleanup_free long long *hash_by = xcalloc(count, sizeof(long long));
    long long tcp_pages = -1, udp_pages = -1, hashed = 0;
    for (size_t i = 0; i < count; i++) {
        if (netns_owner(parties, i) != i)
            continue;
        char path[64];
        proc_path(parties[i].pid, "net/sockstat", path, sizeof(path));
        cleanup_free char *sockstat = text_of(path);
        long long tcp = sockstat_value(sockstat, "TCP:", "inuse");
        long long tw = sockstat_value(sockstat, "TCP:", "tw");
        long long udp = sockstat_value(sockstat, "UDP:", "inuse");
        if (i == 0) { /* pages are counted for all namespaces together */
            tcp_pages = sockstat_value(sockstat, "TCP:", "mem");
            udp_pages = sockstat_value(sockstat, "UDP:", "mem");
        }
        tcp_by[i] = tcp > 0 ? tcp : 0;
        udp_by[i] = udp > 0 ? udp : 0;
        hash_by[i] = tcp_by[i] + (tw > 0 ? tw : 0);
        hashed += hash_by[i];
    }
    long long limit, child_hash = 0;
    memory_row(parties, count, "tcp memory", "net.ipv4.tcp_mem", tcp_pages, tcp_by, rows);
    memory_row(parties, count, "udp memory", "net.ipv4.udp_mem", udp_pages, udp_by, rows);
    host_sysctl("net/ipv4/tcp_child_ehash_entries", 0, &child_hash);
    /* Negative in a namespace that uses the global table: its size, negated. */
    if (child_hash == 0 && host_sysctl("net/ipv4/tcp_ehash_entries", 0, &limit) &&
        (limit = llabs(limit)) > 0) {
        struct row r = {"tcp established hash",
                        "net.ipv4.tcp_ehash_entries",
                        "sockets",
                        "one hash table of TCP connections (established and time-wait) for "
                        "every network namespace (net.ipv4.tcp_child_ehash_entries is 0)",
                        "set net.ipv4.tcp_child_ehash_entries on the host so new network "
                        "namespaces get tables of their own",
                        limit,
                        hashed,
                        hash_by};
        json_array_append_new(rows, row_json(&r, parties, count));
    }
}

static void pty_row(const struct audit_party *parties, size_t count, json_t *rows)
{
    long long used, limit;
    if (!host_sysctl("kernel/pty/nr", 0, &used) || !host_sysctl("kernel/pty/max", 0, &limit))
        return;
    struct row r = {"ptys",
                    "kernel.pty.max",
                    "ptys",
                    "one count of pseudo-terminals across every devpts instance",
                    "raise kernel.pty.max on the host",
                    limit,
                    used,
                    NULL};
    json_array_append_new(rows, row_json(&r, parties, count));
}

json_t *shared_tables_read(const struct audit_party *parties, size_t count)
{
    json_t *rows = json_array();
    json_t *conntrack = conntrack_row(parties, count);
    if (conntrack != NULL)
        json_array_append_new(rows, conntrack);
    process_rows(parties, count, rows);
    file_rows(parties, count, rows);
    inotify_rows(parties, count, rows);
    key_rows(parties, count, rows);
    socket_rows(parties, count, rows);
    pty_row(parties, count, rows);
    return rows;
}
