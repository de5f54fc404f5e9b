/* `husk-oci exec` and `husk-oci update`: the commands whose flags build a
 * JSON document (a process, or linux.resources). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../runtime/oci/oci.h"
#include "../util/cleanup.h"
#include "../util/json_text.h"
#include "../util/xalloc.h"
#include "oci.h"
#include "option_table.h"

/* --- exec ------------------------------------------------------------------------ */

enum { E_CWD = 1000, E_NO_NEW_PRIVS, E_PID_FILE, E_CONSOLE, E_PRESERVE, E_IGNORED };

static const struct cli_option exec_options[] = {
    {{"process", required_argument, NULL, 'p'}, 'p', "FILE", "the whole process (process.json)"},
    {{"tty", no_argument, NULL, 't'}, 't', NULL, "give the process a terminal"},
    {{"cwd", required_argument, NULL, E_CWD}, 0, "DIR", "working directory"},
    {{"env", required_argument, NULL, 'e'}, 'e', "KEY=VALUE", "set an environment variable"},
    {{"user", required_argument, NULL, 'u'}, 'u', "UID[:GID]", "run as this user"},
    {{"additional-gids", required_argument, NULL, 'g'}, 'g', "GID", "a supplementary group"},
    {{"cap", required_argument, NULL, 'c'}, 'c', "CAP", "add a capability"},
    {{"no-new-privs", no_argument, NULL, E_NO_NEW_PRIVS}, 0, NULL, "set no_new_privs"},
    {{"detach", no_argument, NULL, 'd'}, 'd', NULL, "do not wait for the process"},
    {{"pid-file", required_argument, NULL, E_PID_FILE}, 0, "FILE", "write the PID there"},
    {{"console-socket", required_argument, NULL, E_CONSOLE},
     0,
     "SOCKET",
     "send the terminal's master there"},
    {{"preserve-fds", required_argument, NULL, E_PRESERVE}, 0, "N", "pass fds 3..3+N-1"},
    {{"process-label", required_argument, NULL, E_IGNORED}, 0, "LABEL", "accepted (no SELinux)"},
    {{"apparmor", required_argument, NULL, E_IGNORED}, 0, "PROFILE", "accepted (no AppArmor)"},
    {{"cgroup", required_argument, NULL, E_IGNORED}, 0, "PATH", "accepted"},
    {{"ignore-paused", no_argument, NULL, E_IGNORED}, 0, NULL, "accepted"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};
static const struct cli_help exec_help = {
    .usage = "oci exec [OPTIONS] ID [COMMAND [ARG...]]",
    .summary = "Run a process in a created or running container.\n",
    .options = exec_options,
};

struct exec_flags {
    struct oci_exec_options o;
    const char *process_file;
    json_t *overrides; /* owned */
};

static json_t *override_list(json_t *overrides, const char *key)
{
    json_t *list = json_object_get(overrides, key);
    if (list == NULL) {
        list = json_array();
        json_object_set_new(overrides, key, list);
    }
    return list;
}

static int parse_user(json_t *overrides, const char *value)
{
    char *end;
    unsigned long uid = strtoul(value, &end, 10), gid = 0;
    if (end == value || (*end != '\0' && *end != ':'))
        return -1;
    json_t *user = json_object_get(overrides, "user");
    if (user == NULL) {
        user = json_object();
        json_object_set_new(overrides, "user", user);
    }
    json_object_set_new(user, "uid", json_integer((json_int_t)uid));
    if (*end == ':') {
        const char *text = end + 1;
        gid = strtoul(text, &end, 10);
        if (end == text || *end != '\0')
            return -1;
    }
    json_object_set_new(user, "gid", json_integer((json_int_t)gid));
    return 0;
}

static int exec_flag(void *data, int option, const char *value)
{
    struct exec_flags *f = data;
    char *end;
    switch (option) {
    case 'p':
        f->process_file = value;
        return 0;
    case 't':
        json_object_set_new(f->overrides, "terminal", json_true());
        return 0;
    case E_CWD:
        json_object_set_new(f->overrides, "cwd", json_string(value));
        return 0;
    case 'e':
        return json_array_append_new(override_list(f->overrides, "env"), json_string(value));
    case 'u':
        return parse_user(f->overrides, value);
    case 'g': {
        long gid = strtol(value, &end, 10);
        if (*end || gid < 0)
            return -1;
        json_t *user = json_object_get(f->overrides, "user");
        if (user == NULL) {
            user = json_object();
            json_object_set_new(f->overrides, "user", user);
        }
        return json_array_append_new(override_list(user, "additionalGids"), json_integer(gid));
    }
    case 'c':
        return json_array_append_new(override_list(f->overrides, "capabilities"),
                                     json_string(value));
    case E_NO_NEW_PRIVS:
        json_object_set_new(f->overrides, "noNewPrivileges", json_true());
        return 0;
    case 'd':
        f->o.detach = true;
        return 0;
    case E_PID_FILE:
        f->o.pid_file = value;
        return 0;
    case E_CONSOLE:
        f->o.console_socket = value;
        return 0;
    case E_PRESERVE:
        f->o.preserve_fds = (int)strtol(value, &end, 10);
        return *end || f->o.preserve_fds < 0 || f->o.preserve_fds > 4096 ? -1 : 0;
    default:
        return 0;
    }
}

static int load_process(const struct oci_cli *cli, const char *path, json_t **process)
{
    json_error_t parse_error;
    *process = strcmp(path, "-") == 0 ? json_load_path(AT_FDCWD, "/dev/stdin", &parse_error)
                                      : json_load_path(AT_FDCWD, path, &parse_error);
    if (json_is_object(*process))
        return 0;
    husk_error_t err = NULL;
    husk_error_set(&err, 0, "--process %s: %s", path,
                   *process ? "not a JSON object" : parse_error.text);
    json_decref(*process);
    *process = NULL;
    return cli_oci_report(cli, &err);
}

int cli_oci_exec(const struct oci_cli *cli, int argc, char **argv)
{
    struct exec_flags f = {.o = {.root = cli->root, .id = NULL}, .overrides = json_object()};
    cleanup_json json_t *overrides = f.overrides;
    int first = cli_oci_parse_flags(cli, "exec", &exec_help, argc, argv, exec_flag, &f);
    if (first < 0)
        return first == -2 ? 0 : 1;
    if (first >= argc)
        return cli_oci_usage(cli, "exec", "a container ID is needed");
    f.o.id = argv[first];
    cleanup_json json_t *process = NULL;
    if (f.process_file != NULL) {
        if (load_process(cli, f.process_file, &process) != 0)
            return 1;
        f.o.process = process;
    } else {
        if (first + 1 >= argc)
            return cli_oci_usage(cli, "exec", "a command (or --process) is needed");
        json_t *args = override_list(overrides, "args");
        for (int i = first + 1; i < argc; i++)
            json_array_append_new(args, json_string(argv[i]));
        f.o.overrides = overrides;
    }
    husk_error_t err = NULL;
    int status = 0;
    if (oci_exec(&f.o, &status, &err) < 0)
        return cli_oci_report(cli, &err);
    return status;
}

/* --- update ---------------------------------------------------------------------- */

enum {
    U_MEMORY = 1000,
    U_RESERVATION,
    U_SWAP,
    U_SHARES,
    U_QUOTA,
    U_PERIOD,
    U_CPUS,
    U_MEMS,
    U_PIDS,
    U_WEIGHT,
    U_IGNORED
};

static const struct cli_option update_options[] = {
    {{"resources", required_argument, NULL, 'r'}, 'r', "FILE", "linux.resources JSON (- stdin)"},
    {{"memory", required_argument, NULL, U_MEMORY}, 0, "BYTES", "memory limit (k, m, g)"},
    {{"memory-reservation", required_argument, NULL, U_RESERVATION}, 0, "BYTES", "soft limit"},
    {{"memory-swap", required_argument, NULL, U_SWAP}, 0, "BYTES", "memory + swap limit"},
    {{"cpu-shares", required_argument, NULL, U_SHARES}, 0, "N", "CPU weight"},
    {{"cpu-quota", required_argument, NULL, U_QUOTA}, 0, "US", "CFS quota"},
    {{"cpu-period", required_argument, NULL, U_PERIOD}, 0, "US", "CFS period"},
    {{"cpuset-cpus", required_argument, NULL, U_CPUS}, 0, "LIST", "CPUs"},
    {{"cpuset-mems", required_argument, NULL, U_MEMS}, 0, "LIST", "memory nodes"},
    {{"pids-limit", required_argument, NULL, U_PIDS}, 0, "N", "at most N tasks"},
    {{"blkio-weight", required_argument, NULL, U_WEIGHT}, 0, "N", "block I/O weight"},
    {{"kernel-memory", required_argument, NULL, U_IGNORED}, 0, "BYTES", "accepted (obsolete)"},
    {{"kernel-memory-tcp", required_argument, NULL, U_IGNORED}, 0, "BYTES", "accepted"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};
static const struct cli_help update_help = {
    .usage = "oci update [--resources FILE | FLAGS] ID",
    .summary = "Change a running container's cgroup limits.\n",
    .options = update_options,
};

struct update_flags {
    const char *resources_file;
    json_t *resources; /* owned */
};

static bool parse_size(const char *text, json_int_t *value)
{
    char *end;
    long long number = strtoll(text, &end, 10);
    long long unit = 1;
    switch (*end) {
    case 'k':
    case 'K':
        unit = 1LL << 10;
        end++;
        break;
    case 'm':
    case 'M':
        unit = 1LL << 20;
        end++;
        break;
    case 'g':
    case 'G':
        unit = 1LL << 30;
        end++;
        break;
    default:
        break;
    }
    if (*end == 'b' || *end == 'B')
        end++;
    *value = number * (number < 0 ? 1 : unit);
    return end != text && *end == '\0';
}

static int set_value(json_t *resources, const char *section, const char *key, json_t *value)
{
    json_t *object = json_object_get(resources, section);
    if (object == NULL) {
        object = json_object();
        json_object_set_new(resources, section, object);
    }
    return json_object_set_new(object, key, value);
}

static int update_flag(void *data, int option, const char *value)
{
    struct update_flags *f = data;
    static const struct {
        int option;
        const char *section, *key;
        bool string;
    } fields[] = {
        {U_MEMORY, "memory", "limit", false}, {U_RESERVATION, "memory", "reservation", false},
        {U_SWAP, "memory", "swap", false},    {U_SHARES, "cpu", "shares", false},
        {U_QUOTA, "cpu", "quota", false},     {U_PERIOD, "cpu", "period", false},
        {U_CPUS, "cpu", "cpus", true},        {U_MEMS, "cpu", "mems", true},
        {U_PIDS, "pids", "limit", false},     {U_WEIGHT, "blockIO", "weight", false},
    };
    if (option == 'r') {
        f->resources_file = value;
        return 0;
    }
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (fields[i].option != option)
            continue;
        if (fields[i].string)
            return set_value(f->resources, fields[i].section, fields[i].key, json_string(value));
        json_int_t number;
        if (!parse_size(value, &number))
            return -1;
        return set_value(f->resources, fields[i].section, fields[i].key, json_integer(number));
    }
    return 0;
}

int cli_oci_update(const struct oci_cli *cli, int argc, char **argv)
{
    struct update_flags f = {.resources = json_object()};
    cleanup_json json_t *flags = f.resources;
    int first = cli_oci_parse_flags(cli, "update", &update_help, argc, argv, update_flag, &f);
    if (first < 0)
        return first == -2 ? 0 : 1;
    if (first != argc - 1)
        return cli_oci_usage(cli, "update", "exactly one container ID");
    cleanup_json json_t *resources = json_incref(flags);
    if (f.resources_file != NULL) {
        json_decref(resources);
        json_error_t parse_error;
        resources = strcmp(f.resources_file, "-") == 0
                        ? json_load_path(AT_FDCWD, "/dev/stdin", &parse_error)
                        : json_load_path(AT_FDCWD, f.resources_file, &parse_error);
        if (!json_is_object(resources)) {
            husk_error_t err = NULL;
            husk_error_set(&err, 0, "--resources %s: %s", f.resources_file,
                           resources ? "not a JSON object" : parse_error.text);
            return cli_oci_report(cli, &err);
        }
    }
    husk_error_t err = NULL;
    if (oci_update(cli->root, argv[first], resources, &err) < 0)
        return cli_oci_report(cli, &err);
    return 0;
}
