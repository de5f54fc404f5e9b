/* `husk run` arguments (src/cli/run_command.c and the option tables) into
 * struct run_options, then every check the engine makes of them before it
 * creates anything (run_options_validate and the flag parsers prepare.c
 * calls). The input is argv, its words separated by NULs. No kernel work:
 * the one file the parse itself makes, --cidfile's, lands in a temporary
 * working directory, and inputs naming a file elsewhere are skipped. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cli/cli.h"
#include "../../src/cli/identity_options.h"
#include "../../src/engine/devices.h"
#include "../../src/engine/ports.h"
#include "../../src/engine/process_flags.h"
#include "../../src/engine/run.h"
#include "../../src/engine/security_options.h"
#include "../../src/engine/volumes/mount_spec.h"
#include "../../src/util/file.h"
#include "fuzz.h"

#define ARGS_MAX 64

static char *work_directory;

static void remove_work_directory(void)
{
    if (chdir("/") == 0)
        directory_remove_tree(work_directory, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    work_directory = fuzz_temp_directory();
    if (chdir(work_directory) < 0)
        abort();
    atexit(remove_work_directory);
    /* --help prints the whole table; libFuzzer reports on stderr. */
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
        abort();
    close(null);
    return 0;
}

/* The same getopt pass the parser makes: true when --env-file, --label-file
 * or --cidfile would reach outside the working directory, or a
 * --security-opt would read a seccomp profile file. */
static bool touches_files(int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, cli_run_help.options, "+:");
    opterr = 0;
    optind = 0;
    int option;
    bool files = false;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) != -1)
        if (optarg != NULL && (((option == CLI_OPTION_ENV_FILE || option == CLI_OPTION_LABEL_FILE ||
                                 option == CLI_OPTION_CIDFILE) &&
                                strchr(optarg, '/') != NULL) ||
                               strstr(optarg, "seccomp") != NULL))
            files = true;
    return files;
}

static void check_lists(const struct run_options *o)
{
    husk_error_t err = NULL;
    for (size_t i = 0; i < o->volume_count + o->mount_count + o->tmpfs_count; i++) {
        struct mount_request m;
        if (i < o->volume_count)
            mount_spec_parse_volume(o->volumes[i], &m, &err);
        else if (i < o->volume_count + o->mount_count)
            mount_spec_parse_mount(o->mounts[i - o->volume_count], &m, &err);
        else
            mount_spec_parse_tmpfs(o->tmpfs[i - o->volume_count - o->mount_count], &m, &err);
        mount_request_free(&m);
        husk_error_free(&err);
    }
    for (size_t i = 0; i < o->publish_count; i++) {
        struct port_mapping mapping;
        port_mapping_parse(o->publish[i], &mapping, &err);
        husk_error_free(&err);
    }
    for (size_t i = 0; i < o->expose_count; i++) {
        uint16_t port;
        char protocol[4];
        port_exposed_parse(o->expose[i], &port, protocol, &err);
        husk_error_free(&err);
    }
    for (size_t i = 0; i < o->device_count; i++) {
        struct device_mapping mapping = {0};
        if (device_mapping_parse(o->devices[i], &mapping, &err) == 0)
            device_mapping_free(&mapping);
        husk_error_free(&err);
    }
    for (size_t i = 0; i < o->device_cgroup_rule_count; i++) {
        json_decref(device_cgroup_rule_parse(o->device_cgroup_rules[i], &err));
        husk_error_free(&err);
    }
}

static void check_process(const struct run_options *o)
{
    husk_error_t err = NULL;
    json_t *list = NULL;
    if (process_flags_capabilities(o, &list, &err) == 0)
        json_decref(list);
    husk_error_free(&err);
    list = NULL;
    if (process_flags_rlimits(o, &list, &err) == 0)
        json_decref(list);
    husk_error_free(&err);
    bool given;
    int value;
    process_flags_oom_score_adj(o, &given, &value, &err);
    husk_error_free(&err);
    struct security_options security;
    security_options_parse((const char *const *)o->security_opts, o->security_opt_count, &security,
                           &err);
    security_options_free(&security);
    husk_error_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t count = 0;
    char **words = fuzz_strings(data, size, ARGS_MAX - 1, &count);
    /* argv[0] is the command's name, as cli_main hands it over. */
    char *argv[ARGS_MAX + 1] = {"run"};
    for (size_t i = 0; i < count; i++)
        argv[i + 1] = words[i];
    int argc = (int)count + 1;
    if (touches_files(argc, argv)) {
        fuzz_strings_free(words);
        return -1;
    }
    struct run_options o;
    husk_error_t err = NULL;
    if (cli_run_parse(argc, argv, &o, &err) == 0) {
        husk_error_t invalid = NULL;
        run_options_validate(&o, &invalid);
        husk_error_free(&invalid);
        check_lists(&o);
        check_process(&o);
    }
    husk_error_free(&err);
    cli_run_options_free(&o);
    fuzz_strings_free(words);
    return 0;
}
